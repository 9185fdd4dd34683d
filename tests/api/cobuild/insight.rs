//! The resources indicator from co-building, on both engines, against a month counted by hand:
//! units active, resources on offer against used, projects delivered, hours of units and of
//! in-service party members — and another grid's month, which saw none of it.

use serde_json::{Value, json};

use microwish_core::clock::parse_rfc3339;
use microwish_notifier::Scheduler;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

fn resources(report: &Value) -> Vec<(String, Value)> {
    report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["key"].as_str().unwrap().to_string(), m["value"].clone()))
        .collect()
}

both_engines!(co_building_feeds_the_resources_indicator, counted_by_hand);
async fn counted_by_hand(app: TestApp) {
    app.clock.set_ms(parse_rfc3339("2026-05-10T10:00:00+08:00").unwrap());
    let c = Community::seed(&app).await;
    let (unit, resource, contact) = super::projects::hospital(&app, &c).await;
    let withdrawn = json!({ "title": "义诊", "category": "medicine", "kind": "team", "status": "withdrawn" });
    app.offer(&contact, unit, withdrawn).await.expect(201);
    // A second unit whose offer ended before May: not on offer, not active.
    let old = app.unit(&c.admin, "老单位", "old@example.com", None).await.expect(201)["id"]
        .as_i64()
        .unwrap();
    let ended =
        json!({ "title": "旧场地", "category": "other", "kind": "venue", "available_to": "2026-04-01T00:00:00+08:00" });
    app.offer(&c.admin, old, ended).await.expect(201);

    // An in-service party member serves a wish, confirmed and credited (60 minutes).
    let branch = app
        .post(
            "/api/v1/party/branches",
            &c.admin.token,
            json!({ "name": "第一党支部", "grid_ids": [c.grid_a] }),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let member = format!("/api/v1/party/branches/{branch}/members/{}", c.volunteer.id);
    app.put(&member, &c.admin.token, json!({ "category": "in_service" }))
        .await
        .expect(200);
    let errand = app.wish(&c.owner, "买菜").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, errand, "claim", None).await.expect(200);
    app.act(&c.volunteer, errand, "fulfil", Some(json!({ "note": "送到了" })))
        .await
        .expect(200);
    app.act(&c.owner, errand, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);
    Scheduler::new(app.db.clone(), app.state().settings.clone(), app.clock.clone())
        .scan_once()
        .await
        .unwrap();

    // Two wishes delivered by a project, stating 150 minutes; another project declined.
    let wishes = super::projects::health_wishes(&app, &c, 3).await;
    let id = app
        .propose(&c.leader_a, "体检", resource, &wishes[..2])
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    app.decide(&contact, id, "agree", None).await.expect(200);
    app.decide(&contact, id, "deliver", Some(json!({ "minutes": 150 })))
        .await
        .expect(200);
    let no = app
        .propose(&c.leader_a, "再来", resource, &wishes[2..])
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    app.decide(&contact, no, "decline", Some(json!({ "reason": "排满了" })))
        .await
        .expect(200);

    // By hand for grid A in May: one unit active (the hospital; the old unit's offer ended), one
    // resource on offer (the withdrawn and the ended ones are not), one used, one project
    // delivered, (150 + 60) minutes = 3.5 hours of units and in-service members.
    let grid = app
        .get(
            &format!("/api/v1/insight?month=2026-05&grid_id={}", c.grid_a),
            &c.leader_a.token,
        )
        .await;
    let grid = resources(&grid.expect(200));
    let want = [
        ("active_units", json!(1.0)),
        ("resources_offered", json!(1.0)),
        ("resources_used", json!(1.0)),
        ("projects_delivered", json!(1.0)),
        ("volunteer_hours", json!(1.0)),
        ("unit_and_member_hours", json!(3.5)),
    ];
    for (key, value) in &want {
        let got = grid.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        assert_eq!(got.as_ref(), Some(value), "{key}: {grid:?}");
    }
    // Grid B had no project: only the community's offer shows there.
    let other = app
        .get(
            &format!("/api/v1/insight?month=2026-05&grid_id={}", c.grid_b),
            &c.admin.token,
        )
        .await;
    let other = resources(&other.expect(200));
    let of = |key: &str| other.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap();
    assert_eq!((of("active_units"), of("resources_offered")), (json!(1.0), json!(1.0)));
    assert_eq!(
        (of("projects_delivered"), of("unit_and_member_hours")),
        (json!(0.0), json!(0.0))
    );
}
