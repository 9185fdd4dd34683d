//! `cargo run --release --example bench -- [--engine sqlite|postgres] [--duration 10] [--concurrency 32]`
//!
//! One run, one server, four measurements (see `docs/benchmarks.md`):
//! 1. `GET /healthz` closed-loop: the ceiling of the HTTP stack on this machine;
//! 2. `GET /api/v1/wishes?status=open` as a volunteer, closed-loop: requests/s, p50, p99;
//! 3. the same list paced open-loop at half the rate measured in (2): p99 at half load
//!    (latency counted from the scheduled send time, so queueing is not hidden);
//! 4. claims under contention: every open wish is offered to several volunteers at once;
//!    wins (200) and losses (409 `claim_lost`) per second, and no 5xx allowed.
//!
//! The server runs in a separate process (this binary re-executed with `--serve-only`, configured
//! through `MICROWISH__SECTION__KEY` variables like `microwish serve`), so the load generator and the
//! server do not share a Tokio runtime; they still share the machine's cores. The community (an
//! admin, 2 grids with leaders, 50 volunteers, 200 residents, 10,000 wishes) is seeded straight
//! through the core store functions before the server starts; sessions come from
//! `microwish_core::people::session::create`. The WeChat protocol stub serves the one real sign-in
//! that checks the wiring.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use clap::Parser;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

use microwish::startup;
use microwish_core::fields::{Address, Building, Description, DisplayName, GridName, Phone, Title};
use microwish_core::people::grid::{self, GridInput};
use microwish_core::people::user::{self, ProfileUpdate};
use microwish_core::people::{Caller, Role, session};
use microwish_core::wish::store::{self, ChangeInput};
use microwish_core::wish::{Action, NewWish, Urgency};
use microwish_core::{Clock, Db, Settings, SystemClock};
use microwish_wechat::WechatStub;

#[path = "../shared/engine.rs"]
mod engine;
mod phases;
#[path = "../shared/procfs.rs"]
mod procfs;
mod report;
mod seed;
mod server;
mod tally;

use engine::{EngineArg, create_database};
use phases::*;
use procfs::{cpu_time, loadavg};
use report::*;
use seed::*;
use server::*;
use tally::*;

const APPID: &str = "wxbench000000000";
const SECRET: &str = "bench-secret";

const VOLUNTEERS: usize = 50;
const RESIDENTS: usize = 200;
const WISHES: usize = 10_000;
/// How many volunteers are offered each wish in the claim phase.
const CONTENDERS: usize = 4;
const LIST_PATH: &str = "/api/v1/wishes?status=open";

/// Load-test microwish: trivial route, open-wish list, half-load list, contended claims.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Args {
    /// Database engine: a fresh SQLite file in a temporary folder, or a fresh PostgreSQL database
    /// created on MICROWISH_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
    #[arg(long, value_enum, default_value_t = EngineArg::Sqlite)]
    engine: EngineArg,
    /// Seconds per measured phase.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Concurrent client tasks (connections) in the closed-loop phases.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Internal: run only the server, configured from MICROWISH__* variables.
    #[arg(long, hide = true)]
    serve_only: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    if args.serve_only {
        runtime.block_on(serve_only())
    } else {
        runtime.block_on(bench(args))
    }
}

// ---------------------------------------------------------------------------------------------
// The run.

async fn bench(args: Args) -> anyhow::Result<()> {
    ensure!(
        args.duration > 0 && args.concurrency > 0,
        "duration and concurrency must be positive"
    );
    let duration = Duration::from_secs(args.duration);
    let stub = WechatStub::start(APPID, SECRET).context("cannot start the WeChat protocol stub")?;
    let db = create_database(args.engine, "mw_bench").await?;
    let result = run(&args, duration, &stub, &db.url).await;
    db.drop_now().await;
    result
}

async fn run(args: &Args, duration: Duration, stub: &WechatStub, url: &str) -> anyhow::Result<()> {
    let mut settings = microwish::config::load(None)?;
    settings.server.bind = "127.0.0.1:0".into();
    settings.database.url = url.into();
    settings.wechat.api_base = stub.base_url();
    settings.wechat.appid = APPID.into();
    settings.wechat.secret = SECRET.into();
    settings.wecom.api_base = stub.base_url();
    settings.notifier.enabled = false;
    // The per-volunteer limit (3 open claims by default) would stop the claim phase after 150
    // wins; it is lifted, but its check (lock the volunteer's row, count their claims) still runs.
    settings.wishes.max_open_claims = 1_000_000;
    // Benchmarks measure the service, not its rate limits.
    settings.limits.enabled = false;
    settings.validate()?;

    let engine = format!("{:?}", args.engine).to_lowercase();
    eprintln!(
        "bench: engine {engine}, {} s per phase, concurrency {}",
        args.duration, args.concurrency
    );
    let db = startup::open_database(&settings).await?;
    let seeding = Instant::now();
    let seeded = seed(&db, &settings).await.context("cannot seed")?;
    let seed_time = seeding.elapsed();
    eprintln!(
        "bench: seeded {WISHES} wishes ({} open, {} claimed, {} cancelled), {VOLUNTEERS} volunteers, {RESIDENTS} residents in {:.1} s",
        seeded.open_wishes.len(),
        seeded.claimed,
        seeded.cancelled,
        seed_time.as_secs_f64()
    );

    let server = ServerProcess::spawn(&settings)?;
    // MICROWISH_BENCH_HOLD=SECONDS: before the phases, keep the seeded server up that long for an
    // outside load generator (wrk), printing where it is, a volunteer's token and its PID.
    if let Some(hold) = std::env::var("MICROWISH_BENCH_HOLD")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        let token = seeded.volunteer_tokens.first().context("no volunteer")?;
        eprintln!("bench: HOLD {} {token} {}", server.base, server.child.id());
        tokio::time::sleep(Duration::from_secs(hold)).await;
    }
    let outcome = load(args, duration, stub, &db, &server, &seeded).await;
    let stopped = server.stop();
    db.close().await;
    let report = outcome?;
    stopped?;
    println!("{report}");
    Ok(())
}
