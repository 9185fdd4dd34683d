//! A notifier batch never outlives its lease: while a slow channel answers, the worker renews
//! the lease, so a second worker does not rescue — and send again — what is still in flight.

use std::time::Duration;

use serde_json::json;

use microwish_core::config::ConfigDuration;
use microwish_testkit::smtp::SmtpCapture;

use crate::both_engines;
use crate::helpers::{Community, TestApp};
use crate::notifier::{TEMPLATE, worker};

both_engines!(
    a_slow_batch_keeps_its_lease,
    slow_batch,
    super::super::super::notifier::configure
);
async fn slow_batch(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    let one_second = |s: &mut microwish_core::Settings| s.notifier.lease = ConfigDuration(Duration::from_secs(1));
    let first = worker(&app, &capture, one_second);
    let second = worker(&app, &capture, one_second);
    app.post(
        "/api/v1/me/subscriptions",
        &c.owner.token,
        json!({ "results": { TEMPLATE: "accept" } }),
    )
    .await
    .expect(200);
    app.stub.grant_subscription(&c.owner.openid, TEMPLATE, 1);
    let id = app.wish(&c.owner, "买药").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, id, "claim", None).await.expect(200);
    // WeChat answers slowly: the token is revoked, and fetching a new one takes 2.5 s.
    app.stub.set_token_delay(Duration::from_millis(2500));
    app.stub.revoke_all_tokens();

    let running = tokio::spawn({
        let first = first.clone();
        async move { first.run_once().await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The batch's original lease (1 s) is now over on the clock the workers read…
    app.clock.advance_ms(1500);
    tokio::time::sleep(Duration::from_millis(500)).await;
    // …but it was renewed: the second worker finds nothing to rescue.
    assert_eq!(second.run_once().await.unwrap(), 0, "the in-flight batch was rescued");
    let started = std::time::Instant::now();
    assert_eq!(running.await.unwrap(), 1);
    assert!(
        started.elapsed() > Duration::from_millis(1000),
        "the channel was not slow"
    );
    app.stub.set_token_delay(Duration::ZERO);
    while second.run_once().await.unwrap() > 0 {}
    assert_eq!(app.stub.subscribe_messages().len(), 1, "sent once");
}
