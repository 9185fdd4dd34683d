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
use clap::{Parser, ValueEnum};
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
use microwish_testkit::ThrowawayDb;
use microwish_wechat::WechatStub;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EngineArg {
    Sqlite,
    Postgres,
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
// The server process.

/// Runs the server like `microwish serve` does; prints `LISTENING addr` once bound and stops when
/// stdin closes (the parent going away) or on Ctrl-C / SIGTERM.
async fn serve_only() -> anyhow::Result<()> {
    microwish::cli::init_tracing();
    let settings = Arc::new(microwish::config::load(None)?);
    let db = startup::open_database(&settings).await?;
    let server = startup::start_server(settings, db.clone(), Arc::new(SystemClock)).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "LISTENING {}", server.addr)?;
        out.flush()?;
    }
    let on_eof = server.stopper();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        let _ = on_eof.send(true);
    });
    let on_signal = server.stopper();
    tokio::spawn(async move {
        startup::shutdown_signal().await;
        let _ = on_signal.send(true);
    });
    server.wait().await?;
    db.close().await;
    Ok(())
}

/// The server child process.
struct ServerProcess {
    child: Child,
    base: String,
}

impl ServerProcess {
    /// Re-executes this binary with `--serve-only` and the settings as environment variables.
    fn spawn(settings: &Settings) -> anyhow::Result<ServerProcess> {
        let exe = std::env::current_exe().context("cannot find the bench executable")?;
        let mut child = Command::new(exe)
            .arg("--serve-only")
            .env("MICROWISH__SERVER__BIND", "127.0.0.1:0")
            .env("MICROWISH__DATABASE__URL", &settings.database.url)
            .env(
                "MICROWISH__DATABASE__MAX_CONNECTIONS",
                settings.database.max_connections.to_string(),
            )
            .env("MICROWISH__WECHAT__API_BASE", &settings.wechat.api_base)
            .env("MICROWISH__WECHAT__APPID", &settings.wechat.appid)
            .env("MICROWISH__WECHAT__SECRET", &settings.wechat.secret)
            .env("MICROWISH__WECOM__API_BASE", &settings.wecom.api_base)
            .env("MICROWISH__NOTIFIER__ENABLED", "false")
            .env("MICROWISH__LIMITS__ENABLED", "false")
            .env(
                "MICROWISH__WISHES__MAX_OPEN_CLAIMS",
                settings.wishes.max_open_claims.to_string(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start the server process")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            match lines.next() {
                Some(line) => {
                    if let Some(addr) = line?.strip_prefix("LISTENING ") {
                        break addr.to_string();
                    }
                }
                None => {
                    let status = child.wait()?;
                    bail!("the server process ended before listening ({status})");
                }
            }
        };
        // The server logs to stdout: keep draining it (a closed pipe would break its logging),
        // passing warnings and errors on and counting the rest.
        std::thread::spawn(move || {
            let mut quiet = 0u64;
            for line in lines.map_while(Result::ok) {
                if line.contains("WARN") || line.contains("ERROR") {
                    eprintln!("server: {line}");
                } else {
                    quiet += 1;
                }
            }
            eprintln!("bench: the server wrote {quiet} info/debug log lines (not shown)");
        });
        Ok(ServerProcess {
            child,
            base: format!("http://{addr}"),
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident set size (and its peak) of the server process, in KiB, from /proc.
    fn rss_kib(&self) -> Option<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// CPU time (user + system) the server process has used so far.
    fn cpu(&self) -> Duration {
        cpu_time(&format!("/proc/{}/stat", self.pid()))
    }

    /// Closes the server's stdin (it shuts down gracefully) and waits; kills it after 15 s.
    fn stop(mut self) -> anyhow::Result<()> {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait()? {
                ensure!(status.success(), "the server process ended with {status}");
                return Ok(());
            }
            if Instant::now() > deadline {
                self.child.kill()?;
                self.child.wait()?;
                bail!("the server process did not stop within 15 s and was killed");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// User + system CPU time of a process from `/proc/PID/stat` (clock ticks of 1/100 s, the Linux
/// value of `CLK_TCK` on x86-64 and arm64); zero when unreadable.
fn cpu_time(stat_path: &str) -> Duration {
    let Ok(stat) = std::fs::read_to_string(stat_path) else {
        return Duration::ZERO;
    };
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// The 1-, 5- and 15-minute load averages.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

// ---------------------------------------------------------------------------------------------
// The database: create, seed, drop.

async fn create_database(engine: EngineArg) -> anyhow::Result<ThrowawayDb> {
    let engine = match engine {
        EngineArg::Sqlite => microwish_core::Engine::Sqlite,
        EngineArg::Postgres => microwish_core::Engine::Postgres,
    };
    ThrowawayDb::create(engine, "mw_bench", "MICROWISH_BENCH_POSTGRES_URL")
        .await
        .map_err(anyhow::Error::msg)
}

/// What the load phases need from the seeded community.
struct Seeded {
    volunteer_tokens: Vec<String>,
    open_wishes: Vec<i64>,
    claimed: usize,
    cancelled: usize,
}

const TITLES: &[&str] = &[
    "帮忙买降压药",
    "楼道灯坏了",
    "想找人聊聊天",
    "孙女需要学习用品",
    "帮忙取快递",
    "水龙头漏水",
    "陪我去医院复查",
    "教我用智能手机",
];

/// Seeds an admin, two grids with leaders, volunteers, residents (with profiles) and wishes —
/// 5 % claimed, 2 % cancelled, the rest open — through the core store functions.
async fn seed(db: &Db, settings: &Settings) -> anyhow::Result<Seeded> {
    let now = SystemClock.now_ms();
    let ttl = 7 * 86_400_000;
    let mut tx = db.begin_write().await?;
    let (admin, _) = user::find_or_create(&mut tx, "bench-admin", now).await?;
    user::grant(&mut tx, admin.id, Role::Admin).await?;
    let mut grids = Vec::new();
    for (i, name) in ["第一网格（1–4号楼）", "第二网格（5–8号楼）"].into_iter().enumerate() {
        let input = GridInput {
            name: GridName::parse(name)?,
            leader_user_id: None,
            wecom_robot_key: None,
        };
        let grid_id = grid::create(&mut tx, input, now).await?.id;
        let (leader, _) = user::find_or_create(&mut tx, &format!("bench-leader-{i}"), now).await?;
        user::grant(&mut tx, leader.id, Role::GridLeader).await?;
        grid::set_leader(&mut tx, grid_id, leader.id, now).await?;
        grids.push(grid_id);
    }
    let person = async |tx: &mut sqlx::AnyConnection, openid: String, name: String, n: usize| {
        let (u, _) = user::find_or_create(tx, &openid, now).await?;
        let building = n % 8 + 1;
        let update = ProfileUpdate {
            weekly_digest: None,
            display_name: Some(DisplayName::parse(&name)?),
            phone: Some(Phone::parse(&format!("138{:08}", n))?),
            grid_id: Some(grids[usize::from(building > 4)]),
            building: Some(Building::parse(&format!("{building}号楼"))?),
            address: Some(Address::parse(&format!(
                "{building}号楼{}单元{}室",
                n % 3 + 1,
                100 + n
            ))?),
            email: None,
        };
        user::update_profile(tx, u.id, update, now).await?;
        anyhow::Ok(u.id)
    };
    let mut volunteers = Vec::new();
    let mut volunteer_tokens = Vec::new();
    for i in 0..VOLUNTEERS {
        let id = person(&mut tx, format!("bench-volunteer-{i}"), format!("志愿者{i}"), i).await?;
        user::grant(&mut tx, id, Role::Volunteer).await?;
        volunteers.push(id);
        volunteer_tokens.push(session::create(&mut tx, id, now, ttl).await?);
    }
    let mut residents = Vec::new();
    for i in 0..RESIDENTS {
        let n = VOLUNTEERS + i;
        residents.push(person(&mut tx, format!("bench-resident-{i}"), format!("居民{i}"), n).await?);
    }
    tx.commit().await?;

    let mut callers: Vec<Caller> = Vec::new();
    for &id in residents.iter().chain(&volunteers) {
        callers.push(user::caller(db.pool(), id).await?);
    }
    let (resident_callers, volunteer_callers) = callers.split_at(RESIDENTS);
    let categories: Vec<String> = settings.wishes.categories.iter().map(|c| c.code.clone()).collect();
    let (mut open_wishes, mut claimed, mut cancelled) = (Vec::new(), 0, 0);
    let mut tx = db.begin_write().await?;
    for i in 0..WISHES {
        let resident = &resident_callers[i % RESIDENTS];
        let new = NewWish {
            title: Title::parse(&format!("{} #{i}", TITLES[i % TITLES.len()]))?,
            description: Description::parse(&format!(
                "第{i}号心愿：腿脚不便，麻烦邻居志愿者帮个忙，谢谢！联系时请先敲门。"
            ))?,
            category: categories[i % categories.len()].clone(),
            urgency: if i % 10 == 0 { Urgency::Urgent } else { Urgency::Normal },
            due_at: None,
            on_behalf_of: None,
            consent_note: None,
        };
        let id = store::create(&mut tx, resident, new, &settings.wishes, false, now)
            .await?
            .id;
        if i % 20 == 7 {
            let volunteer = &volunteer_callers[i % VOLUNTEERS];
            let input = ChangeInput::default();
            store::apply(&mut tx, Some(volunteer), id, Action::Claim, input, settings, now).await?;
            claimed += 1;
        } else if i % 50 == 3 {
            let input = ChangeInput {
                note: Some("不需要了".into()),
                ..Default::default()
            };
            store::apply(&mut tx, Some(resident), id, Action::Cancel, input, settings, now).await?;
            cancelled += 1;
        } else {
            open_wishes.push(id);
        }
        if i % 1000 == 999 {
            tx.commit().await?;
            tx = db.begin_write().await?;
        }
    }
    tx.commit().await?;
    Ok(Seeded {
        volunteer_tokens,
        open_wishes,
        claimed,
        cancelled,
    })
}

// ---------------------------------------------------------------------------------------------
// Load generation.

/// Latencies and outcomes of one phase.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    ok: u64,
    lost: u64,
    other_4xx: u64,
    server_errors: u64,
    transport_errors: u64,
    wins: Vec<i64>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.ok += other.ok;
        self.lost += other.lost;
        self.other_4xx += other.other_4xx;
        self.server_errors += other.server_errors;
        self.transport_errors += other.transport_errors;
        self.wins.extend(other.wins);
    }

    fn total(&self) -> u64 {
        self.ok + self.lost + self.other_4xx + self.server_errors + self.transport_errors
    }
}

/// A finished phase.
struct Phase {
    name: String,
    concurrency: String,
    elapsed: Duration,
    tally: Tally,
    /// CPU time used during the phase by the server process and by this load generator.
    server_cpu: Duration,
    client_cpu: Duration,
}

impl Phase {
    fn new(name: impl Into<String>, concurrency: impl Into<String>, run: Run) -> Phase {
        let Run {
            elapsed,
            mut tally,
            server_cpu,
            client_cpu,
        } = run;
        tally.latencies.sort_unstable();
        Phase {
            name: name.into(),
            concurrency: concurrency.into(),
            elapsed,
            tally,
            server_cpu,
            client_cpu,
        }
    }

    /// CPU microseconds per request.
    fn cpu_per_request(&self, cpu: Duration) -> f64 {
        cpu.as_secs_f64() * 1e6 / self.tally.total().max(1) as f64
    }

    fn rate(&self) -> f64 {
        self.tally.total() as f64 / self.elapsed.as_secs_f64()
    }

    fn per_second(&self, n: u64) -> f64 {
        n as f64 / self.elapsed.as_secs_f64()
    }

    /// Nearest-rank percentile, in milliseconds.
    fn percentile(&self, p: f64) -> f64 {
        let l = &self.tally.latencies;
        if l.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * l.len() as f64).ceil() as usize;
        l[rank.clamp(1, l.len()) - 1].as_secs_f64() * 1e3
    }

    fn summary(&self) -> String {
        let t = &self.tally;
        format!(
            "{:<44} {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  CPU/req server {:.0} µs, client {:.0} µs  ({} ok, {} lost, {} other 4xx, {} 5xx, {} transport errors)",
            self.name,
            self.rate(),
            self.percentile(50.0),
            self.percentile(99.0),
            self.percentile(100.0),
            self.cpu_per_request(self.server_cpu),
            self.cpu_per_request(self.client_cpu),
            t.ok,
            t.lost,
            t.other_4xx,
            t.server_errors,
            t.transport_errors
        )
    }
}

/// The raw result of one phase.
struct Run {
    elapsed: Duration,
    tally: Tally,
    server_cpu: Duration,
    client_cpu: Duration,
}

/// Runs a phase, noting the CPU time the server and this process use meanwhile.
async fn measure(server: &ServerProcess, phase: impl Future<Output = (Duration, Tally)>) -> Run {
    let (server_before, client_before) = (server.cpu(), cpu_time("/proc/self/stat"));
    let (elapsed, tally) = phase.await;
    Run {
        elapsed,
        tally,
        server_cpu: server.cpu().saturating_sub(server_before),
        client_cpu: cpu_time("/proc/self/stat").saturating_sub(client_before),
    }
}

/// Sends one request and records its outcome; `started` is when it should have started.
async fn record(tally: &mut Tally, req: reqwest::RequestBuilder, started: Instant) -> Option<(u16, Value)> {
    match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let body = resp.bytes().await;
            tally.latencies.push(started.elapsed());
            let Ok(body) = body else {
                tally.transport_errors += 1;
                return None;
            };
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            match status {
                200..=299 => tally.ok += 1,
                409 if body["code"] == "claim_lost" => tally.lost += 1,
                400..=499 => tally.other_4xx += 1,
                _ => tally.server_errors += 1,
            }
            Some((status, body))
        }
        Err(_) => {
            tally.latencies.push(started.elapsed());
            tally.transport_errors += 1;
            None
        }
    }
}

/// Closed loop: `concurrency` tasks each send `GET path` back to back for `duration`.
async fn closed_get(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    concurrency: usize,
    duration: Duration,
) -> (Duration, Tally) {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let client = client.clone();
            let url = url.to_string();
            let token = token.map(str::to_string);
            tokio::spawn(async move {
                let mut tally = Tally::default();
                while Instant::now() < deadline {
                    let mut req = client.get(&url);
                    if let Some(token) = &token {
                        req = req.bearer_auth(token);
                    }
                    record(&mut tally, req, Instant::now()).await;
                }
                tally
            })
        })
        .collect();
    let mut tally = Tally::default();
    for t in futures::future::join_all(tasks).await {
        tally.merge(t.expect("load task"));
    }
    (start.elapsed(), tally)
}

/// Open loop: `rate` requests/s spread over `workers` tasks on a fixed schedule; each latency is
/// measured from the scheduled send time, so a late start counts against the server.
async fn open_get(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    rate: f64,
    workers: usize,
    duration: Duration,
) -> (Duration, Tally) {
    let start = Instant::now() + Duration::from_millis(20);
    let total = (rate * duration.as_secs_f64()).round() as usize;
    let gap = Duration::from_secs_f64(1.0 / rate);
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let client = client.clone();
            let url = url.to_string();
            let token = token.to_string();
            tokio::spawn(async move {
                let mut tally = Tally::default();
                for n in (w..total).step_by(workers) {
                    let due = start + gap * n as u32;
                    tokio::time::sleep_until(due.into()).await;
                    record(&mut tally, client.get(&url).bearer_auth(&token), due).await;
                }
                tally
            })
        })
        .collect();
    let mut tally = Tally::default();
    for t in futures::future::join_all(tasks).await {
        tally.merge(t.expect("load task"));
    }
    (start.elapsed(), tally)
}

/// Contended claims: the open wishes, shuffled, each offered `CONTENDERS` times in a row to
/// whichever tasks come next (each task is a different volunteer), so several volunteers race
/// for the same wish at the same moment.
async fn claims(
    client: &reqwest::Client,
    base: &str,
    tokens: &[String],
    wishes: &[i64],
    concurrency: usize,
    duration: Duration,
) -> (Duration, Tally) {
    let mut order = wishes.to_vec();
    order.shuffle(&mut rand::rng());
    let queue: Arc<Vec<i64>> = Arc::new(
        order
            .iter()
            .flat_map(|&id| std::iter::repeat_n(id, CONTENDERS))
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let client = client.clone();
            let token = tokens[t % tokens.len()].clone();
            let base = base.to_string();
            let queue = queue.clone();
            let next = next.clone();
            tokio::spawn(async move {
                let mut tally = Tally::default();
                while Instant::now() < deadline {
                    let Some(&wish) = queue.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let req = client
                        .post(format!("{base}/api/v1/wishes/{wish}/claim"))
                        .bearer_auth(&token);
                    if let Some((200, _)) = record(&mut tally, req, Instant::now()).await {
                        tally.wins.push(wish);
                    }
                }
                tally
            })
        })
        .collect();
    let mut tally = Tally::default();
    for t in futures::future::join_all(tasks).await {
        tally.merge(t.expect("load task"));
    }
    (start.elapsed(), tally)
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
    let db = create_database(args.engine).await?;
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
    let outcome = load(args, duration, stub, &db, &server, &seeded).await;
    let stopped = server.stop();
    db.close().await;
    let report = outcome?;
    stopped?;
    println!("{report}");
    Ok(())
}

async fn load(
    args: &Args,
    duration: Duration,
    stub: &WechatStub,
    db: &Db,
    server: &ServerProcess,
    seeded: &Seeded,
) -> anyhow::Result<String> {
    let base = server.base.clone();
    microwish_wechat::install_crypto_provider();
    let client = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(args.concurrency * 2)
        .timeout(Duration::from_secs(30))
        .build()?;
    ensure!(
        client.get(format!("{base}/readyz")).send().await?.status().is_success(),
        "the server is not ready"
    );
    // One real sign-in through the WeChat stub, to prove the wiring.
    let code = stub.issue_login_code("bench-login-check");
    let login = client
        .post(format!("{base}/api/v1/auth/wechat"))
        .json(&json!({ "code": code }))
        .send()
        .await?;
    ensure!(
        login.status().is_success(),
        "sign-in through the stub failed: {}",
        login.status()
    );
    let token = seeded.volunteer_tokens[0].clone();
    let page: Value = client
        .get(format!("{base}{LIST_PATH}"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let items = page["items"].as_array().map_or(0, Vec::len);
    ensure!(items == 20, "the open list should hold a page of 20, got {page}");

    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.rss_kib();
    let load_before = loadavg();

    let c = args.concurrency;
    let list_url = format!("{base}{LIST_PATH}");
    let mut phases = Vec::new();
    // Warm-up (not recorded): connections, the server's pool, caches.
    closed_get(&client, &list_url, Some(&token), c, Duration::from_secs(2)).await;

    eprintln!("bench: GET /healthz ...");
    let run = measure(
        server,
        closed_get(&client, &format!("{base}/healthz"), None, c, duration),
    )
    .await;
    phases.push(Phase::new("`GET /healthz` (ceiling)", format!("{c} closed"), run));
    eprintln!("  {}", phases[0].summary());

    eprintln!("bench: GET {LIST_PATH} ...");
    let run = measure(server, closed_get(&client, &list_url, Some(&token), c, duration)).await;
    phases.push(Phase::new(
        "`GET /api/v1/wishes?status=open`",
        format!("{c} closed"),
        run,
    ));
    eprintln!("  {}", phases[1].summary());

    let half = (phases[1].rate() / 2.0).max(1.0);
    eprintln!("bench: GET {LIST_PATH} paced at {half:.0}/s ...");
    let run = measure(server, open_get(&client, &list_url, &token, half, c, duration)).await;
    phases.push(Phase::new(
        "`GET /api/v1/wishes?status=open` at half load",
        format!("open loop {half:.0}/s"),
        run,
    ));
    eprintln!("  {}", phases[2].summary());

    eprintln!("bench: contended claims ...");
    let tokens = &seeded.volunteer_tokens;
    let run = measure(server, claims(&client, &base, tokens, &seeded.open_wishes, c, duration)).await;
    phases.push(Phase::new(
        "`POST /api/v1/wishes/{id}/claim`, contended",
        format!("{c} closed"),
        run,
    ));
    eprintln!("  {}", phases[3].summary());
    let after_load = server.rss_kib();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_after = server.rss_kib();

    // Checks: no 5xx anywhere; every wish won at most once; the database agrees with the 200s.
    for p in &phases {
        ensure!(
            p.tally.server_errors == 0 && p.tally.transport_errors == 0,
            "{}: {} 5xx, {} transport errors",
            p.name,
            p.tally.server_errors,
            p.tally.transport_errors
        );
    }
    let claim = &phases[3];
    let mut winners: HashMap<i64, u32> = HashMap::new();
    for &w in &claim.tally.wins {
        *winners.entry(w).or_default() += 1;
    }
    ensure!(winners.values().all(|&n| n == 1), "a wish was won twice");
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wishes WHERE status = 'claimed'")
        .fetch_one(db.pool())
        .await?;
    ensure!(
        held as usize == seeded.claimed + claim.tally.wins.len(),
        "the database holds {held} claimed wishes; expected {} seeded + {} won",
        seeded.claimed,
        claim.tally.wins.len()
    );

    let mib = |v: Option<(u64, u64)>, peak: bool| match v {
        Some((rss, hwm)) => format!("{:.1} MiB", (if peak { hwm } else { rss }) as f64 / 1024.0),
        None => "n/a".into(),
    };
    let mut out = String::new();
    let engine = format!("{:?}", args.engine).to_lowercase();
    out.push_str(&format!(
        "\n### {engine}: {} s per phase, {c} connections, {WISHES} wishes ({} open at start)\n\n",
        args.duration,
        seeded.open_wishes.len()
    ));
    out.push_str("| phase | load | req/s | p50 ms | p99 ms | max ms | server CPU µs/req | outcome |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---|\n");
    for p in &phases {
        let t = &p.tally;
        let outcome = if p.name.contains("claim") {
            format!(
                "{:.0} wins/s + {:.0} lost (409 `claim_lost`)/s; {} other 4xx, {} 5xx",
                p.per_second(t.ok),
                p.per_second(t.lost),
                t.other_4xx,
                t.server_errors
            )
        } else {
            format!("{} × 200, {} 4xx, {} 5xx", t.ok, t.other_4xx + t.lost, t.server_errors)
        };
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.0} | {} |\n",
            p.name,
            p.concurrency,
            p.rate(),
            p.percentile(50.0),
            p.percentile(99.0),
            p.percentile(100.0),
            p.cpu_per_request(p.server_cpu),
            outcome
        ));
    }
    let ratio = phases[1].rate() / phases[0].rate() * 100.0;
    out.push_str(&format!(
        "\n- list / healthz rate: {ratio:.1} %\n- claims: {} wishes offered to {CONTENDERS} volunteers each, {} won, each exactly once (checked against the database)\n",
        claim.tally.total().div_ceil(CONTENDERS as u64),
        claim.tally.wins.len(),
    ));
    out.push_str(&format!(
        "- server RSS: idle after seeding {}, right after the load {} (peak {}), idle 2 s later {}\n",
        mib(idle, false),
        mib(after_load, false),
        mib(after_load, true),
        mib(idle_after, false)
    ));
    let client_cpu: Duration = phases.iter().map(|p| p.client_cpu).sum();
    let server_cpu: Duration = phases.iter().map(|p| p.server_cpu).sum();
    let wall: Duration = phases.iter().map(|p| p.elapsed).sum();
    out.push_str(&format!(
        "- CPU over the four phases: server {:.2} cores, load generator {:.2} cores (of {}); load average before {}, after {}\n",
        server_cpu.as_secs_f64() / wall.as_secs_f64(),
        client_cpu.as_secs_f64() / wall.as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before,
        loadavg()
    ));
    Ok(out)
}
