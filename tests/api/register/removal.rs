//! Removing register people and households: only by the grid's leader (404 to another grid's),
//! never a person with an account (409), never a household still in use (409), each removal
//! audited.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

/// The removals in the audit log, oldest first: (subject type, id, who).
async fn removals(app: &TestApp, admin: &TestUser) -> Vec<(String, i64, i64)> {
    let mut all = app.audit_all(admin).await;
    all.reverse();
    all.iter()
        .filter(|e| e["kind"].as_str().is_some_and(|k| k.ends_with(".remove")))
        .map(|e| {
            let subject = e["subject_type"].as_str().unwrap().to_string();
            (
                subject,
                e["subject_id"].as_i64().unwrap(),
                e["actor_id"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn people_and_households_are_removed_by_the_rules(app: TestApp) {
    let c = Community::seed(&app).await;
    let body = json!({ "grid_id": c.grid_a, "name": "1号楼" });
    let b1 = app
        .post("/api/v1/admin/buildings", &c.admin.token, body)
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let households = format!("/api/v1/buildings/{b1}/households");
    let room = app
        .post(&households, &c.leader_a.token, json!({ "room": "602" }))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let people = format!("/api/v1/households/{room}/people");
    let person = app
        .post(&people, &c.leader_a.token, json!({ "name": "周伯" }))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();

    let house = format!("/api/v1/households/{room}");
    let him = format!("/api/v1/people/{person}");
    app.call("DELETE", &house, Some(&c.leader_a.token), None)
        .await
        .expect_error(409, "household_not_empty");
    app.call("DELETE", &him, Some(&c.leader_b.token), None)
        .await
        .expect_error(404, "not_found");
    app.call("DELETE", &him, Some(&c.leader_a.token), None)
        .await
        .expect(204);
    app.call("DELETE", &him, Some(&c.leader_a.token), None)
        .await
        .expect_error(404, "not_found");
    app.call("DELETE", &house, Some(&c.leader_b.token), None)
        .await
        .expect_error(404, "not_found");
    app.call("DELETE", &house, Some(&c.leader_a.token), None)
        .await
        .expect(204);
    assert_eq!(
        removals(&app, &c.admin).await,
        vec![
            ("person".to_string(), person, c.leader_a.id),
            ("household".to_string(), room, c.leader_a.id)
        ]
    );

    // A person linked to an account (an offline resident here) stays: 409.
    let grandma = json!({ "display_name": "王奶奶", "phone": "13800001234", "building_id": b1, "room": "101" });
    app.post("/api/v1/residents", &c.leader_a.token, grandma)
        .await
        .expect(201);
    let listed = app
        .get(
            &format!("/api/v1/grids/{}/people?q=王奶奶", c.grid_a),
            &c.leader_a.token,
        )
        .await
        .expect(200);
    let linked = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|p| p["person_id"].as_i64());
    let linked = linked.unwrap_or_else(|| panic!("her register person: {listed}"));
    app.call(
        "DELETE",
        &format!("/api/v1/people/{linked}"),
        Some(&c.leader_a.token),
        None,
    )
    .await
    .expect_error(409, "person_has_account");
    assert_eq!(removals(&app, &c.admin).await.len(), 2);
}
both_engines!(
    people_and_households_are_removed_by_the_rules_,
    people_and_households_are_removed_by_the_rules
);
