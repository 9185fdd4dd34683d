//! The queue under the worker: a leased notification shows as `sending`; a holder whose lease
//! lapsed and was taken over can neither renew it nor record an outcome (so a batch claimed ahead
//! and rescued meanwhile is dropped, not sent twice); a stopped worker gives back the batch it
//! claimed ahead, and each notification still goes out once.

use std::time::Duration;

use microwish_core::Clock;
use microwish_core::config::ConfigDuration;
use microwish_core::notify::queue::{self, Outcome};
use microwish_testkit::smtp::SmtpCapture;

use crate::both_engines;
use crate::helpers::{Community, TestApp};
use crate::workers::{backlog, received, wait_for};

/// The admin's view of one notification.
async fn shown(app: &TestApp, c: &Community, id: i64, status: &str) -> serde_json::Value {
    let list = app
        .get(&format!("/api/v1/admin/notifications?status={status}"), &c.admin.token)
        .await
        .expect(200);
    let found = list.as_array().unwrap().iter().find(|n| n["id"] == id).cloned();
    found.unwrap_or_else(|| panic!("notification {id} not listed as {status}: {list}"))
}

both_engines!(
    a_lapsed_holder_can_neither_renew_nor_record,
    lapsed_holder,
    crate::notifier::configure
);
async fn lapsed_holder(app: TestApp) {
    let c = Community::seed(&app).await;
    let wish = app.wish(&c.owner, "买药").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, wish, "claim", None).await.expect(200);
    let now = app.clock.now_ms();
    let first = queue::claim(&app.db, "holder-a", now, now + 1_000, 100).await.unwrap();
    assert!(!first.is_empty());
    let ids: Vec<i64> = first.iter().map(|n| n.id).collect();
    assert_eq!(shown(&app, &c, ids[0], "sending").await["status"], "sending");

    // A's lease lapses and B rescues the batch.
    app.clock.advance_ms(2_000);
    let now = app.clock.now_ms();
    let second = queue::claim(&app.db, "holder-b", now, now + 60_000, 100).await.unwrap();
    let mut rescued: Vec<i64> = second.iter().map(|n| n.id).collect();
    rescued.sort_unstable();
    let mut expected = ids.clone();
    expected.sort_unstable();
    assert_eq!(rescued, expected);
    assert!(second.iter().all(|n| n.rescued()), "a second claim is a rescue");

    // A no longer holds anything: nothing to renew, nothing recorded.
    assert!(
        queue::extend(&app.db, "holder-a", &ids, now + 60_000)
            .await
            .unwrap()
            .is_empty()
    );
    let sent = |batch: &[microwish_core::notify::Notification]| -> Vec<Outcome> {
        let sent = |n| Outcome {
            channel: Some("email".into()),
            attempted: true,
            ..Outcome::start(n, now)
        };
        batch.iter().map(sent).collect()
    };
    let lost = queue::record(&app.db, "holder-a", &sent(&first), now).await.unwrap();
    assert_eq!(lost, ids.len() as u64);
    assert_eq!(shown(&app, &c, ids[0], "sending").await["attempts"], 0);

    // B's outcome is written; the queue is empty again.
    assert_eq!(
        queue::extend(&app.db, "holder-b", &ids, now + 90_000)
            .await
            .unwrap()
            .len(),
        ids.len()
    );
    assert_eq!(
        queue::record(&app.db, "holder-b", &sent(&second), now).await.unwrap(),
        0
    );
    assert_eq!(shown(&app, &c, ids[0], "sent").await["attempts"], 1);
    let claims: i64 = sqlx::query_scalar("SELECT claims FROM notifications WHERE id = $1")
        .bind(ids[0])
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(claims, 2, "the record keeps both leases");
    assert_eq!(app.count("notification_queue").await, 0);
}

const BACKLOG: usize = 400;

both_engines!(
    a_stopped_worker_gives_back_what_it_claimed_ahead,
    stopped_worker,
    crate::notifier::configure
);
async fn stopped_worker(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    backlog(&app, 20, BACKLOG).await;
    let small_batches = |s: &mut microwish_core::Settings| {
        s.notifier.batch_size = 10;
        s.notifier.poll_interval = ConfigDuration(Duration::from_millis(50));
    };
    let first = super::worker(&app, &capture, small_batches);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(first.run(stopped));
    wait_for(&capture, 20, Duration::from_secs(60)).await;
    stop.send(true).unwrap();
    running.await.unwrap();

    // Mid-backlog, the worker held the next batch; it is back, unclaimed, for anyone.
    let left = app.count("notification_queue").await;
    assert!(left > 0, "stopped before the end");
    let held: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notification_queue WHERE lease_owner IS NOT NULL OR claims <> 0")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(held, 0, "the batch claimed ahead was given back");

    let second = super::worker(&app, &capture, small_batches);
    while second.run_once().await.unwrap() > 0 {}
    let seen = received(&capture);
    assert_eq!(seen.len(), BACKLOG, "none lost");
    assert!(seen.values().all(|n| *n == 1), "none sent twice");
    let claimed_twice: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE claims <> 1")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(claimed_twice, 0);
}
