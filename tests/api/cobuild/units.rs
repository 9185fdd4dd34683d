//! Co-building units and their resources over HTTP, on both engines: admins keep units and link a
//! contact; the contact's phone and email reach only admins and the contact; the contact keeps
//! the unit's resources; leaders find what is available; everyone else is refused, the same way
//! for a unit that exists and one that does not.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, OWNER_PHONE, TestApp};

fn health_check() -> serde_json::Value {
    json!({ "title": "老年人健康体检", "category": "medicine", "kind": "service", "quantity": 20 })
}

both_engines!(units_and_resources_kept_by_admins_and_contacts, units_and_resources);
async fn units_and_resources(app: TestApp) {
    let c = Community::seed(&app).await;
    let contact = app.login("unit-contact").await;

    // Admins register units; anyone else is refused; names are unique; fields are checked.
    app.unit(&c.leader_a, "区医院", "chen@hospital.example", None)
        .await
        .expect_error(403, "not_permitted");
    let unit = app
        .unit(&c.admin, "区医院", "chen@hospital.example", Some("UNIT-ROBOT"))
        .await
        .expect(201);
    let id = unit["id"].as_i64().unwrap();
    assert_eq!(unit["agreement_to"], "2030-12-31");
    assert_eq!(unit["wecom_robot_key"], "UNIT-ROBOT");
    app.unit(&c.admin, "区医院", "other@hospital.example", None)
        .await
        .expect_error(409, "unit_name_taken");
    app.unit(&c.admin, "律师事务所", "not-an-email", None)
        .await
        .expect_error(422, "invalid_field");
    let backwards = json!({ "name": "某单位", "contact_name": "张", "contact_phone": "13512345678",
        "contact_email": "z@example.com", "agreement_from": "2026-05-01", "agreement_to": "2026-04-30" });
    app.post("/api/v1/admin/units", &c.admin.token, backwards)
        .await
        .expect_error(422, "invalid_field");

    // Contact details: in full for admins, masked for leaders; residents may not list units.
    let seen = app.units(&c.leader_a).await.expect(200);
    let seen = &seen["items"][0];
    assert_eq!(seen["contact_phone"], "135****5678");
    assert!(
        seen.get("contact_email").is_none() && seen.get("wecom_robot_key").is_none(),
        "{seen}"
    );
    let full = app.units(&c.admin).await.expect(200);
    assert_eq!(full["items"][0]["contact_email"], "chen@hospital.example");
    app.units(&c.owner).await.expect_error(403, "not_permitted");

    // Before the link the contact keeps nothing — the same answer for a unit that does not exist.
    app.offer(&contact, id, health_check())
        .await
        .expect_error(403, "not_permitted");
    app.offer(&contact, 9_999, health_check())
        .await
        .expect_error(403, "not_permitted");
    app.offer(&c.admin, 9_999, health_check())
        .await
        .expect_error(404, "not_found");
    app.link_contact(&c.admin, id, Some(9_999))
        .await
        .expect_error(422, "unknown_user");
    app.link_contact(&c.leader_a, id, Some(contact.id))
        .await
        .expect_error(403, "not_permitted");
    let linked = app.link_contact(&c.admin, id, Some(contact.id)).await.expect(200);
    assert_eq!(linked["contact_user_id"], contact.id);
    let own = app.units(&contact).await.expect(200);
    assert_eq!(own["items"][0]["contact_visible"], true);

    // The contact keeps the unit's resources; bad input is refused field by field.
    let offered = app.offer(&contact, id, health_check()).await.expect(201);
    let resource = offered["id"].as_i64().unwrap();
    assert_eq!(
        (offered["unit_name"].as_str(), offered["status"].as_str()),
        (Some("区医院"), Some("available"))
    );
    for (field, value) in [
        ("category", json!("astrology")),
        ("kind", json!("miracle")),
        ("quantity", json!(0)),
        ("title", json!("")),
        ("available_from", json!("tomorrow")),
    ] {
        let mut body = health_check();
        body[field] = value;
        app.offer(&contact, id, body).await.expect_error(422, "invalid_field");
    }
    let mut window = health_check();
    window["available_from"] = json!("2026-06-01T00:00:00+08:00");
    window["available_to"] = json!("2026-05-01T00:00:00+08:00");
    app.offer(&contact, id, window).await.expect_error(422, "invalid_field");
    app.offer(
        &contact,
        id,
        json!({ "title": "法律咨询", "category": "other", "kind": "service", "price": 5 }),
    )
    .await
    .expect(400);
    let legal = app
        .offer(
            &contact,
            id,
            json!({ "title": "法律咨询", "category": "other", "kind": "service" }),
        )
        .await
        .expect(201);
    let mut paused = json!({ "title": "法律咨询", "category": "other", "kind": "service", "status": "paused" });
    let legal_id = legal["id"].as_i64().unwrap();
    app.update_resource(&contact, id, legal_id, paused.clone())
        .await
        .expect(200);
    app.update_resource(&c.leader_a, id, legal_id, paused.clone())
        .await
        .expect_error(403, "not_permitted");
    paused["status"] = json!("gone");
    app.update_resource(&contact, id, legal_id, paused)
        .await
        .expect_error(422, "invalid_field");

    // Leaders find what is available, by category and kind; residents are refused.
    let ids = |v: serde_json::Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(app.resources(&c.leader_b, "available=true").await.expect(200)),
        vec![resource]
    );
    assert_eq!(
        ids(app.resources(&c.leader_b, "").await.expect(200)),
        vec![resource, legal_id]
    );
    assert_eq!(
        ids(app.resources(&c.leader_b, "category=other").await.expect(200)),
        vec![legal_id]
    );
    assert!(ids(app.resources(&c.leader_b, "kind=venue").await.expect(200)).is_empty());
    app.resources(&c.leader_b, "kind=miracle")
        .await
        .expect_error(422, "invalid_field");
    assert_eq!(
        ids(app.resources(&contact, "").await.expect(200)).len(),
        2,
        "the contact's own"
    );
    app.resources(&c.owner, "").await.expect_error(403, "not_permitted");

    // Unlinking ends the contact's hold; no phone of a resident appeared anywhere.
    app.link_contact(&c.admin, id, None).await.expect(200);
    app.offer(&contact, id, health_check())
        .await
        .expect_error(403, "not_permitted");
    assert!(!app.units(&c.admin).await.text.contains(OWNER_PHONE));
}
