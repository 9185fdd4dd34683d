//! Residence: who verifies it, what an unverified resident's wish does, who sees the grid's people.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

/// A building in `grid_id`, made by `by`.
async fn building(app: &TestApp, by: &TestUser, grid_id: i64, name: &str) -> i64 {
    let body = json!({ "grid_id": grid_id, "name": name });
    app.post("/api/v1/admin/buildings", &by.token, body).await.expect(201)["id"]
        .as_i64()
        .unwrap()
}

/// A newcomer who declares a room; answers the request.
async fn declare(app: &TestApp, user: &TestUser, building_id: i64, room: &str) -> serde_json::Value {
    let body = json!({ "building_id": building_id, "room": room });
    app.post("/api/v1/me/residence", &user.token, body).await.expect(200)
}

async fn unverified_urgent_wishes_wait_for_a_quick_review(app: TestApp) {
    let c = Community::seed(&app).await;
    let robot = json!({ "name": "第一网格", "leader_user_id": c.leader_a.id, "wecom_robot_key": "robot-key-a" });
    app.put(&format!("/api/v1/admin/grids/{}", c.grid_a), &c.admin.token, robot)
        .await
        .expect(200);
    let b1 = building(&app, &c.admin, c.grid_a, "1号楼").await;
    let newcomer = app.login("newcomer").await;
    app.put(
        "/api/v1/me",
        &newcomer.token,
        json!({ "display_name": "新住户", "phone": "13911112222" }),
    )
    .await
    .expect(200);

    // Arrange: a declared, unverified residence.
    let request = declare(&app, &newcomer, b1, "301").await;
    assert_eq!(request["status"], "pending");
    assert_eq!(request["grid_id"], c.grid_a);
    let me = app.get("/api/v1/me", &newcomer.token).await.expect(200);
    assert_eq!(me["grid_id"], serde_json::Value::Null, "no grid until verified: {me}");
    assert_eq!(me["pending_residence_request_id"], request["id"]);

    // Act: an urgent wish.
    let body = json!({ "title": "家里漏水", "description": "水管爆了", "category": "repair", "urgency": "urgent" });
    let wish = app
        .post("/api/v1/wishes", &newcomer.token, body.clone())
        .await
        .expect(201);

    // Assert: it waits for review; the leader is asked for an urgent review; no alert, no robot.
    assert_eq!(wish["status"], "pending_review");
    assert_eq!(wish["grid_id"], c.grid_a);
    let wish_id = wish["id"].as_i64().unwrap();
    let mut conn = app.db.pool().acquire().await.unwrap();
    let rows = microwish_core::outbox::for_subject(&mut conn, "wish", wish_id)
        .await
        .unwrap();
    drop(conn);
    let kinds: Vec<(&str, i64, bool)> = rows
        .iter()
        .map(|n| (n.kind.as_str(), n.recipient_id, n.urgent))
        .collect();
    assert_eq!(kinds, vec![("wish_review", c.leader_a.id, true)]);
    assert_eq!(app.count("alerts").await, 0);
    let open = app
        .get("/api/v1/wishes?status=open", &c.volunteer.token)
        .await
        .expect(200);
    assert!(open["items"].as_array().unwrap().iter().all(|w| w["id"] != wish_id));

    // The leader of another grid can neither see nor decide the request.
    let theirs = format!("/api/v1/residence-requests?grid_id={}", c.grid_a);
    app.get(&theirs, &c.leader_b.token)
        .await
        .expect_error(403, "not_permitted");
    let approve = format!("/api/v1/residence-requests/{}/approve", request["id"]);
    app.call("POST", &approve, Some(&c.leader_b.token), None)
        .await
        .expect_error(404, "not_found");
    let pending = app
        .get("/api/v1/residence-requests?status=pending", &c.leader_b.token)
        .await
        .expect(200);
    assert_eq!(pending["items"], json!([]));

    // The grid's leader verifies it: the grid comes from the residence, the room joins the register.
    let mine = app
        .get("/api/v1/residence-requests?status=pending", &c.leader_a.token)
        .await
        .expect(200);
    assert_eq!(mine["items"][0]["id"], request["id"]);
    let verified = app
        .call("POST", &approve, Some(&c.leader_a.token), None)
        .await
        .expect(200);
    assert_eq!(verified["status"], "verified");
    assert_eq!(verified["method"], "leader");
    app.call("POST", &approve, Some(&c.leader_a.token), None)
        .await
        .expect_error(409, "invalid_transition");
    let me = app.get("/api/v1/me", &newcomer.token).await.expect(200);
    assert_eq!(me["grid_id"], c.grid_a);
    assert_eq!(me["residence_verified"], true);
    assert_eq!(me["building"], "1号楼");
    assert_eq!(me["address"], "1号楼301");

    // Now an urgent wish is open at once and alerts the leader and the work group.
    let wish = app.post("/api/v1/wishes", &newcomer.token, body).await.expect(201);
    assert_eq!(wish["status"], "open");
    assert_eq!(app.count("alerts").await, 1);
    let kinds: Vec<String> = app
        .outbox(wish["id"].as_i64().unwrap())
        .await
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(kinds, vec!["alert", "grid_alert"]);
}
both_engines!(
    unverified_urgent_wishes_wait_for_a_quick_review_,
    unverified_urgent_wishes_wait_for_a_quick_review
);

async fn a_grid_only_declaration_and_a_rejection(app: TestApp) {
    let c = Community::seed(&app).await;
    let mover = app.login("mover").await;
    let me = app
        .put("/api/v1/me", &mover.token, json!({ "grid_id": c.grid_b }))
        .await
        .expect(200);
    assert_eq!(me["grid_id"], serde_json::Value::Null);
    let request = me["pending_residence_request_id"].as_i64().unwrap();
    let reject = format!("/api/v1/residence-requests/{request}/reject");
    app.post(&reject, &c.leader_b.token, json!({ "reason": " " }))
        .await
        .expect_error(422, "invalid_field");
    let rejected = app
        .post(&reject, &c.leader_b.token, json!({ "reason": "查无此人" }))
        .await
        .expect(200);
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reason"], "查无此人");
    // Without any residence, a wish has nowhere to go.
    let body = json!({ "title": "t", "description": "d", "category": "errand" });
    app.post("/api/v1/wishes", &mover.token, body)
        .await
        .expect_error(422, "grid_required");
    // A leader's own declaration for the grid they lead is verified at once.
    let me = app
        .put("/api/v1/me", &c.leader_b.token, json!({ "grid_id": c.grid_b }))
        .await
        .expect(200);
    assert_eq!(me["grid_id"], c.grid_b);
}
both_engines!(
    a_grid_only_declaration_and_a_rejection_,
    a_grid_only_declaration_and_a_rejection
);

async fn leaders_list_the_people_of_their_grid_only(app: TestApp) {
    let c = Community::seed(&app).await;
    let b1 = building(&app, &c.leader_a, c.grid_a, "1号楼").await;
    let b9 = building(&app, &c.leader_b, c.grid_b, "9号楼").await;
    let newcomer = app.login("newcomer").await;
    app.put(
        "/api/v1/me",
        &newcomer.token,
        json!({ "display_name": "新住户", "phone": "13911112222" }),
    )
    .await
    .expect(200);
    declare(&app, &newcomer, b1, "502").await;

    let people = format!("/api/v1/grids/{}/people", c.grid_a);
    let all = app.get(&people, &c.leader_a.token).await.expect(200);
    let items = all["items"].as_array().unwrap();
    let owner = items.iter().find(|p| p["user_id"] == c.owner.id).expect("owner listed");
    assert_eq!(
        owner["phone"],
        crate::helpers::OWNER_PHONE,
        "the grid's leader sees full phones"
    );
    assert_eq!(owner["verified"], true);
    assert!(
        items.iter().all(|p| p["user_id"] != c.leader_b.id),
        "grid B's people stay out"
    );
    let waiting = app
        .get(&format!("{people}?verified=false"), &c.leader_a.token)
        .await
        .expect(200);
    let waiting: Vec<i64> = waiting["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user_id"].as_i64().unwrap())
        .collect();
    assert_eq!(waiting, vec![newcomer.id]);
    let found = app.get(&format!("{people}?q=5678"), &c.admin.token).await.expect(200);
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["user_id"], c.owner.id);
    let volunteers = app
        .get(&format!("{people}?role=volunteer"), &c.leader_a.token)
        .await
        .expect(200);
    assert_eq!(volunteers["items"].as_array().unwrap().len(), 2);
    let in_b1 = app
        .get(&format!("{people}?building_id={b1}"), &c.leader_a.token)
        .await
        .expect(200);
    assert_eq!(in_b1["items"], json!([]), "the pending room is not the register's yet");
    assert!(
        app.count("contact_views").await > 0,
        "listing contact details is audited"
    );

    for outsider in [&c.leader_b, &c.volunteer, &c.owner] {
        app.get(&people, &outsider.token)
            .await
            .expect_error(403, "not_permitted");
    }
    // Leaders manage buildings and rooms of their own grid only.
    let body = json!({ "grid_id": c.grid_b, "name": "10号楼" });
    app.post("/api/v1/admin/buildings", &c.leader_a.token, body)
        .await
        .expect_error(403, "not_permitted");
    app.post(
        &format!("/api/v1/buildings/{b9}/households"),
        &c.leader_a.token,
        json!({ "room": "101" }),
    )
    .await
    .expect_error(403, "not_permitted");
}
both_engines!(
    leaders_list_the_people_of_their_grid_only_,
    leaders_list_the_people_of_their_grid_only
);

async fn bad_register_input_gets_clear_answers(app: TestApp) {
    let c = Community::seed(&app).await;
    let b1 = building(&app, &c.admin, c.grid_a, "1号楼").await;
    let dup = json!({ "grid_id": c.grid_a, "name": "1号楼" });
    app.post("/api/v1/admin/buildings", &c.admin.token, dup)
        .await
        .expect_error(409, "building_name_taken");
    let unknown_grid = json!({ "grid_id": 999_999, "name": "2号楼" });
    app.post("/api/v1/admin/buildings", &c.admin.token, unknown_grid)
        .await
        .expect_error(422, "unknown_grid");
    let households = format!("/api/v1/buildings/{b1}/households");
    app.post(
        &households,
        &c.leader_a.token,
        json!({ "unit": "2单元", "room": "301" }),
    )
    .await
    .expect(201);
    app.post(
        &households,
        &c.leader_a.token,
        json!({ "unit": "2单元", "room": "301" }),
    )
    .await
    .expect_error(409, "room_taken");
    app.post(
        &households,
        &c.leader_a.token,
        json!({ "unit": "3单元", "room": "301" }),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/buildings/999999/households",
        &c.admin.token,
        json!({ "room": "1" }),
    )
    .await
    .expect_error(422, "unknown_building");

    let newcomer = app.login("newcomer").await;
    let requests_before = app.count("residence_requests").await;
    let unknown = json!({ "building_id": 999_999, "room": "301" });
    app.post("/api/v1/me/residence", &newcomer.token, unknown)
        .await
        .expect_error(422, "unknown_building");
    let ambiguous = json!({ "building_id": b1, "room": "301" });
    app.post("/api/v1/me/residence", &newcomer.token, ambiguous)
        .await
        .expect_error(422, "ambiguous_room");
    let empty = json!({ "building_id": b1, "room": "  " });
    app.post("/api/v1/me/residence", &newcomer.token, empty)
        .await
        .expect_error(422, "invalid_field");
    let wrong_type = json!({ "building_id": "1号楼", "room": "301" });
    app.post("/api/v1/me/residence", &newcomer.token, wrong_type)
        .await
        .expect_error(400, "malformed");
    app.get("/api/v1/residence-requests?status=maybe", &c.admin.token)
        .await
        .expect_error(422, "invalid_field");
    app.get("/api/v1/residence-requests", &newcomer.token)
        .await
        .expect_error(403, "not_permitted");
    assert_eq!(
        app.count("residence_requests").await,
        requests_before,
        "nothing half-written"
    );
    let listed = app
        .get(&format!("/api/v1/buildings?grid_id={}", c.grid_a), &newcomer.token)
        .await
        .expect(200);
    assert_eq!(listed[0]["name"], "1号楼");
}
both_engines!(
    bad_register_input_gets_clear_answers_,
    bad_register_input_gets_clear_answers
);

async fn leaders_add_people_one_by_one(app: TestApp) {
    let c = Community::seed(&app).await;
    let b1 = building(&app, &c.leader_a, c.grid_a, "1号楼").await;
    let households = format!("/api/v1/buildings/{b1}/households");
    let room = app
        .post(&households, &c.leader_a.token, json!({ "room": "602" }))
        .await
        .expect(201);
    let people = format!("/api/v1/households/{}/people", room["id"]);
    let person = json!({ "name": "周伯", "phone": "13500000001", "relation": "户主", "tags": ["独居"] });
    app.post(&people, &c.leader_b.token, person.clone())
        .await
        .expect_error(404, "not_found");
    app.post(&people, &c.leader_a.token, json!({ "name": "周伯", "phone": "123" }))
        .await
        .expect_error(422, "invalid_field");
    let id = app.post(&people, &c.leader_a.token, person.clone()).await.expect(201)["id"]
        .as_i64()
        .unwrap();
    app.post(&people, &c.leader_a.token, person)
        .await
        .expect_error(409, "person_exists");
    let changed = json!({ "name": "周伯", "phone": "13500000002", "relation": "户主" });
    app.put(&format!("/api/v1/people/{id}"), &c.leader_b.token, changed.clone())
        .await
        .expect_error(404, "not_found");
    app.put(&format!("/api/v1/people/{id}"), &c.leader_a.token, changed)
        .await
        .expect(200);
    let listed = app
        .get(&format!("/api/v1/grids/{}/people?q=周伯", c.grid_a), &c.leader_a.token)
        .await
        .expect(200);
    assert_eq!(listed["items"][0]["phone"], "13500000002");
    assert_eq!(listed["items"][0]["tags"], json!([]));

    // His verified phone now matches the register: his declaration is verified at once.
    let zhou = app.login("zhou").await;
    let code = app.stub.issue_phone_code("13500000002");
    app.post("/api/v1/me/phone", &zhou.token, json!({ "code": code }))
        .await
        .expect(200);
    let request = declare(&app, &zhou, b1, "602").await;
    assert_eq!(request["method"], "phone");
}
both_engines!(leaders_add_people_one_by_one_, leaders_add_people_one_by_one);
