//! Care visits end to end: a care record, a visit that falls due (the visitor is reminded), goes
//! overdue (the leader is alerted, once), and a "needs help" visit that opens a wish.

use serde_json::json;

use microwish_notifier::Scheduler;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

const DAY: i64 = 86_400_000;

async fn scan(app: &TestApp) {
    Scheduler::new(app.db.clone(), app.state().settings.clone(), app.clock.clone())
        .scan_once()
        .await
        .expect("scan");
}

async fn rows_for(app: &TestApp, kind: &str, recipient: i64) -> usize {
    let mut conn = app.db.pool().acquire().await.unwrap();
    microwish_core::outbox::list(&mut conn, None, Some(kind), 1000)
        .await
        .unwrap()
        .iter()
        .filter(|n| n.recipient_id == recipient)
        .count()
}

async fn a_visit_falls_due_goes_overdue_and_needs_help(app: TestApp) {
    let c = Community::seed(&app).await;
    let body = json!({ "grid_id": c.grid_a, "name": "1号楼" });
    let b1 = app
        .post("/api/v1/admin/buildings", &c.admin.token, body)
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let grandma = json!({ "display_name": "王奶奶", "phone": "13800001234", "building_id": b1, "room": "101" });
    let grandma = app
        .post("/api/v1/residents", &c.leader_a.token, grandma)
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();

    // The leader puts her under care: lives alone, a visit every week by 小王.
    let care = format!("/api/v1/residents/{grandma}/care");
    let plan = json!({ "tags": ["lives_alone"], "visit_every": "7d", "visitor_ids": [c.volunteer.id] });
    for (bad, code) in [
        (
            json!({ "tags": ["rich"], "visit_every": "7d", "visitor_ids": [] }),
            "invalid_field",
        ),
        (
            json!({ "tags": [], "visit_every": "soon", "visitor_ids": [] }),
            "invalid_field",
        ),
        (
            json!({ "tags": [], "visit_every": "1h", "visitor_ids": [] }),
            "invalid_field",
        ),
        (
            json!({ "tags": [], "visit_every": "7d", "visitor_ids": [c.owner.id] }),
            "not_a_volunteer",
        ),
    ] {
        app.put(&care, &c.leader_a.token, bad).await.expect_error(422, code);
    }
    app.put(&care, &c.leader_b.token, plan.clone())
        .await
        .expect_error(404, "not_found");
    let set = app.put(&care, &c.leader_a.token, plan).await.expect(200);
    assert_eq!(
        (set["visit_every_days"].as_i64(), set["tags"].clone()),
        (Some(7), json!(["lives_alone"]))
    );
    let list = format!("/api/v1/grids/{}/care", c.grid_a);
    app.get(&list, &c.leader_b.token)
        .await
        .expect_error(403, "not_permitted");
    let listed = app.get(&list, &c.leader_a.token).await.expect(200);
    assert_eq!(listed["items"][0]["resident_id"], grandma);
    assert_eq!(listed["items"][0]["last_visit_at"], serde_json::Value::Null);

    // Not due yet: nothing.
    scan(&app).await;
    assert_eq!(rows_for(&app, "visit_due", c.volunteer.id).await, 0);
    // A week later it falls due: 小王 is reminded, once however often the scheduler scans.
    app.clock.advance_ms(7 * DAY + 60_000);
    scan(&app).await;
    scan(&app).await;
    assert_eq!(rows_for(&app, "visit_due", c.volunteer.id).await, 1);
    assert_eq!(app.count("alerts").await, 0, "due is not yet overdue");
    // Two days on, still not visited: the leader of her grid is alerted, once.
    app.clock.advance_ms(2 * DAY);
    scan(&app).await;
    scan(&app).await;
    let alerts = app.get("/api/v1/alerts", &c.leader_a.token).await.expect(200);
    let overdue: Vec<_> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "visit_overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "{alerts}");
    assert!(overdue[0]["summary"].as_str().unwrap().contains("王奶奶"));
    // The leader's notification is about her, and its mini-program link opens her page.
    let mut conn = app.db.pool().acquire().await.unwrap();
    let about_her = microwish_core::outbox::for_subject(&mut conn, "resident", grandma)
        .await
        .unwrap();
    drop(conn);
    let alert = about_her
        .iter()
        .find(|n| n.kind.as_str() == "alert" && n.recipient_id == c.leader_a.id)
        .expect("the overdue alert's notification names its resident");
    let page = microwish_notifier::channel::wechat::page(alert, &"T".into());
    assert_eq!(page, format!("pages/resident/detail?id={grandma}"));
    let theirs = app.get("/api/v1/alerts", &c.leader_b.token).await.expect(200);
    assert_eq!(theirs, json!([]), "a leader of another grid sees none of it");

    // Only her visitors (and staff) record visits; "needs help" opens a wish in one step.
    let visits = format!("/api/v1/residents/{grandma}/visits");
    let help = json!({ "outcome": "needs_help", "note": "水龙头坏了，需要找人修" });
    app.post(&visits, &c.volunteer2.token, help.clone())
        .await
        .expect_error(404, "not_found");
    app.post(&visits, &c.volunteer.token, json!({ "outcome": "fine", "note": "" }))
        .await
        .expect_error(422, "invalid_field");
    let codes = format!("/api/v1/residents/{grandma}/family-codes");
    let code = app
        .call("POST", &codes, Some(&c.leader_a.token), None)
        .await
        .expect(201)["code"]
        .clone();
    let grandson = app.login("grandson").await;
    app.post("/api/v1/me/family", &grandson.token, json!({ "code": code }))
        .await
        .expect(200);
    let visit = app.post(&visits, &c.volunteer.token, help).await.expect(201);
    // Her family hears how the visit went.
    let mut conn = app.db.pool().acquire().await.unwrap();
    let told = microwish_core::outbox::list(&mut conn, None, Some("visit_recorded"), 10)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(told.len(), 1);
    assert_eq!(
        (told[0].recipient_id, told[0].payload["outcome"].as_str()),
        (grandson.id, Some("needs_help"))
    );
    assert_eq!(told[0].payload["wish_id"], visit["wish_id"]);
    let wish_id = visit["wish_id"].as_i64().expect("a wish for a needs_help visit");
    let wish = app
        .get(&format!("/api/v1/wishes/{wish_id}"), &c.leader_a.token)
        .await
        .expect(200);
    assert_eq!(
        (wish["resident"]["id"].as_i64(), wish["created_by"].as_i64()),
        (Some(grandma), Some(c.volunteer.id))
    );
    assert_eq!(
        (wish["status"].as_str(), wish["description"].as_str()),
        (Some("open"), Some("水龙头坏了，需要找人修"))
    );
    // The visit settles the overdue alert and moves the next due date a week on.
    let alerts = app
        .get("/api/v1/alerts?status=open", &c.leader_a.token)
        .await
        .expect(200);
    assert!(
        alerts.as_array().unwrap().iter().all(|a| a["kind"] != "visit_overdue"),
        "{alerts}"
    );
    let listed = app.get(&list, &c.leader_a.token).await.expect(200);
    assert_eq!(listed["items"][0]["last_outcome"], "needs_help");
    assert_eq!(listed["items"][0]["last_visit_at"], visit["at"]);
    let ok = app
        .post(&visits, &c.volunteer.token, json!({ "outcome": "ok", "note": "" }))
        .await
        .expect(201);
    assert!(ok.get("wish_id").is_none(), "{ok}");
}
both_engines!(
    a_visit_falls_due_goes_overdue_and_needs_help_,
    a_visit_falls_due_goes_overdue_and_needs_help
);
