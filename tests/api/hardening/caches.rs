//! The per-process caches (a token's caller, hot list pages) never outlive what they cache by
//! more than they promise: changes made through this server are seen at once, changes made
//! through another within `server.cache_ttl`, and the privacy rule holds on every cached page.

use serde_json::{Value, json};

use super::second_server;
use crate::both_engines;
use crate::helpers::{Community, OWNER_PHONE, TestApp, TestUser};

const OPEN: &str = "/api/v1/wishes?status=open";

fn ttl_ms(app: &TestApp) -> i64 {
    app.state().settings.server.cache_ttl.as_millis_i64()
}

async fn claim_at(app: &TestApp, base: &str, user: &TestUser, id: i64) -> crate::helpers::Answer {
    let req = app
        .client
        .post(format!("{base}/api/v1/wishes/{id}/claim"))
        .bearer_auth(&user.token);
    app.send(req).await
}

async fn open_at(app: &TestApp, base: &str, user: &TestUser) -> Value {
    let req = app.client.get(format!("{base}{OPEN}")).bearer_auth(&user.token);
    app.send(req).await.expect(200)
}

both_engines!(role_changes_and_sign_outs_are_seen_at_once, seen_at_once);
async fn seen_at_once(app: TestApp) {
    let c = Community::seed(&app).await;
    let first = app.wish(&c.owner, "修灯").await["id"].as_i64().unwrap();
    let second = app.wish(&c.owner, "买药").await["id"].as_i64().unwrap();
    // A resident, known to this server's cache, is refused; granted the role, they claim at once.
    app.get(OPEN, &c.other_resident.token).await.expect(200);
    app.act(&c.other_resident, first, "claim", None)
        .await
        .expect_error(403, "not_permitted");
    app.set_roles(&c.admin, &c.other_resident, &["volunteer"]).await;
    app.act(&c.other_resident, first, "claim", None).await.expect(200);
    // A role taken away ends the sessions, cached or not.
    app.set_roles(&c.admin, &c.other_resident, &[]).await;
    app.get(OPEN, &c.other_resident.token)
        .await
        .expect_error(401, "unauthenticated");
    // Signing out ends this token at once.
    app.get(OPEN, &c.volunteer.token).await.expect(200);
    app.call("POST", "/api/v1/auth/logout", Some(&c.volunteer.token), None)
        .await
        .expect(204);
    app.act(&c.volunteer, second, "claim", None)
        .await
        .expect_error(401, "unauthenticated");
}

both_engines!(another_servers_changes_are_seen_within_the_ttl, seen_within_ttl);
async fn seen_within_ttl(app: TestApp) {
    let c = Community::seed(&app).await;
    let (_other, other) = second_server(&app).await;
    let id = app.wish(&c.owner, "陪同看病").await["id"].as_i64().unwrap();
    let cancelled = app.wish(&c.owner, "取快递").await["id"].as_i64().unwrap();
    // The other server caches the resident's caller and the open page.
    claim_at(&app, &other, &c.other_resident, id)
        .await
        .expect_error(403, "not_permitted");
    assert_eq!(
        open_at(&app, &other, &c.volunteer).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Changed through this server: the other still answers from its caches...
    app.set_roles(&c.admin, &c.other_resident, &["volunteer"]).await;
    app.act(&c.owner, cancelled, "cancel", Some(json!({ "reason": "不需要了" })))
        .await
        .expect(200);
    assert_eq!(
        open_at(&app, &other, &c.volunteer).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // (A refused claim begins a write there, which drops its pages; so the page came first.)
    claim_at(&app, &other, &c.other_resident, id)
        .await
        .expect_error(403, "not_permitted");
    // ...for no longer than the TTL.
    app.clock.advance_ms(ttl_ms(&app));
    let page = open_at(&app, &other, &c.volunteer).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
    claim_at(&app, &other, &c.other_resident, id).await.expect(200);
}

both_engines!(a_cached_page_never_shows_contacts_to_the_wrong_caller, cached_privacy);
async fn cached_privacy(app: TestApp) {
    let c = Community::seed(&app).await;
    let mut ids = Vec::new();
    for title in ["修灯", "买药"] {
        ids.push(app.wish(&c.owner, title).await["id"].as_i64().unwrap());
    }
    let masked = app.get(OPEN, &c.volunteer.token).await.expect(200);
    assert!(!masked.to_string().contains(OWNER_PHONE), "{masked}");
    // The leader of the grid reads the page the volunteer's request kept: in full, and each
    // wish's reveal audited (one statement writes the page's rows).
    let full = app.get(OPEN, &c.leader_a.token).await.expect(200);
    assert_eq!(full["items"][0]["resident"]["phone"], OWNER_PHONE);
    assert_eq!(full["items"][1]["resident"]["phone"], OWNER_PHONE);
    let mut audited: Vec<(i64, i64)> =
        sqlx::query_as("SELECT wish_id, resident_id FROM contact_views WHERE viewer_id = $1")
            .bind(c.leader_a.id)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    audited.sort();
    assert_eq!(audited, ids.iter().map(|id| (*id, c.owner.id)).collect::<Vec<_>>());
    // The leader of another grid and the volunteer again: masked.
    for user in [&c.leader_b, &c.volunteer] {
        let page = app.get(OPEN, &user.token).await.expect(200);
        assert!(!page.to_string().contains(OWNER_PHONE), "{page}");
        assert_eq!(page["items"][0]["resident"]["contact_visible"], false);
    }
    // A changed phone shows in the next page at once (masked as ever).
    app.put("/api/v1/me", &c.owner.token, json!({ "phone": "13999998888" }))
        .await
        .expect(200);
    let page = app.get(OPEN, &c.volunteer.token).await.expect(200);
    assert_eq!(page["items"][0]["resident"]["phone"], "139****8888", "{page}");
}
