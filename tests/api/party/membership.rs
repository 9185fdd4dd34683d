//! The contract paths of the party organisation, on both engines: `POST /admin/branches` creates
//! a branch like `POST /party/branches`; `PUT /admin/users/{id}/party` sets one person's branch
//! and category (kept when absent), `{"branch_id": null}` and `DELETE` end it. Only admins may:
//! anyone else hears 403 for a person who exists and one who does not.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

both_engines!(membership_by_person, membership_body);

async fn membership_body(app: TestApp) {
    let c = Community::seed(&app).await;
    let admin = &c.admin.token;
    let first = app
        .post(
            "/api/v1/admin/branches",
            admin,
            json!({ "name": "第一党支部", "grid_ids": [c.grid_a] }),
        )
        .await
        .expect(201);
    assert_eq!(
        (first["name"].as_str(), first["grid_ids"].clone()),
        (Some("第一党支部"), json!([c.grid_a]))
    );
    let first = first["id"].as_i64().unwrap();
    let second = app.branch(&c.admin, "第二党支部", &[c.grid_b]).await;
    app.post("/api/v1/admin/branches", admin, json!({ "name": "第二党支部" }))
        .await
        .expect_error(409, "branch_name_taken");

    let path = format!("/api/v1/admin/users/{}/party", c.volunteer.id);
    let m = app.put(&path, admin, json!({ "branch_id": first })).await.expect(200);
    assert_eq!(
        (m["branch_id"].as_i64(), m["category"].as_str()),
        (Some(first), Some("community"))
    );
    let m = app
        .put(&path, admin, json!({ "branch_id": first, "category": "in_service" }))
        .await
        .expect(200);
    assert_eq!(m["category"], "in_service");
    // Moving keeps the category when none is given.
    let m = app.put(&path, admin, json!({ "branch_id": second })).await.expect(200);
    assert_eq!(
        (m["branch_id"].as_i64(), m["category"].as_str()),
        (Some(second), Some("in_service"))
    );
    assert_eq!(app.branch_members(&c.admin, first).await, Vec::<i64>::new());
    assert_eq!(app.branch_members(&c.admin, second).await, vec![c.volunteer.id]);

    // Bad input changes nothing.
    app.put(&path, admin, json!({}))
        .await
        .expect_error(422, "invalid_field");
    app.put(&path, admin, json!({ "branch_id": 9999 }))
        .await
        .expect_error(422, "unknown_branch");
    app.put(&path, admin, json!({ "branch_id": first, "category": "retired" }))
        .await
        .expect_error(422, "invalid_field");
    app.put("/api/v1/admin/users/9999/party", admin, json!({ "branch_id": first }))
        .await
        .expect_error(404, "not_found");
    assert_eq!(app.branch_members(&c.admin, second).await, vec![c.volunteer.id]);

    // Never self-declared: a resident, a volunteer or a leader may not, for anyone.
    for token in [&c.owner.token, &c.volunteer.token, &c.leader_a.token] {
        for user in [c.volunteer.id, 9999] {
            let other = format!("/api/v1/admin/users/{user}/party");
            app.put(&other, token, json!({ "branch_id": first }))
                .await
                .expect_error(403, "forbidden");
            app.call("DELETE", &other, Some(token), None)
                .await
                .expect_error(403, "forbidden");
        }
        app.post("/api/v1/admin/branches", token, json!({ "name": "x" }))
            .await
            .expect_error(403, "forbidden");
    }

    app.put(&path, admin, json!({ "branch_id": null })).await.expect(204);
    assert_eq!(app.branch_members(&c.admin, second).await, Vec::<i64>::new());
    let other = format!("/api/v1/admin/users/{}/party", c.owner.id);
    app.put(&other, admin, json!({ "branch_id": first })).await.expect(200);
    app.call("DELETE", &other, Some(admin), None).await.expect(204);
    app.call("DELETE", &other, Some(admin), None).await.expect(204);
    assert_eq!(app.count("party_members").await, 0);
}
