//! The notifier against the WeChat and WeCom wire protocol: one token refresh for many
//! concurrent sends, and the robot's 20-a-minute window (excess waits, never dropped).

use std::time::Duration;

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};
use crate::notifier::{TEMPLATE, worker};
use microwish_testkit::smtp::SmtpCapture;

both_engines!(
    an_invalid_token_means_one_refresh_for_many_sends,
    token_refresh,
    super::super::notifier::configure
);
async fn token_refresh(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    let worker = worker(&app, &capture, |_| {});
    let mut residents = Vec::new();
    for i in 0..24 {
        residents.push(app.login(&format!("resident-{i}")).await);
    }
    for r in &residents {
        app.profile(r, "居民", "13800000000", c.grid_a).await;
        app.post(
            "/api/v1/me/subscriptions",
            &r.token,
            json!({ "results": { TEMPLATE: "accept" } }),
        )
        .await
        .expect(200);
        app.stub.grant_subscription(&r.openid, TEMPLATE, 1);
    }
    // Warm the token with one send, then have WeChat revoke it.
    let first = app.wish(&residents[0], "心愿 0").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, first, "claim", None).await.expect(200);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let fetches = app.state().wechat.tokens().fetch_count();
    app.stub.revoke_all_tokens();

    for (i, r) in residents.iter().enumerate().skip(1) {
        let id = app.wish(r, &format!("心愿 {i}")).await["id"].as_i64().unwrap();
        let volunteer = if i % 2 == 0 { &c.volunteer } else { &c.volunteer2 };
        app.act(volunteer, id, "claim", None).await.expect(200);
        app.act(volunteer, id, "release", Some(json!({ "reason": "轮换" })))
            .await
            .expect(200);
    }
    // 23 claims + 23 releases; only the claims use the template (releases have no WeChat template).
    while worker.run_once().await.unwrap() > 0 {}
    assert_eq!(
        app.state().wechat.tokens().fetch_count(),
        fetches + 1,
        "exactly one refresh"
    );
    assert_eq!(
        app.stub.subscribe_messages().len(),
        24,
        "every claim delivered after one retry each"
    );
}

both_engines!(
    robot_alerts_wait_for_the_window_and_name_the_leader,
    robot_window,
    super::super::notifier::configure
);
async fn robot_window(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    app.stub.register_robot("ROBOT-KEY-A");
    let body = json!({ "name": "第一网格", "leader_user_id": c.leader_a.id, "wecom_robot_key": "ROBOT-KEY-A" });
    app.put(&format!("/api/v1/admin/grids/{}", c.grid_a), &c.admin.token, body)
        .await
        .expect(200);
    let builder_window = Duration::from_millis(800);
    app.stub.set_robot_window(builder_window);
    let worker = {
        let mut settings = (*app.state().settings).clone();
        settings.email.smtp_url = capture.url();
        settings.email.from = "noreply@microwish.test".into();
        microwish_notifier::Worker::builder(
            app.db.clone(),
            std::sync::Arc::new(settings),
            app.clock.clone(),
            app.state().wechat.clone(),
            &app.state().metrics.registry,
        )
        .unwrap()
        .robot_window(builder_window)
        .build()
    };
    for i in 0..25 {
        let body = json!({ "title": format!("紧急 {i}"), "description": "", "category": "other", "urgency": "urgent" });
        app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
    }
    // Each alert is recorded twice: `alert` for the leader's own channels, `grid_alert` for the robot.
    assert_eq!(worker.run_once().await.unwrap(), 50);
    let first = app.stub.robot_messages("ROBOT-KEY-A");
    assert_eq!(first.len(), 20, "20 in the window");
    assert!(
        first[0]["text"]["content"].as_str().unwrap().contains("刘网格长"),
        "{}",
        first[0]
    );
    let retrying = app
        .get(
            "/api/v1/admin/notifications?status=retry&kind=grid_alert",
            &c.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(retrying.as_array().unwrap().len(), 5, "the excess waits in the queue");
    assert_eq!(
        retrying[0]["attempts"], 0,
        "waiting for a window does not spend attempts"
    );
    tokio::time::sleep(builder_window + Duration::from_millis(200)).await;
    app.clock.advance_ms(2_000);
    while worker.run_once().await.unwrap() > 0 {}
    assert_eq!(app.stub.robot_messages("ROBOT-KEY-A").len(), 25, "none dropped");
}
