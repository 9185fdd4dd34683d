//! Who is coming: after the claim the resident's side — the resident, whoever posted for them,
//! linked family — sees the holder's name and phone, in the wish, in lists and on the timeline;
//! nobody else does, not before the claim, not after a release (the next holder instead). Of a
//! wish for several volunteers, every current holder.

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

both_engines!(the_resident_sees_every_holder_of_several_slots, every_holder);
async fn every_holder(app: TestApp) {
    let c = Community::seed(&app).await;
    let daughter = app.login("daughter").await;
    app.link_family(&c.owner, &daughter).await;
    let third = app.login("volunteer-3").await;
    app.set_roles(&c.admin, &third, &["volunteer"]).await;
    app.profile(&third, "小张", "13700009999", c.grid_a).await;
    let id = app.wish_of(&c.owner, "搬家需要三个人", "errand", Some(3)).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/wishes/{id}");
    let xiaowang = json!({ "id": c.volunteer.id, "display_name": "小王", "phone": "13700002222" });
    let xiaoli = json!({ "id": c.volunteer2.id, "display_name": "小李", "phone": "13700003333" });

    // One slot of three taken: the wish is still open, and its one holder is already coming.
    app.act(&c.volunteer, id, "claim", None).await.expect(200);
    let seen = app.get(&path, &c.owner.token).await.expect(200);
    assert_eq!(seen["volunteers"], json!([xiaowang]), "{seen}");
    assert!(seen.get("volunteer").is_none(), "a one-slot field only: {seen}");

    // Two holders (one assigned by the leader): both, in the order they came, on the wish, in the
    // resident's lists and in the kept public page as the daughter reads it.
    let assign = json!({ "volunteer_id": c.volunteer2.id });
    app.act(&c.leader_a, id, "assign", Some(assign)).await.expect(200);
    let both = json!([xiaowang, xiaoli]);
    for who in [&c.owner, &daughter] {
        assert_eq!(app.get(&path, &who.token).await.expect(200)["volunteers"], both);
    }
    let mine = app.get("/api/v1/wishes?mine=true", &c.owner.token).await.expect(200);
    assert_eq!(in_list(&mine, id)["volunteers"], both);
    let page = app.get("/api/v1/wishes?status=open", &daughter.token).await.expect(200);
    assert_eq!(in_list(&page, id)["volunteers"], both);
    // The holders' own claims name them on the timeline; the assignment is the leader's step.
    let steps = named_steps(&app.timeline(&c.owner, id).await);
    assert_eq!(steps, [Value::Null, json!("小王"), Value::Null], "{steps:?}");

    // Nobody else: the other holders, a volunteer not holding it, leaders, admins.
    for who in [
        &c.volunteer,
        &c.volunteer2,
        &third,
        &c.other_resident,
        &c.leader_a,
        &c.admin,
    ] {
        let seen = app.get(&path, &who.token).await.expect(200);
        assert!(seen.get("volunteers").is_none(), "{}: {seen}", who.openid);
        let page = app.get("/api/v1/wishes?status=open", &who.token).await.expect(200);
        assert!(in_list(&page, id).get("volunteers").is_none(), "{}", who.openid);
    }

    // A release takes that holder off the list; fulfilment keeps those who served it.
    let body = json!({ "reason": "扭了脚" });
    app.act(&c.volunteer, id, "release", Some(body)).await.expect(200);
    app.act(&third, id, "claim", None).await.expect(200);
    let note = json!({ "note": "搬完了" });
    app.act(&c.volunteer2, id, "fulfil", Some(note)).await.expect(200);
    let xiaozhang = json!({ "id": third.id, "display_name": "小张", "phone": "13700009999" });
    let after = app.get(&path, &c.owner.token).await.expect(200);
    assert_eq!(after["volunteers"], json!([xiaoli, xiaozhang]), "{after}");

    // Every holder shown is a reveal of that holder, audited one row each.
    use sqlx::Row;
    let audited_of = |volunteer: i64| {
        sqlx::query("SELECT COUNT(*) FROM volunteer_contact_views WHERE wish_id = $1 AND volunteer_id = $2")
            .bind(id)
            .bind(volunteer)
            .fetch_one(app.db.pool())
    };
    let count = |r: Result<sqlx::any::AnyRow, sqlx::Error>| r.unwrap().get::<i64, _>(0);
    assert_eq!(
        count(audited_of(c.volunteer.id).await),
        5,
        "owner ×3 (one holder, then two), daughter ×2"
    );
    assert_eq!(count(audited_of(third.id).await), 1);
}
