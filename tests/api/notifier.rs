//! The notifier end to end: real SMTP to a capture server, the WeChat/WeCom wire protocol via the
//! stub, both engines, a hand-moved clock instead of sleeping.

use std::sync::Arc;

use serde_json::json;

use microwish_core::Settings;
use microwish_notifier::{Worker, delivery::Policy};
use microwish_testkit::smtp::SmtpCapture;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

mod queue;

pub const TEMPLATE: &str = "TPL-CLAIMED";

/// Server settings for notifier tests: a claim template, no quiet hours unless a test sets them.
pub fn configure(s: &mut Settings) {
    s.wechat
        .templates
        .set(microwish_core::NotificationKind::WishClaimed, TEMPLATE);
    s.notifier.quiet_hours = String::new();
    s.notifier.retry_base = microwish_core::config::ConfigDuration(std::time::Duration::from_secs(10));
}

/// A worker over the app's database and clock, sending email to `capture`.
pub fn worker(app: &TestApp, capture: &SmtpCapture, tweak: impl FnOnce(&mut Settings)) -> Arc<Worker> {
    app.stub
        .register_template(TEMPLATE, &microwish_notifier::channel::wechat::TEMPLATE_KEYS);
    let mut settings = (*app.state().settings).clone();
    settings.email.smtp_url = capture.url();
    settings.email.from = "社区 <noreply@microwish.test>".into();
    tweak(&mut settings);
    let policy = Policy {
        max_attempts: settings.notifier.max_attempts,
        base: settings.notifier.retry_base.0,
        cap: settings.notifier.retry_cap.0,
    };
    Worker::builder(
        app.db.clone(),
        Arc::new(settings),
        app.clock.clone(),
        app.state().wechat.clone(),
        &app.state().metrics.registry,
    )
    .unwrap()
    .policy(policy)
    .build()
}

/// Gives a user an email address.
pub async fn email(app: &TestApp, user: &TestUser, address: &str) {
    app.put("/api/v1/me", &user.token, json!({ "email": address }))
        .await
        .expect(200);
}

/// Status and channel of every notification about a wish, by kind.
pub async fn deliveries(app: &TestApp, admin: &TestUser, kind: &str) -> Vec<serde_json::Value> {
    let list = app
        .get(
            &format!("/api/v1/admin/notifications?kind={kind}&limit=1000"),
            &admin.token,
        )
        .await
        .expect(200);
    list.as_array().unwrap().clone()
}

both_engines!(
    claims_reach_the_resident_by_wechat_or_email,
    wechat_or_email,
    super::configure
);
async fn wechat_or_email(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    email(&app, &c.owner, "owner@example.com").await;
    let worker = worker(&app, &capture, |_| {});

    // With one accepted subscription, the claim goes out as a subscribe message.
    app.post(
        "/api/v1/me/subscriptions",
        &c.owner.token,
        json!({ "results": { TEMPLATE: "accept" } }),
    )
    .await
    .expect(200);
    app.stub.grant_subscription(&c.owner.openid, TEMPLATE, 1);
    let first = app.wish(&c.owner, "帮忙买药").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, first, "claim", None).await.expect(200);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let sent = app.stub.subscribe_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["touser"], c.owner.openid);
    assert_eq!(sent[0]["page"], format!("pages/wish/detail?id={first}"));
    assert_eq!(sent[0]["data"]["thing1"]["value"], "帮忙买药");
    assert!(capture.messages().is_empty());
    let quota = app
        .post(
            "/api/v1/me/subscriptions",
            &c.owner.token,
            json!({ "results": { TEMPLATE: "reject" } }),
        )
        .await
        .expect(200);
    assert_eq!(quota["remaining"][TEMPLATE], 0, "the send spent the quota");

    // Without quota, email.
    let second = app.wish(&c.owner, "换灯泡").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, second, "claim", None).await.expect(200);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(
        app.stub.subscribe_messages().len(),
        1,
        "WeChat was not asked without quota"
    );
    let mails = capture.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["owner@example.com".to_string()]);

    // Our quota says yes, WeChat says 43101: fall back to email at once, and never ask WeChat again.
    app.post(
        "/api/v1/me/subscriptions",
        &c.owner.token,
        json!({ "results": { TEMPLATE: "accept" } }),
    )
    .await
    .expect(200);
    let third = app.wish(&c.owner, "陪聊").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, third, "claim", None).await.expect(200);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(capture.messages().len(), 2);
    let list = deliveries(&app, &c.admin, "wish_claimed").await;
    let row = list.iter().find(|n| n["subject_id"] == third).unwrap();
    assert_eq!(row["status"], "sent");
    assert_eq!(row["channel"], "email");
    let quota = app
        .post(
            "/api/v1/me/subscriptions",
            &c.owner.token,
            json!({ "results": { TEMPLATE: "reject" } }),
        )
        .await
        .expect(200);
    assert_eq!(quota["remaining"][TEMPLATE], 0, "43101 zeroed the quota");
    assert_eq!(worker.run_once().await.unwrap(), 0, "nothing left to send");
    assert_eq!(app.stub.subscribe_messages().len(), 1);
}

both_engines!(
    smtp_outages_are_retried_then_dead_then_retried_by_an_admin,
    outage,
    super::configure
);
async fn outage(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    email(&app, &c.owner, "owner@example.com").await;
    let worker = worker(&app, &capture, |s| s.notifier.max_attempts = 3);
    let id = app.wish(&c.owner, "修水管").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, id, "claim", None).await.expect(200);

    capture.set_down(true);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let row = &deliveries(&app, &c.admin, "wish_claimed").await[0];
    assert_eq!(row["status"], "retry");
    assert_eq!(row["attempts"], 1);
    assert!(row["last_error"].as_str().unwrap().starts_with("email"), "{row}");
    // Not due yet: nothing is claimed before the backoff passes.
    assert_eq!(worker.run_once().await.unwrap(), 0);
    app.clock.advance_ms(13_000);
    assert_eq!(worker.run_once().await.unwrap(), 1, "due after ~10 s");
    // The second delay is about twice the first: not due after 13 s more, due after 25 s.
    app.clock.advance_ms(13_000);
    assert_eq!(worker.run_once().await.unwrap(), 0);
    app.clock.advance_ms(12_000);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let row = &deliveries(&app, &c.admin, "wish_claimed").await[0];
    assert_eq!(row["status"], "dead", "three attempts: {row}");
    let dead = app
        .get("/api/v1/admin/notifications?status=dead", &c.admin.token)
        .await
        .expect(200);
    assert_eq!(dead.as_array().unwrap().len(), 1);

    // SMTP is back; an admin retries; it is delivered.
    capture.set_down(false);
    let nid = row["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/admin/notifications/{nid}/retry"),
        &c.admin.token,
        json!({}),
    )
    .await
    .expect(200);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(capture.messages().len(), 1);
    assert_eq!(deliveries(&app, &c.admin, "wish_claimed").await[0]["status"], "sent");
}

both_engines!(
    quiet_hours_defer_and_preferences_route,
    quiet_and_preferences,
    super::configure
);
async fn quiet_and_preferences(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    email(&app, &c.owner, "owner@example.com").await;
    email(&app, &c.leader_a, "leader@example.com").await;
    let worker = worker(&app, &capture, |s| s.notifier.quiet_hours = "22:00-07:00".into());
    // 23:30 in Shanghai.
    app.clock
        .set_ms(microwish_core::clock::parse_rfc3339("2026-11-27T15:30:00Z").unwrap());

    let id = app.wish(&c.owner, "明早帮忙买菜").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, id, "claim", None).await.expect(200);
    let urgent = json!({ "title": "独居老人没开门", "description": "", "category": "other", "urgency": "urgent" });
    app.post("/api/v1/wishes", &c.owner.token, urgent).await.expect(201);
    // The claim, the alert, and the alert for the grid's robot (this grid has none: skipped).
    assert_eq!(worker.run_once().await.unwrap(), 3);
    let mails = capture.messages();
    assert_eq!(mails.len(), 1, "only the urgent alert goes out at night");
    assert_eq!(mails[0].to, vec!["leader@example.com".to_string()]);
    assert_eq!(deliveries(&app, &c.admin, "wish_claimed").await[0]["status"], "pending");
    app.clock
        .set_ms(microwish_core::clock::parse_rfc3339("2026-11-27T22:59:00Z").unwrap());
    assert_eq!(worker.run_once().await.unwrap(), 0, "still quiet at 06:59");
    app.clock
        .set_ms(microwish_core::clock::parse_rfc3339("2026-11-27T23:00:00Z").unwrap());
    assert_eq!(worker.run_once().await.unwrap(), 1, "delivered at 07:00");
    assert_eq!(capture.messages().len(), 2);

    // Preferences: email off for claims → nothing usable → skipped with a reason.
    let prefs = json!({ "preferences": [{ "kind": "wish_claimed", "channel": "email", "enabled": false }] });
    app.put("/api/v1/me/notification-preferences", &c.owner.token, prefs)
        .await
        .expect(200);
    let all_off = json!({ "preferences": [
        { "kind": "alert", "channel": "email", "enabled": false },
        { "kind": "alert", "channel": "wechat", "enabled": false },
        { "kind": "alert", "channel": "robot", "enabled": false }] });
    app.put("/api/v1/me/notification-preferences", &c.owner.token, all_off)
        .await
        .expect_error(422, "cannot_disable_alerts");
    let second = app.wish(&c.owner, "帮忙修椅子").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, second, "claim", None).await.expect(200);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let list = deliveries(&app, &c.admin, "wish_claimed").await;
    let row = list.iter().find(|n| n["subject_id"] == second).unwrap();
    assert_eq!(row["status"], "skipped");
    assert!(
        row["last_error"].as_str().unwrap().contains("no usable channel"),
        "{row}"
    );
    assert_eq!(capture.messages().len(), 2);
}
