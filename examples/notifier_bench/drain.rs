//! The drain: separate worker instances (own pools, own WeChat clients) started together, timed
//! until no notification is pending, retrying or being sent.

use super::*;
use crate::backlog::{any_open, open_rows};
use crate::cost;

/// What a drain took: its wall time, whether it timed out, and the CPU the workers and the
/// database's backends used meanwhile.
pub(crate) struct Drained {
    pub(crate) elapsed: Duration,
    pub(crate) timed_out: bool,
    pub(crate) cpu: (Duration, Duration),
}

/// Runs `args.workers` workers until the queue is empty or `args.timeout` passes.
pub(crate) async fn drain(
    args: &Args,
    settings: &Arc<Settings>,
    db: &Db,
    clock: &SharedClock,
    before: &cost::Before,
) -> anyhow::Result<Drained> {
    // The workers: separate instances, pools and WeChat clients, started together.
    let (stop, stopped) = watch::channel(false);
    let mut workers = Vec::new();
    for _ in 0..args.workers {
        let pool = Db::connect(&settings.database.url, settings.database.max_connections).await?;
        let metrics = microwish_server::Metrics::new();
        let builder = Worker::builder(
            pool.clone(),
            settings.clone(),
            clock.clone(),
            startup::wechat_client(settings)?,
            &metrics.registry,
        )
        .map_err(anyhow::Error::msg)?;
        let worker = match args.sink {
            SinkArg::Noop => builder.noop_channel().build(),
            SinkArg::Http => builder.build(),
        };
        println!("worker {}", worker.id());
        workers.push((worker, pool));
    }
    let started = Instant::now();
    let handles: Vec<_> = workers
        .iter()
        .map(|(w, _)| tokio::spawn(w.clone().run(stopped.clone())))
        .collect();

    // Wait until nothing is pending, retrying or being sent.
    let deadline = started + Duration::from_secs(args.timeout);
    let mut last_report = Instant::now();
    // A cheap EXISTS every 20 ms (an index probe on `status`); a full count only for the
    // progress line every 10 s, so the monitor does not compete with the workers.
    let mut timed_out = false;
    loop {
        if !any_open(db).await? {
            break;
        }
        if Instant::now() > deadline {
            timed_out = true;
            break;
        }
        if last_report.elapsed() > Duration::from_secs(10) {
            let secs = started.elapsed().as_secs_f64();
            let left = open_rows(db).await?;
            let done = args.count as i64 - left;
            println!(
                "  {secs:>6.1} s: {done} done, {left} open ({:.0}/s)",
                done as f64 / secs
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let cpu = cost::cpu_since(before, db).await?;
    let _ = stop.send(true);
    for h in handles {
        h.await.context("a worker panicked")?;
    }
    for (_, pool) in &workers {
        pool.close().await;
    }

    Ok(Drained {
        elapsed,
        timed_out,
        cpu,
    })
}
