//! Editing a wish (`PUT /wishes/{id}`) while it is open or under review, and withdrawing it.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

both_engines!(the_resident_edits_an_open_wish, edit_while_open);
async fn edit_while_open(app: TestApp) {
    let c = Community::seed(&app).await;
    let id = app.wish(&c.owner, "帮忙买菜").await["id"].as_i64().unwrap();

    let body = json!({ "title": "帮忙买菜和鸡蛋", "description": "两斤西红柿，一盒鸡蛋", "urgency": "urgent" });
    let edited = app.edit_wish(&c.owner, id, body).await.expect(200);
    assert_eq!(edited["title"], "帮忙买菜和鸡蛋");
    assert_eq!(edited["description"], "两斤西红柿，一盒鸡蛋");
    assert_eq!(edited["status"], "open");
    let last = app.timeline(&c.owner, id).await.pop().unwrap();
    assert_eq!(
        (&last["action"], &last["note"]),
        (&json!("edit"), &json!("title, description, urgency"))
    );
    assert_eq!(last["actor_id"], c.owner.id);
    // Made urgent while open: the leader is alerted now, as for an urgent wish posted.
    let kinds: Vec<String> = app.outbox(id).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["alert", "grid_alert"]);

    // Changing nothing records nothing.
    let same = json!({ "title": "帮忙买菜和鸡蛋" });
    app.edit_wish(&c.owner, id, same).await.expect(200);
    assert_eq!(app.timeline(&c.owner, id).await.len(), 2);

    // Only the resident's side edits; others hear 403, an unknown wish 404.
    let body = json!({ "title": "别人的改动" });
    for who in [&c.other_resident, &c.volunteer, &c.leader_a] {
        app.edit_wish(who, id, body.clone())
            .await
            .expect_error(403, "not_permitted");
    }
    app.edit_wish(&c.owner, id + 999, body.clone())
        .await
        .expect_error(404, "not_found");

    // Bad input: clear 4xx, nothing written.
    let bad = [
        (json!({}), "invalid_field"),
        (json!({ "category": "nope" }), "unknown_category"),
        (json!({ "due_at": "2000-01-01T00:00:00Z" }), "invalid_field"),
        (json!({ "due_at": "next tuesday" }), "invalid_field"),
        (json!({ "urgency": "very" }), "invalid_field"),
        (json!({ "title": "长".repeat(41) }), "invalid_field"),
        (json!({ "title": "   " }), "invalid_field"),
    ];
    for (body, code) in bad {
        app.edit_wish(&c.owner, id, body.clone()).await.expect_error(422, code);
    }
    let risky = json!({ "description": "含有违禁词的描述" });
    app.edit_wish(&c.owner, id, risky)
        .await
        .expect_error(422, "content_rejected");
    app.edit_wish(&c.owner, id, json!({ "volunteer_id": 1 }))
        .await
        .expect_error(400, "malformed");
    assert_eq!(app.timeline(&c.owner, id).await.len(), 2);

    // Once claimed, the wish is the volunteer's errand: no more edits.
    app.act(&c.volunteer, id, "claim", None).await.expect(200);
    let late = json!({ "title": "改主意了" });
    app.edit_wish(&c.owner, id, late)
        .await
        .expect_error(409, "invalid_transition");
    let wish = app
        .get(&format!("/api/v1/wishes/{id}"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(wish["title"], "帮忙买菜和鸡蛋");
}

both_engines!(
    an_edit_goes_back_to_review,
    edit_under_review,
    |s: &mut microwish_core::Settings| s.wishes.review_required = true
);
async fn edit_under_review(app: TestApp) {
    let c = Community::seed(&app).await;
    let id = app.wish(&c.owner, "帮忙修灯").await["id"].as_i64().unwrap();
    app.act(&c.leader_a, id, "approve", None).await.expect(200);

    // The poster edits an approved wish: it goes back to the leader, who is asked again.
    let body = json!({ "description": "楼道的灯坏了，晚上看不见" });
    let edited = app.edit_wish(&c.owner, id, body).await.expect(200);
    assert_eq!(edited["status"], "pending_review");
    let reviews = app.outbox(id).await;
    let asked = reviews
        .iter()
        .filter(|(k, r)| k == "wish_review" && *r == c.leader_a.id);
    assert_eq!(asked.count(), 2, "{reviews:?}");
    // Volunteers no longer find it, and it cannot be claimed until approved again.
    app.act(&c.volunteer, id, "claim", None)
        .await
        .expect_error(404, "not_found");
    app.act(&c.leader_a, id, "approve", None).await.expect(200);

    // Withdraw: the resident's cancel, from review and from open alike.
    app.act(&c.owner, id, "cancel", Some(json!({ "reason": "自己修好了" })))
        .await
        .expect(200);
    let pending = app.wish(&c.owner, "帮忙买米").await["id"].as_i64().unwrap();
    let withdrawn = app.act(&c.owner, pending, "cancel", None).await.expect(200);
    assert_eq!(withdrawn["status"], "cancelled");
    let body = json!({ "title": "又想要了" });
    app.edit_wish(&c.owner, pending, body)
        .await
        .expect_error(409, "invalid_transition");
}
