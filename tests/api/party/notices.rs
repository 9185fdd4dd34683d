//! Notices (通知公告), on both engines: an admin's notice to a branch reaches exactly its members
//! (and to a category, exactly that category), a leader's reaches only their own grid, each
//! recipient once with a `notice` notification; recipients read theirs, others hear 404; bad
//! input and residents are refused with nothing written.

use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{Community, TestApp};

fn notice(audience: Value) -> Value {
    json!({ "title": "七一主题党日", "body": "7月1日上午9点在社区活动室集合，请准时参加。", "audience": audience })
}

async fn told(app: &TestApp, id: i64) -> Vec<i64> {
    let mut conn = app.db.pool().acquire().await.unwrap();
    let mut to: Vec<i64> = microwish_core::outbox::for_subject(&mut conn, "notice", id)
        .await
        .unwrap()
        .into_iter()
        .inspect(|n| assert_eq!(n.kind.as_str(), "notice"))
        .map(|n| n.recipient_id)
        .collect();
    to.sort_unstable();
    to
}

both_engines!(a_notice_reaches_exactly_its_audience, notices_body);

async fn notices_body(app: TestApp) {
    let c = Community::seed(&app).await;
    let first = app.branch(&c.admin, "第一党支部", &[c.grid_a]).await;
    let second = app.branch(&c.admin, "第二党支部", &[c.grid_b]).await;
    app.set_party(&c.admin, &c.owner, first, "community").await.expect(200);
    app.set_party(&c.admin, &c.volunteer, first, "in_service")
        .await
        .expect(200);
    app.set_party(&c.admin, &c.volunteer2, second, "in_service")
        .await
        .expect(200);
    let sorted = |mut v: Vec<i64>| {
        v.sort_unstable();
        v
    };

    let to_branch = app
        .post(
            "/api/v1/notices",
            &c.admin.token,
            notice(json!({ "branch_ids": [first, first] })),
        )
        .await
        .expect(201);
    let id = to_branch["id"].as_i64().unwrap();
    assert_eq!(to_branch["reached"], 2);
    assert_eq!(told(&app, id).await, sorted(vec![c.owner.id, c.volunteer.id]));
    let to_category = app
        .post(
            "/api/v1/notices",
            &c.admin.token,
            notice(json!({ "party_categories": ["in_service"] })),
        )
        .await
        .expect(201);
    let category_id = to_category["id"].as_i64().unwrap();
    assert_eq!(
        told(&app, category_id).await,
        sorted(vec![c.volunteer.id, c.volunteer2.id])
    );

    // Recipients read theirs: the list, then the notice with its first read recorded.
    let mine = app.get("/api/v1/notices", &c.volunteer.token).await.expect(200);
    let ids: Vec<i64> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![category_id, id]);
    assert!(mine["items"][1].get("read_at").is_none());
    let read = app
        .get(&format!("/api/v1/notices/{id}"), &c.volunteer.token)
        .await
        .expect(200);
    assert_eq!(read["body"], "7月1日上午9点在社区活动室集合，请准时参加。");
    let again = app.get("/api/v1/notices", &c.volunteer.token).await.expect(200);
    assert!(again["items"][1]["read_at"].is_string(), "{again}");
    app.get(&format!("/api/v1/notices/{id}"), &c.volunteer2.token)
        .await
        .expect_error(404, "not_found");
    let sent = app.get("/api/v1/notices?sent=true", &c.admin.token).await.expect(200);
    assert_eq!(sent["items"].as_array().unwrap().len(), 2);

    // A leader reaches their own grid's people only; residents publish nothing.
    let own = app
        .post(
            "/api/v1/notices",
            &c.leader_a.token,
            notice(json!({ "grid_ids": [c.grid_a] })),
        )
        .await
        .expect(201);
    assert_eq!(own["reached"], 5, "the four residents and the leader of grid A");
    let before = app.count("notices").await;
    for (token, audience, status, code) in [
        (
            &c.leader_a.token,
            json!({ "grid_ids": [c.grid_b] }),
            403,
            "not_permitted",
        ),
        (
            &c.leader_a.token,
            json!({ "user_ids": [c.leader_b.id] }),
            403,
            "not_permitted",
        ),
        (&c.owner.token, json!({ "grid_ids": [c.grid_a] }), 403, "not_permitted"),
        (&c.admin.token, json!({}), 422, "empty_audience"),
        (&c.admin.token, json!({ "branch_ids": [9999] }), 422, "unknown_branch"),
        (
            &c.admin.token,
            json!({ "party_categories": ["retired"] }),
            422,
            "invalid_field",
        ),
    ] {
        app.post("/api/v1/notices", token, notice(audience.clone()))
            .await
            .expect_error(status, code);
    }
    let mut untitled = notice(json!({ "grid_ids": [c.grid_a] }));
    untitled["title"] = json!(" ");
    app.post("/api/v1/notices", &c.admin.token, untitled)
        .await
        .expect_error(422, "invalid_field");
    assert_eq!(app.count("notices").await, before, "nothing half-written");
    let kinds = app.audit_kinds(&c.admin, "kind=notice").await;
    assert_eq!(kinds, vec!["notice.publish"; 3]);
}
