//! The party organisation over HTTP, on both engines: an admin creates branches covering grids,
//! makes people members (community or in-service), moves and removes them; members are never
//! self-declared (non-admins get 403) and bad input gets a clear 4xx.

mod membership;
mod notices;
mod registration;
mod reminder;
mod service;
mod skills;

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

both_engines!(branches_and_members, branches_and_members_body);

async fn branches_and_members_body(app: TestApp) {
    let c = Community::seed(&app).await;
    let admin = &c.admin.token;
    let first = app
        .post(
            "/api/v1/party/branches",
            admin,
            json!({ "name": " 第一党支部 ", "grid_ids": [c.grid_b, c.grid_a, c.grid_a] }),
        )
        .await
        .expect(201);
    let first_id = first["id"].as_i64().unwrap();
    let mut grids = vec![c.grid_a, c.grid_b];
    grids.sort_unstable();
    assert_eq!(first["name"], "第一党支部");
    assert_eq!(first["grid_ids"], json!(grids));
    assert_eq!(first["members"], 0);
    let second = app
        .post("/api/v1/party/branches", admin, json!({ "name": "第二党支部" }))
        .await
        .expect(201);
    let second_id = second["id"].as_i64().unwrap();

    let first_members = format!("/api/v1/party/branches/{first_id}/members");
    let put = |branch: i64, user: i64| format!("/api/v1/party/branches/{branch}/members/{user}");
    let m = app
        .put(
            &put(first_id, c.volunteer.id),
            admin,
            json!({ "category": "in_service" }),
        )
        .await
        .expect(200);
    assert_eq!(
        (m["user_id"].as_i64(), m["branch_id"].as_i64()),
        (Some(c.volunteer.id), Some(first_id))
    );
    assert_eq!(m["category"], "in_service");
    app.put(&put(first_id, c.owner.id), admin, json!({ "category": "community" }))
        .await
        .expect(200);
    app.put(
        &put(second_id, c.volunteer2.id),
        admin,
        json!({ "category": "community" }),
    )
    .await
    .expect(200);
    let listed = app.get(&first_members, admin).await.expect(200);
    let listed: Vec<(i64, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user_id"].as_i64().unwrap(),
                m["category"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected = vec![
        (c.owner.id, "community".to_string()),
        (c.volunteer.id, "in_service".to_string()),
    ];
    expected.sort();
    assert_eq!(listed, expected);

    // Moving a member to another branch takes them out of the first; removing ends it.
    app.put(&put(second_id, c.owner.id), admin, json!({ "category": "community" }))
        .await
        .expect(200);
    let listed = app.get(&first_members, admin).await.expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    app.call("DELETE", &put(second_id, c.owner.id), Some(admin), None)
        .await
        .expect(204);
    app.call("DELETE", &put(second_id, c.owner.id), Some(admin), None)
        .await
        .expect_error(404, "not_found");
    let branches = app.get("/api/v1/party/branches", admin).await.expect(200);
    let counts: Vec<i64> = branches
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["members"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, vec![1, 1]);

    let renamed = app
        .put(
            &format!("/api/v1/party/branches/{second_id}"),
            admin,
            json!({ "name": "第二支部", "grid_ids": [c.grid_b] }),
        )
        .await
        .expect(200);
    assert_eq!(
        (renamed["name"].as_str(), renamed["grid_ids"].clone()),
        (Some("第二支部"), json!([c.grid_b]))
    );
}

both_engines!(party_refusals, party_refusals_body);

async fn party_refusals_body(app: TestApp) {
    let c = Community::seed(&app).await;
    let admin = &c.admin.token;
    let id = app
        .post("/api/v1/party/branches", admin, json!({ "name": "第一党支部" }))
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let member = format!("/api/v1/party/branches/{id}/members/{}", c.owner.id);
    // Members are never self-declared: a resident or a grid leader may do none of it.
    for token in [&c.owner.token, &c.leader_a.token] {
        app.put(&member, token, json!({ "category": "community" }))
            .await
            .expect_error(403, "forbidden");
        app.get("/api/v1/party/branches", token)
            .await
            .expect_error(403, "forbidden");
        app.post("/api/v1/party/branches", token, json!({ "name": "x" }))
            .await
            .expect_error(403, "forbidden");
    }
    let branches = "/api/v1/party/branches";
    app.post(branches, admin, json!({ "name": "第一党支部" }))
        .await
        .expect_error(409, "branch_name_taken");
    app.post(branches, admin, json!({ "name": "  " }))
        .await
        .expect_error(422, "invalid_field");
    app.post(branches, admin, json!({ "name": "x", "grid_ids": [9999] }))
        .await
        .expect_error(422, "unknown_grid");
    app.put(&member, admin, json!({ "category": "leader" }))
        .await
        .expect_error(422, "invalid_field");
    app.put(
        &format!("/api/v1/party/branches/9999/members/{}", c.owner.id),
        admin,
        json!({ "category": "community" }),
    )
    .await
    .expect_error(404, "not_found");
    app.put(
        &format!("/api/v1/party/branches/{id}/members/9999"),
        admin,
        json!({ "category": "community" }),
    )
    .await
    .expect_error(404, "not_found");
    app.get("/api/v1/party/branches/9999/members", admin)
        .await
        .expect_error(404, "not_found");
    assert_eq!(app.count("party_members").await, 0);
}

async fn invited(app: &TestApp, event_id: i64) -> Vec<i64> {
    let rows = sqlx::query("SELECT user_id FROM event_invitations WHERE event_id = $1 ORDER BY user_id")
        .bind(event_id)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    rows.iter().map(|r| sqlx::Row::get(r, 0)).collect()
}

both_engines!(a_branch_invitation_reaches_exactly_its_members, branch_invitation_body);

async fn branch_invitation_body(app: TestApp) {
    let c = Community::seed(&app).await;
    let admin = &c.admin.token;
    let branch = |name: &str| app.post("/api/v1/party/branches", admin, json!({ "name": name }));
    let first = branch("第一党支部").await.expect(201)["id"].as_i64().unwrap();
    let second = branch("第二党支部").await.expect(201)["id"].as_i64().unwrap();
    for (b, user, category) in [
        (first, &c.owner, "community"),
        (first, &c.volunteer, "in_service"),
        (second, &c.volunteer2, "in_service"),
    ] {
        let path = format!("/api/v1/party/branches/{b}/members/{}", user.id);
        app.put(&path, admin, json!({ "category": category })).await.expect(200);
    }
    let sorted = |mut v: Vec<i64>| {
        v.sort_unstable();
        v
    };

    let to_branch = crate::events::event(&app, &c.admin, 72, json!({})).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/events/{to_branch}/invitations");
    let answer = app
        .post(&path, admin, json!({ "branch_ids": [first] }))
        .await
        .expect(200);
    assert_eq!(answer["invited"], 2);
    assert_eq!(invited(&app, to_branch).await, sorted(vec![c.owner.id, c.volunteer.id]));

    let to_category = crate::events::event(&app, &c.admin, 96, json!({})).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/events/{to_category}/invitations");
    app.post(&path, admin, json!({ "party_categories": ["in_service"] }))
        .await
        .expect(200);
    assert_eq!(
        invited(&app, to_category).await,
        sorted(vec![c.volunteer.id, c.volunteer2.id])
    );

    app.post(&path, admin, json!({ "branch_ids": [9999] }))
        .await
        .expect_error(422, "unknown_branch");
    app.post(&path, admin, json!({ "party_categories": ["retired"] }))
        .await
        .expect_error(422, "invalid_field");
    app.post(&path, admin, json!({ "branch_ids": [] }))
        .await
        .expect_error(422, "empty_audience");
}
