//! A grid's needs list (需求清单) over HTTP, on both engines: the waiting wishes by category (a
//! claimed one and one bundled into a project left out; past the category's limit and referred
//! ones marked), the people under care by care category, the visit that found someone in need and
//! the wish it opened; other grids' leaders and residents refused.

use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{Community, TestApp};

fn titles(category: &Value) -> Vec<&str> {
    category["wishes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["title"].as_str().unwrap())
        .collect()
}

both_engines!(a_grids_needs_list_gathers_wishes_care_and_visits, needs_list);
async fn needs_list(app: TestApp) {
    let c = Community::seed(&app).await;
    let (_, resource, _) = super::projects::hospital(&app, &c).await;
    let wish = |who, title: &'static str, category: &'static str| {
        let app = &app;
        async move { app.wish_of(who, title, category, None).await["id"].as_i64().unwrap() }
    };
    wish(&c.owner, "量血压", "medicine").await;
    let referred = wish(&c.owner, "看牙", "medicine").await;
    wish(&c.owner, "修水龙头", "repair").await;
    let claimed = wish(&c.other_resident, "买菜", "errand").await;
    let bundled = wish(&c.owner, "体检", "medicine").await;
    app.act(&c.volunteer, claimed, "claim", None).await.expect(200);
    app.refer(&c.leader_a, referred, "需要牙医").await.expect(200);
    app.propose(&c.leader_a, "体检", resource, &[bundled]).await.expect(201);
    for (who, tags) in [
        (&c.owner, json!(["lives_alone", "elderly_80"])),
        (&c.other_resident, json!(["lives_alone"])),
    ] {
        let care = json!({ "tags": tags, "visit_every": "7d", "visitor_ids": [c.volunteer.id] });
        app.put(&format!("/api/v1/residents/{}/care", who.id), &c.leader_a.token, care)
            .await
            .expect(200);
    }
    let visits = |who: i64| format!("/api/v1/residents/{who}/visits");
    let found = app
        .post(
            &visits(c.owner.id),
            &c.volunteer.token,
            json!({ "outcome": "needs_help", "note": "水管漏了" }),
        )
        .await
        .expect(201);
    app.post(
        &visits(c.other_resident.id),
        &c.volunteer.token,
        json!({ "outcome": "ok", "note": "挺好" }),
    )
    .await
    .expect(201);
    app.clock.advance_ms(5 * 3_600_000);

    app.needs(&c.leader_b, c.grid_a)
        .await
        .expect_error(403, "not_permitted");
    app.needs(&c.owner, c.grid_a).await.expect_error(403, "not_permitted");
    app.needs(&c.admin, 9_999).await.expect_error(404, "not_found");
    let needs = app.needs(&c.leader_a, c.grid_a).await.expect(200);
    let categories = needs["categories"].as_array().unwrap();
    let codes: Vec<&str> = categories.iter().map(|c| c["category"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        ["errand", "medicine", "repair"],
        "configured order, empty ones left out"
    );
    let visit_wish = found["wish_id"].as_i64().unwrap();
    assert_eq!(
        categories[0]["wishes"][0]["wish_id"], visit_wish,
        "the visit's wish waits"
    );
    let medicine = &categories[1];
    assert_eq!(titles(medicine), ["量血压", "看牙"], "the bundled one is being served");
    assert_eq!(
        (medicine["waiting"].as_i64(), medicine["unclaimed_past_sla"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(medicine["referred"], 1);
    assert_eq!(medicine["wishes"][1]["referred"], true);
    assert_eq!(
        (
            categories[2]["waiting"].as_i64(),
            categories[2]["unclaimed_past_sla"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(
        needs["care"],
        json!([{ "tag": "lives_alone", "people": 2 }, { "tag": "elderly_80", "people": 1 }])
    );
    let help = needs["needs_help"].as_array().unwrap();
    assert_eq!(help.len(), 1, "only the visit that found a need: {help:?}");
    assert_eq!(
        (help[0]["name"].as_str(), help[0]["note"].as_str()),
        (Some("王奶奶"), Some("水管漏了"))
    );
    assert_eq!(
        (help[0]["wish_id"].as_i64(), help[0]["wish_status"].as_str()),
        (Some(visit_wish), Some("open"))
    );
    assert_eq!(app.needs(&c.admin, c.grid_a).await.expect(200), needs);
}
