//! The whole life of a wish over HTTP — posted, claimed, released, claimed again, fulfilled,
//! confirmed — with its timeline and the outbox rows each step records.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

both_engines!(a_wish_lives_from_post_to_rating, wish_lifecycle);
async fn wish_lifecycle(app: TestApp) {
    let c = Community::seed(&app).await;

    let wish = app.wish(&c.owner, "帮忙买降压药").await;
    let id = wish["id"].as_i64().unwrap();
    assert_eq!(wish["status"], "open");
    assert_eq!(wish["grid_id"], c.grid_a);
    assert_eq!(wish["resident"]["id"], c.owner.id);

    let claimed = app.act(&c.volunteer, id, "claim", None).await.expect(200);
    assert_eq!(claimed["status"], "claimed");
    assert_eq!(claimed["volunteer_id"], c.volunteer.id);
    assert_eq!(claimed["resident"]["contact_visible"], true);

    let released = app
        .act(&c.volunteer, id, "release", Some(json!({ "reason": "临时出差" })))
        .await
        .expect(200);
    assert_eq!(released["status"], "open");
    assert!(released["volunteer_id"].is_null());
    assert_eq!(released["status_reason"], "临时出差");

    app.act(&c.volunteer2, id, "claim", None).await.expect(200);
    let fulfilled = app
        .act(&c.volunteer2, id, "fulfil", Some(json!({ "note": "药已送到" })))
        .await
        .expect(200);
    assert_eq!(fulfilled["status"], "fulfilled");
    assert_eq!(fulfilled["fulfil_note"], "药已送到");

    let closed = app
        .act(
            &c.owner,
            id,
            "confirm",
            Some(json!({ "rating": 5, "comment": "谢谢！" })),
        )
        .await
        .expect(200);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["rating"], 5);
    assert_eq!(closed["rating_comment"], "谢谢！");
    assert!(closed["closed_at"].is_string());

    let timeline = app
        .get(&format!("/api/v1/wishes/{id}/timeline"), &c.owner.token)
        .await
        .expect(200);
    let steps: Vec<(&str, &str)> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["to_status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("create", "open"),
            ("claim", "claimed"),
            ("release", "open"),
            ("claim", "claimed"),
            ("fulfil", "fulfilled"),
            ("confirm", "closed")
        ]
    );
    assert_eq!(timeline[2]["actor_id"], c.volunteer.id);
    assert_eq!(timeline[2]["note"], "临时出差");

    let (o, v1, v2) = (c.owner.id, c.volunteer.id, c.volunteer2.id);
    assert_eq!(
        app.outbox(id).await,
        [
            ("wish_claimed".to_string(), o),
            ("wish_released".to_string(), o),
            ("wish_claimed".to_string(), o),
            ("wish_fulfilled".to_string(), o),
            ("wish_confirmed".to_string(), v2),
        ]
    );
    let _ = v1;

    // Closed is final.
    app.act(&c.owner, id, "cancel", None)
        .await
        .expect_error(409, "invalid_transition");
}

both_engines!(review_assign_cancel_and_reject, review_and_staff_paths);
async fn review_and_staff_paths(app: TestApp) {
    let c = Community::seed(&app).await;

    // Urgent wishes alert the grid leader at once, in the same transaction as the post.
    let body =
        json!({ "title": "老人摔倒了需要帮助", "description": "请尽快", "category": "other", "urgency": "urgent" });
    let urgent = app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
    let urgent_id = urgent["id"].as_i64().unwrap();
    assert_eq!(
        app.outbox(urgent_id).await,
        [
            ("alert".to_string(), c.leader_a.id),
            ("grid_alert".to_string(), c.leader_a.id)
        ]
    );

    // The leader assigns it to a volunteer; both the resident and the volunteer hear of it.
    let assigned = app
        .act(
            &c.leader_a,
            urgent_id,
            "assign",
            Some(json!({ "volunteer_id": c.volunteer.id })),
        )
        .await
        .expect(200);
    assert_eq!(assigned["status"], "claimed");
    assert_eq!(assigned["volunteer_id"], c.volunteer.id);
    // The resident cancels; the volunteer holding it is told.
    app.act(&c.owner, urgent_id, "cancel", Some(json!({ "reason": "家人已处理" })))
        .await
        .expect(200);
    let kinds = app.outbox(urgent_id).await;
    assert!(
        kinds.contains(&("wish_assigned".to_string(), c.volunteer.id)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("wish_cancelled".to_string(), c.volunteer.id)),
        "{kinds:?}"
    );

    // Text the content check flags for review waits for the leader.
    let body = json!({ "title": "需要帮忙", "description": "这里有待审词", "category": "errand" });
    let held = app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
    let held_id = held["id"].as_i64().unwrap();
    assert_eq!(held["status"], "pending_review");
    assert_eq!(app.outbox(held_id).await, [("wish_review".to_string(), c.leader_a.id)]);
    // Volunteers cannot see it yet; the leader of another grid cannot approve it.
    app.get(&format!("/api/v1/wishes/{held_id}"), &c.volunteer.token)
        .await
        .expect_error(404, "not_found");
    app.act(&c.leader_b, held_id, "approve", None)
        .await
        .expect_error(404, "not_found");
    let rejected = app
        .act(
            &c.leader_a,
            held_id,
            "reject",
            Some(json!({ "reason": "请写清楚需要什么" })),
        )
        .await
        .expect(200);
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(
        app.outbox(held_id).await.last().unwrap(),
        &("wish_rejected".to_string(), c.owner.id)
    );

    // Risky text is refused outright and nothing is stored.
    let before = app.count("wishes").await;
    let body = json!({ "title": "RISKY-WORD", "description": "", "category": "errand" });
    app.post("/api/v1/wishes", &c.owner.token, body)
        .await
        .expect_error(422, "content_rejected");
    assert_eq!(app.count("wishes").await, before);

    // Staff post on behalf of an elderly resident, with a consent note.
    let body =
        json!({ "title": "代王奶奶发：修水龙头", "description": "", "category": "repair", "on_behalf_of": c.owner.id });
    app.post("/api/v1/wishes", &c.leader_a.token, body.clone())
        .await
        .expect_error(422, "consent_required");
    let mut with_consent = body;
    with_consent["consent_note"] = json!("电话征得本人同意");
    let posted = app
        .post("/api/v1/wishes", &c.leader_a.token, with_consent.clone())
        .await
        .expect(201);
    assert_eq!(posted["resident"]["id"], c.owner.id);
    assert_eq!(posted["created_by"], c.leader_a.id);
    app.post("/api/v1/wishes", &c.other_resident.token, with_consent)
        .await
        .expect_error(403, "not_permitted");
}

both_engines!(leaders_review_when_configured, configured_review, |s| s
    .wishes
    .review_required =
    true);
async fn configured_review(app: TestApp) {
    let c = Community::seed(&app).await;
    let wish = app.wish(&c.owner, "帮忙贴春联").await;
    let id = wish["id"].as_i64().unwrap();
    assert_eq!(wish["status"], "pending_review");
    app.act(&c.volunteer, id, "claim", None)
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        app.act(&c.leader_a, id, "approve", None).await.expect(200)["status"],
        "open"
    );
    assert_eq!(
        app.outbox(id).await.last().unwrap(),
        &("wish_approved".to_string(), c.owner.id)
    );
    app.act(&c.volunteer, id, "claim", None).await.expect(200);
}

both_engines!(a_volunteer_holds_a_limited_number_of_claims, claim_limit);
async fn claim_limit(app: TestApp) {
    let c = Community::seed(&app).await;
    for i in 0..3 {
        let id = app.wish(&c.owner, &format!("心愿{i}")).await["id"].as_i64().unwrap();
        app.act(&c.volunteer, id, "claim", None).await.expect(200);
    }
    let fourth = app.wish(&c.owner, "第四个心愿").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, fourth, "claim", None)
        .await
        .expect_error(409, "claim_limit");
    // Nothing was half-written: the wish is still open and has no claim on its timeline.
    let wish = app
        .get(&format!("/api/v1/wishes/{fourth}"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(wish["status"], "open");
    let timeline = app
        .get(&format!("/api/v1/wishes/{fourth}/timeline"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(timeline.as_array().unwrap().len(), 1);
}

both_engines!(lists_filter_and_page_with_a_cursor, listing);
async fn listing(app: TestApp) {
    let c = Community::seed(&app).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(app.wish(&c.owner, &format!("心愿 {i}")).await["id"].as_i64().unwrap());
    }
    app.act(&c.volunteer, ids[0], "claim", None).await.expect(200);

    let mut seen = Vec::new();
    let mut path = "/api/v1/wishes?status=open&limit=4".to_string();
    loop {
        let page = app.get(&path, &c.volunteer2.token).await.expect(200);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/wishes?status=open&limit=4&cursor={cursor}"),
            None => break,
        }
    }
    let mut expected: Vec<i64> = ids[1..].to_vec();
    expected.reverse();
    assert_eq!(seen, expected, "newest first, each once");

    let claimed = app
        .get("/api/v1/wishes?status=claimed", &c.volunteer2.token)
        .await
        .expect(200);
    assert_eq!(claimed["items"].as_array().unwrap().len(), 1);
    let mine = app
        .get("/api/v1/wishes?mine=true", &c.volunteer.token)
        .await
        .expect(200);
    assert_eq!(mine["items"][0]["id"], ids[0]);
    let other_grid = app
        .get(&format!("/api/v1/wishes?grid_id={}", c.grid_b), &c.volunteer.token)
        .await
        .expect(200);
    assert!(other_grid["items"].as_array().unwrap().is_empty());
    let by_category = app
        .get("/api/v1/wishes?category=medicine", &c.volunteer.token)
        .await
        .expect(200);
    assert!(by_category["items"].as_array().unwrap().is_empty());
}
