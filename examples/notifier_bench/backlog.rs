//! The backlog: recipients the WeChat stub knows (with ample subscription quota) and the
//! notifications recorded through the outbox in a few large transactions; and the queries that
//! watch it drain.

use super::*;

/// Records `args.count` notifications for `args.recipients` people, as of `now`.
pub(crate) async fn seed(args: &Args, stub: &WechatStub, db: &Db, now: i64) -> anyhow::Result<()> {
    // Recipients known to the stub, with a subscription far larger than the backlog needs.
    stub.register_template(TEMPLATE, &microwish_notifier::channel::wechat::TEMPLATE_KEYS);
    let seeding = Instant::now();
    let mut tx = db.begin_write().await?;
    let mut people = Vec::with_capacity(args.recipients);
    for i in 0..args.recipients {
        let openid = format!("o-bench-{i:05}");
        let _code = stub.issue_login_code(&openid);
        stub.grant_subscription(&openid, TEMPLATE, 10_000_000);
        let (u, _) = user::find_or_create(&mut tx, &openid, now).await?;
        people.push(u.id);
    }
    tx.commit().await?;
    // The backlog, in a few large transactions.
    let mut recorded = 0;
    for chunk in (0..args.count).collect::<Vec<_>>().chunks(RECORD_CHUNK) {
        let mut tx = db.begin_write().await?;
        for &i in chunk {
            let n = NewNotification {
                kind: microwish_core::NotificationKind::WishClaimed,
                recipient_id: people[i % people.len()],
                subject_type: "wish",
                subject_id: i as i64,
                urgent: false,
                payload: json!({ "title": format!("帮忙买药 #{i}"), "wish_id": i }),
                dedupe_key: format!("bench:{i}"),
            };
            if outbox::record(&mut tx, &n, now).await? {
                recorded += 1;
            }
        }
        tx.commit().await?;
    }
    let seed_secs = seeding.elapsed().as_secs_f64();
    println!(
        "recorded {recorded} notifications for {} recipients in {seed_secs:.2} s ({:.0} rows/s)",
        args.recipients,
        recorded as f64 / seed_secs
    );

    Ok(())
}

/// Whether any row is still to deliver (pending, retry or sending: in the queue).
pub(crate) async fn any_open(db: &Db) -> anyhow::Result<bool> {
    let n: i64 = sqlx::query("SELECT CASE WHEN EXISTS (SELECT 1 FROM notification_queue) THEN 1 ELSE 0 END")
        .fetch_one(db.pool())
        .await?
        .get(0);
    Ok(n == 1)
}

/// Rows still to deliver: pending, retry or sending.
pub(crate) async fn open_rows(db: &Db) -> anyhow::Result<i64> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM notification_queue")
        .fetch_one(db.pool())
        .await?
        .get(0);
    Ok(n)
}

pub(crate) async fn status_counts(db: &Db) -> anyhow::Result<std::collections::BTreeMap<String, i64>> {
    let rows = sqlx::query("SELECT status, COUNT(*) FROM notifications GROUP BY status")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
