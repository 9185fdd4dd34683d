//! What the drain did: the rate, the status counts, and the checks that nothing was claimed,
//! attempted or (with the stub) delivered more than once.

use super::*;
use crate::backlog::status_counts;

/// Prints the results and fails on any correctness problem.
pub(crate) async fn report(
    args: &Args,
    stub: &WechatStub,
    db: &Db,
    elapsed: Duration,
    timed_out: bool,
) -> anyhow::Result<()> {
    // Results and checks.
    let statuses = status_counts(db).await?;
    let sent = statuses.get("sent").copied().unwrap_or(0);
    let secs = elapsed.as_secs_f64();
    println!(
        "drained {sent} in {secs:.2} s: {:.0} deliveries/s{}",
        sent as f64 / secs,
        if timed_out { " (TIMED OUT)" } else { "" }
    );
    println!("status counts: {statuses:?}");
    let row = sqlx::query(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN claims <> 1 THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN attempts <> 1 THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN channel IS NULL OR channel <> $1 THEN 1 ELSE 0 END), 0) FROM notifications",
    )
    .bind(match args.sink {
        SinkArg::Noop => "noop",
        SinkArg::Http => "wechat",
    })
    .fetch_one(db.pool())
    .await?;
    let (total, reclaimed, odd_attempts, other_channel): (i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    println!(
        "rows {total}; claimed more than once: {reclaimed}; attempts != 1: {odd_attempts}; \
         other channel: {other_channel}"
    );
    let mut problems = Vec::new();
    if args.sink == SinkArg::Http {
        let mut per_subject: HashMap<String, usize> = HashMap::new();
        for msg in stub.subscribe_messages() {
            let page = msg["page"].as_str().unwrap_or("").to_string();
            *per_subject.entry(page).or_default() += 1;
        }
        let twice = per_subject.values().filter(|n| **n > 1).count();
        let received: usize = per_subject.values().sum();
        println!(
            "stub received {received} subscribe messages for {} distinct notifications; sent more than once: {twice}",
            per_subject.len()
        );
        if twice > 0 {
            problems.push(format!("{twice} notifications reached the stub more than once"));
        }
        if per_subject.len() != args.count {
            problems.push(format!(
                "the stub saw {} distinct notifications, expected {}",
                per_subject.len(),
                args.count
            ));
        }
    }
    if sent != args.count as i64 || statuses.len() != 1 {
        problems.push(format!("not everything was sent: {statuses:?}"));
    }
    if reclaimed > 0 || odd_attempts > 0 {
        problems.push("some rows were claimed or attempted more than once".into());
    }
    if !problems.is_empty() {
        bail!("correctness problems: {}", problems.join("; "));
    }
    println!(
        "RESULT engine={:?} workers={} sink={:?} count={} secs={secs:.2} per_sec={:.0}",
        args.engine,
        args.workers,
        args.sink,
        args.count,
        sent as f64 / secs
    );
    Ok(())
}
