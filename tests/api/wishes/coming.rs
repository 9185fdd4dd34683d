//! Who is coming: after the claim the resident's side — the resident, whoever posted for them,
//! linked family — sees the holder's name and phone, in the wish, in lists and on the timeline;
//! nobody else does, not before the claim, not after a release (the next holder instead).

use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

/// Rows of `volunteer_contact_views` for this viewer and wish.
async fn audited(app: &TestApp, viewer: &TestUser, wish_id: i64) -> i64 {
    app.audit_rows("volunteer_contact_views", viewer, wish_id).await
}

/// The wish with `id` in a list answer.
fn in_list(page: &Value, id: i64) -> Value {
    let items = page["items"].as_array().expect("items");
    items
        .iter()
        .find(|w| w["id"] == id)
        .cloned()
        .expect("the wish is listed")
}

/// The names on the timeline's claim and assign steps.
fn named_steps(timeline: &[Value]) -> Vec<Value> {
    timeline.iter().map(|e| e["volunteer_name"].clone()).collect()
}

both_engines!(the_resident_sees_who_is_coming, who_is_coming);
async fn who_is_coming(app: TestApp) {
    let c = Community::seed(&app).await;
    let daughter = app.login("daughter").await;
    app.link_family(&c.owner, &daughter).await;
    let id = app.wish(&c.owner, "帮忙买降压药").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/wishes/{id}");

    // Before the claim: nobody to show.
    let open = app.get(&path, &c.owner.token).await.expect(200);
    assert!(open.get("volunteer").is_none(), "{open}");

    // The claim's own answer goes to the volunteer: it does not show them themselves.
    let claimed = app.act(&c.volunteer, id, "claim", None).await.expect(200);
    assert!(claimed.get("volunteer").is_none(), "{claimed}");
    let coming = json!({ "id": c.volunteer.id, "display_name": "小王", "phone": "13700002222" });
    for who in [&c.owner, &daughter] {
        let seen = app.get(&path, &who.token).await.expect(200);
        assert_eq!(seen["volunteer"], coming, "{}", who.openid);
    }
    let mine = app.get("/api/v1/wishes?mine=true", &c.owner.token).await.expect(200);
    assert_eq!(in_list(&mine, id)["volunteer"], coming);
    // Never to anyone else — on the wish, in a kept public page, on the timeline.
    let others = [&c.other_resident, &c.volunteer2, &c.leader_a, &c.leader_b, &c.admin];
    for who in others {
        let seen = app.get(&path, &who.token).await.expect(200);
        assert!(seen.get("volunteer").is_none(), "{}: {seen}", who.openid);
        let page = app.get("/api/v1/wishes?status=claimed", &who.token).await.expect(200);
        assert!(in_list(&page, id).get("volunteer").is_none(), "{}", who.openid);
        assert!(!page.to_string().contains("13700002222"), "{}", who.openid);
        let steps = named_steps(&app.timeline(who, id).await);
        assert!(steps.iter().all(Value::is_null), "{}: {steps:?}", who.openid);
    }
    // The same kept page, asked by the resident's daughter, shows who is coming.
    let page = app
        .get("/api/v1/wishes?status=claimed", &daughter.token)
        .await
        .expect(200);
    assert_eq!(in_list(&page, id)["volunteer"], coming);
    let steps = named_steps(&app.timeline(&c.owner, id).await);
    assert_eq!(steps, [Value::Null, json!("小王")]);

    // Each reveal is audited; the volunteer's own reads and everyone else's are not reveals.
    assert_eq!(audited(&app, &c.owner, id).await, 2);
    assert_eq!(audited(&app, &daughter, id).await, 2);
    assert_eq!(app.count("volunteer_contact_views").await, 4);

    // After a release: nobody is coming, and the old claim no longer names anyone.
    let body = json!({ "reason": "临时出差" });
    app.act(&c.volunteer, id, "release", Some(body)).await.expect(200);
    let released = app.get(&path, &c.owner.token).await.expect(200);
    assert!(released.get("volunteer").is_none(), "{released}");
    let steps = named_steps(&app.timeline(&c.owner, id).await);
    assert!(steps.iter().all(Value::is_null), "{steps:?}");

    // The next holder instead — also when a leader assigns, and through fulfilment.
    let assign = json!({ "volunteer_id": c.volunteer2.id });
    app.act(&c.leader_a, id, "assign", Some(assign)).await.expect(200);
    let next = json!({ "id": c.volunteer2.id, "display_name": "小李", "phone": "13700003333" });
    assert_eq!(app.get(&path, &c.owner.token).await.expect(200)["volunteer"], next);
    let note = json!({ "note": "药已送到" });
    app.act(&c.volunteer2, id, "fulfil", Some(note)).await.expect(200);
    assert_eq!(app.get(&path, &daughter.token).await.expect(200)["volunteer"], next);
    let steps = named_steps(&app.timeline(&c.owner, id).await);
    assert_eq!(steps.iter().filter(|s| !s.is_null()).count(), 1, "{steps:?}");
    assert_eq!(
        steps[steps.len() - 2],
        json!("小李"),
        "the assign step names them: {steps:?}"
    );
}
