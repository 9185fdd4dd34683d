//! `cargo run --release --example notifier_bench -- --engine sqlite|postgres --workers 1|2 --sink noop|http --count 50000`
//!
//! Drains a recorded backlog with the notifier and reports deliveries per second (see
//! `docs/benchmarks-notifier.md`):
//! 1. a fresh database (a SQLite file in a temporary folder, or a fresh PostgreSQL database created
//!    on MICROWISH_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres, dropped
//!    at the end), migrated with `microwish::startup::open_database`;
//! 2. a few hundred recipients and a backlog of `--count` `wish_claimed` notifications recorded in
//!    a few large transactions through `microwish_core::outbox::record`;
//! 3. `--workers` separate [`Worker`] instances (each with its own lease-owner id, connection pool
//!    and WeChat client, as separate processes would have) running `run()` concurrently until a
//!    monitor sees no row `pending`, `retry` or `sending`; the wall time from their start to that
//!    moment gives deliveries per second;
//! 4. the final status counts (all must be `sent`), and checks that nothing was claimed or sent
//!    twice.
//!
//! `--sink noop` delivers to the no-op channel (the queue machinery alone: claim, record);
//! `--sink http` sends every notification as a WeChat subscribe message over loopback HTTP to the
//! in-process [`WechatStub`], which knows every recipient's openid and holds a large subscription
//! for the template; the template is configured as long-term so our own quota rows are not used.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use serde_json::json;
use sqlx::Row;
use tokio::sync::watch;

use microwish::startup;
use microwish_core::outbox::{self, NewNotification};
use microwish_core::people::user;
use microwish_core::{Db, Settings, SharedClock, SystemClock};
use microwish_notifier::Worker;
use microwish_testkit::ThrowawayDb;
use microwish_wechat::WechatStub;

const APPID: &str = "wxbench000000000";
const SECRET: &str = "bench-secret";
const TEMPLATE: &str = "TPL-BENCH-CLAIMED";
/// Rows recorded per backlog transaction.
const RECORD_CHUNK: usize = 10_000;

/// Drain a notification backlog with W notifier workers and report deliveries per second.
#[derive(Debug, Parser)]
#[command(name = "notifier_bench")]
struct Args {
    /// Database engine.
    #[arg(long, value_enum, default_value_t = EngineArg::Sqlite)]
    engine: EngineArg,
    /// Worker instances draining the queue concurrently.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Where deliveries go: the no-op channel, or WeChat subscribe messages to the loopback stub.
    #[arg(long, value_enum, default_value_t = SinkArg::Noop)]
    sink: SinkArg,
    /// Notifications in the backlog.
    #[arg(long, default_value_t = 50_000)]
    count: usize,
    /// Distinct recipients.
    #[arg(long, default_value_t = 300)]
    recipients: usize,
    /// notifier.batch_size.
    #[arg(long, default_value_t = 200)]
    batch_size: u32,
    /// Connections in each worker's pool.
    #[arg(long, default_value_t = 4)]
    max_connections: u32,
    /// Give up (and report what is left) after this many seconds of draining.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EngineArg {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SinkArg {
    Noop,
    Http,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.workers == 0 || args.count == 0 || args.recipients == 0 {
        bail!("--workers, --count and --recipients must be at least 1");
    }
    if std::env::var_os("RUST_LOG").is_some() {
        microwish::cli::init_tracing();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(bench(args))
}

// ---------------------------------------------------------------------------------------------
// The database: create, drop.

async fn create_database(engine: EngineArg) -> anyhow::Result<ThrowawayDb> {
    let engine = match engine {
        EngineArg::Sqlite => microwish_core::Engine::Sqlite,
        EngineArg::Postgres => microwish_core::Engine::Postgres,
    };
    ThrowawayDb::create(engine, "mw_nbench", "MICROWISH_BENCH_POSTGRES_URL")
        .await
        .map_err(anyhow::Error::msg)
}

// ---------------------------------------------------------------------------------------------
// The run.

async fn bench(args: Args) -> anyhow::Result<()> {
    microwish_wechat::install_crypto_provider();
    let stub = WechatStub::start(APPID, SECRET).context("cannot start the WeChat protocol stub")?;
    let db = create_database(args.engine).await?;
    let result = run(&args, &stub, &db.url).await;
    db.drop_now().await;
    result
}

async fn run(args: &Args, stub: &WechatStub, url: &str) -> anyhow::Result<()> {
    let mut settings = microwish::config::load(None)?;
    settings.database.url = url.into();
    settings.database.max_connections = args.max_connections;
    settings.wechat.api_base = stub.base_url();
    settings.wechat.appid = APPID.into();
    settings.wechat.secret = SECRET.into();
    settings.wecom.api_base = stub.base_url();
    settings.wechat.templates.wish_claimed = TEMPLATE.into();
    settings.wechat.long_term_templates = vec![TEMPLATE.into()];
    settings.notifier.quiet_hours = String::new();
    settings.notifier.batch_size = args.batch_size;
    settings.notifier.poll_interval = microwish_core::config::ConfigDuration(Duration::from_millis(100));
    settings.validate()?;
    let settings = Arc::new(settings);

    println!(
        "notifier_bench: engine={:?} workers={} sink={:?} count={} recipients={} batch_size={} \
         pool={}/worker nproc={}",
        args.engine,
        args.workers,
        args.sink,
        args.count,
        args.recipients,
        args.batch_size,
        args.max_connections,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    let db = startup::open_database(&settings).await?;
    let result = measure(args, stub, &settings, &db).await;
    db.close().await;
    result
}

async fn measure(args: &Args, stub: &WechatStub, settings: &Arc<Settings>, db: &Db) -> anyhow::Result<()> {
    let clock: SharedClock = Arc::new(SystemClock);
    // Recipients known to the stub, with a subscription far larger than the backlog needs.
    stub.register_template(TEMPLATE, &microwish_notifier::channel::wechat::TEMPLATE_KEYS);
    let seeding = Instant::now();
    let now = clock.now_ms();
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
    let _ = stop.send(true);
    for h in handles {
        h.await.context("a worker panicked")?;
    }
    for (_, pool) in &workers {
        pool.close().await;
    }

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

/// Whether any row is still to deliver: pending, retry or sending.
async fn any_open(db: &Db) -> anyhow::Result<bool> {
    let n: i64 = sqlx::query(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM notifications WHERE status IN ('pending', 'retry', 'sending')) \
         THEN 1 ELSE 0 END",
    )
    .fetch_one(db.pool())
    .await?
    .get(0);
    Ok(n == 1)
}

/// Rows still to deliver: pending, retry or sending.
async fn open_rows(db: &Db) -> anyhow::Result<i64> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM notifications WHERE status IN ('pending', 'retry', 'sending')")
        .fetch_one(db.pool())
        .await?
        .get(0);
    Ok(n)
}

async fn status_counts(db: &Db) -> anyhow::Result<std::collections::BTreeMap<String, i64>> {
    let rows = sqlx::query("SELECT status, COUNT(*) FROM notifications GROUP BY status")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
