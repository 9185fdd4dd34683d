//! Supply and demand per category on a seeded grid, on both engines, against figures counted by
//! hand: demand of the month (last month's wish and another grid's left out), still open, past
//! the category's limit, referred; the grid's volunteers with the skill active in the last 30 days
//! (an idle one and another grid's left out); the resources available now (a paused and an
//! expired one left out). Quarters, dates and refusals too.

use serde_json::{Value, json};

use microwish_core::clock::parse_rfc3339;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

fn at(text: &str) -> i64 {
    parse_rfc3339(text).unwrap()
}

/// Each category's (demand, open, unclaimed past SLA, referred, volunteers, resources).
fn figures(report: &Value) -> Vec<(String, [i64; 6])> {
    let n = |c: &Value, k: &str| c[k].as_i64().unwrap();
    report["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let keys = [
                "demand",
                "open",
                "unclaimed_past_sla",
                "referred",
                "volunteers",
                "resources",
            ];
            (c["category"].as_str().unwrap().to_string(), keys.map(|k| n(c, k)))
        })
        .collect()
}

async fn post(app: &TestApp, who: &TestUser, title: &str, category: &str) -> i64 {
    app.wish_of(who, title, category, None).await["id"].as_i64().unwrap()
}

async fn skilled(app: &TestApp, c: &Community, openid: &str, grid: i64, skills: &[&str]) -> TestUser {
    let v = app.login(openid).await;
    app.set_roles(&c.admin, &v, &["volunteer"]).await;
    app.profile(&v, openid, "13700009999", grid).await;
    app.put("/api/v1/me", &v.token, json!({ "skills": skills }))
        .await
        .expect(200);
    v
}

both_engines!(supply_and_demand_match_a_hand_count, hand_count);
async fn hand_count(app: TestApp) {
    app.clock.set_ms(at("2026-04-25T10:00:00+08:00"));
    let c = Community::seed(&app).await;
    app.wish(&c.owner, "四月的心愿").await;
    app.clock.set_ms(at("2026-05-10T10:00:00+08:00"));
    for (v, skills) in [
        (&c.volunteer, json!(["errand", "medicine"])),
        (&c.volunteer2, json!(["repair"])),
    ] {
        app.put("/api/v1/me", &v.token, json!({ "skills": skills }))
            .await
            .expect(200);
    }
    skilled(&app, &c, "idle", c.grid_a, &["medicine"]).await;
    let elsewhere = skilled(&app, &c, "elsewhere", c.grid_b, &["errand"]).await;
    let (unit, _, contact) = super::projects::hospital(&app, &c).await;
    let paused = json!({ "title": "维修队", "category": "repair", "kind": "team", "status": "paused" });
    app.offer(&contact, unit, paused).await.expect(201);
    let over = json!({ "title": "旧活动", "category": "errand", "kind": "venue", "available_to": "2026-05-01T00:00:00+08:00" });
    app.offer(&contact, unit, over).await.expect(201);

    let e1 = post(&app, &c.owner, "买菜", "errand").await;
    post(&app, &c.other_resident, "取快递", "errand").await;
    post(&app, &c.owner, "量血压", "medicine").await;
    let m2 = post(&app, &c.owner, "看牙", "medicine").await;
    let r1 = post(&app, &c.other_resident, "修灯", "repair").await;
    let r2 = post(&app, &c.owner, "修门", "repair").await;
    let b1 = post(&app, &c.leader_b, "第二网格的药", "medicine").await;
    app.act(&c.volunteer, e1, "claim", None).await.expect(200);
    app.act(&c.volunteer2, r1, "claim", None).await.expect(200);
    app.act(&elsewhere, b1, "claim", None).await.expect(200);
    app.act(&c.owner, r2, "cancel", None).await.expect(200);
    app.refer(&c.leader_a, m2, "需要牙医").await.expect(200);
    app.clock.advance_ms(5 * 3_600_000);

    // By hand: errand E1 (claimed) and E2 (open, 5 h < 24 h); medicine M1 and M2 (open, 5 h past
    // medicine's 4 h, M2 referred); repair R1 (claimed) and R2 (cancelled). Volunteers: 小王
    // (errand, medicine) and 小李 (repair) claimed this month; the idle one and grid B's are not
    // counted. Resources: the health check (medicine) only.
    let may = app
        .supply_demand(&c.leader_a, c.grid_a, "period=month")
        .await
        .expect(200);
    assert_eq!(
        (may["from"].as_str(), may["to"].as_str()),
        (Some("2026-05-01"), Some("2026-05-31"))
    );
    let zero = [0; 6];
    let want: Vec<(String, [i64; 6])> = [
        ("errand", [2, 1, 0, 0, 1, 0]),
        ("medicine", [2, 2, 2, 1, 1, 1]),
        ("repair", [2, 0, 0, 0, 1, 0]),
        ("companion", zero),
        ("study", zero),
        ("other", zero),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(figures(&may), want);
    assert_eq!(
        app.supply_demand(&c.admin, c.grid_a, "").await.expect(200),
        may,
        "a month by default"
    );

    let april = app
        .supply_demand(&c.leader_a, c.grid_a, "from=2026-04-01&to=2026-04-30")
        .await
        .expect(200);
    assert_eq!(figures(&april)[0].1[0], 1, "April's one errand");
    assert!(figures(&april)[1..].iter().all(|(_, f)| f[0] == 0));
    let quarter = app
        .supply_demand(&c.leader_a, c.grid_a, "period=quarter")
        .await
        .expect(200);
    assert_eq!(
        (quarter["from"].as_str(), figures(&quarter)[0].1[0]),
        (Some("2026-04-01"), 3)
    );

    for query in [
        "period=week",
        "from=2026-05-02&to=2026-05-01",
        "period=month&from=2026-05-01",
        "to=2026-05-01",
        "from=May",
    ] {
        app.supply_demand(&c.leader_a, c.grid_a, query)
            .await
            .expect_error(422, "invalid_field");
    }
    app.supply_demand(&c.leader_b, c.grid_a, "")
        .await
        .expect_error(403, "not_permitted");
    app.supply_demand(&c.volunteer, c.grid_a, "")
        .await
        .expect_error(403, "not_permitted");
    app.supply_demand(&c.admin, 9_999, "")
        .await
        .expect_error(404, "not_found");
}
