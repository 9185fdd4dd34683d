//! `cargo run --release --example notifier_bench -- --engine sqlite|postgres --workers 1|2 --sink noop|http --count 50000`
//!
//! Drains a recorded backlog with the notifier and reports deliveries per second (see
//! `docs/benchmarks.md`):
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
//!    twice;
//! 5. the cost per delivery (`cost`): this process's CPU and, on PostgreSQL, the CPU of the
//!    database's backends, its commits, and the rows each notification table wrote (HOT or not).
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
use microwish_wechat::WechatStub;

#[path = "../shared/engine.rs"]
mod engine;

mod backlog;
mod check;
mod cost;
mod drain;
#[path = "../shared/procfs.rs"]
mod procfs;

use engine::{EngineArg, create_database};

const APPID: &str = "wxbench000000000";
const SECRET: &str = "bench-secret";
const TEMPLATE: &str = "TPL-BENCH-CLAIMED";
/// Rows recorded per backlog transaction.
const RECORD_CHUNK: usize = 10_000;

/// Drain a notification backlog with W notifier workers and report deliveries per second.
#[derive(Debug, Parser)]
#[command(name = "notifier_bench")]
pub(crate) struct Args {
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
    #[arg(long, default_value_t = 1000)]
    batch_size: u32,
    /// Connections in each worker's pool.
    #[arg(long, default_value_t = 4)]
    max_connections: u32,
    /// Give up (and report what is left) after this many seconds of draining.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SinkArg {
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
// The run.

async fn bench(args: Args) -> anyhow::Result<()> {
    microwish_wechat::install_crypto_provider();
    let stub = WechatStub::start(APPID, SECRET).context("cannot start the WeChat protocol stub")?;
    let db = create_database(args.engine, "mw_nbench").await?;
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
    settings
        .wechat
        .templates
        .set(microwish_core::NotificationKind::WishClaimed, TEMPLATE);
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
    backlog::seed(args, stub, db, clock.now_ms()).await?;
    // The seeding's counters reach the statistics system once its backends are idle.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = cost::before(db).await?;
    let drained = drain::drain(args, settings, db, &clock, &before).await?;
    check::report(args, stub, db, drained.elapsed, drained.timed_out).await?;
    cost::report(&before, drained.cpu, db, args.count).await
}
