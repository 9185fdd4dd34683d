//! `cargo run --release --example insight_bench -- --engine postgres --grids 500 --wishes 1000000`
//!
//! Times the four indicators (`microwish_core::insight::compute`, what `GET /api/v1/insight`
//! runs for the current month and for a closed month not yet kept) on a fresh database (a SQLite
//! file, or a PostgreSQL database created on MICROWISH_BENCH_POSTGRES_URL, dropped at the end)
//! filled by SQL: `--grids` grids of 10 buildings, one household and one account per `--people`,
//! `--wishes` wishes spread evenly over 2026 (each posted, claimed, fulfilled, rated; two
//! timeline rows each) and an alert for every tenth. Then: one grid's month, the community's
//! month, and every grid's month (what the scheduler keeps when a month closes).

use std::time::Instant;

use clap::Parser;

use microwish::startup;
use microwish_core::insight::{self, Month};

#[path = "shared/engine.rs"]
mod engine;

use engine::{EngineArg, create_database};

/// Time the four indicators.
#[derive(Debug, Parser)]
struct Args {
    /// Database engine.
    #[arg(long, value_enum, default_value_t = EngineArg::Sqlite)]
    engine: EngineArg,
    /// Grids.
    #[arg(long, default_value_t = 50)]
    grids: i64,
    /// Households (one account each).
    #[arg(long, default_value_t = 20_000)]
    people: i64,
    /// Wishes over the year.
    #[arg(long, default_value_t = 100_000)]
    wishes: i64,
}

/// 2026-01-01T00:00+08:00.
const YEAR_START: i64 = 1_767_196_800_000;
const YEAR_MS: i64 = 365 * 86_400_000;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let db = create_database(args.engine, "mw_insight").await?;
        let result = run(&args, &db.url).await;
        db.drop_now().await;
        result
    })
}

/// Each statement fills one table from a counter `n(i)` running 1..=$1 (both engines).
const FILL: &[(&str, &str)] = &[
    (
        "grids",
        "INSERT INTO grids (id, name, created_at, updated_at) SELECT i, 'g' || CAST(i AS TEXT), 0, 0 FROM n",
    ),
    (
        "buildings",
        "INSERT INTO buildings (id, grid_id, name, created_at, updated_at) \
       SELECT i, (i - 1) % $2 + 1, 'b' || CAST(i AS TEXT), 0, 0 FROM n",
    ),
    (
        "households",
        "INSERT INTO households (id, building_id, room, created_at, updated_at) \
       SELECT i, (i - 1) % ($2 * 10) + 1, CAST(i AS TEXT), 0, 0 FROM n",
    ),
    (
        "users",
        "INSERT INTO users (id, openid, household_id, created_at, updated_at) \
       SELECT i, 'u' || CAST(i AS TEXT), i, 0, 0 FROM n",
    ),
    (
        "wishes",
        "INSERT INTO wishes (id, resident_id, created_by, grid_id, title, description, category, urgency, \
       status, volunteer_id, created_at, opened_at, claimed_at, fulfilled_at, closed_at, rating, updated_at) \
       SELECT i, (i - 1) % $3 + 1, (i - 1) % $3 + 1, (i - 1) % $2 + 1, 't', 'd', \
         CASE i % 3 WHEN 0 THEN 'errand' WHEN 1 THEN 'repair' ELSE 'companion' END, 'normal', 'closed', \
         (i * 7) % $3 + 1, c, c, c + (i % 1440) * 60000, c + (i % 1440) * 60000 + 3600000, \
         c + (i % 1440) * 60000 + 7200000, i % 5 + 1, c \
       FROM (SELECT i, $4 + i * $5 AS c FROM n) x",
    ),
    (
        "wish_timeline",
        "INSERT INTO wish_timeline (id, wish_id, at, actor_id, action, from_status, to_status) \
       SELECT 2 * id - 1, id, created_at, resident_id, 'create', NULL, 'open' FROM wishes WHERE $1 > 0 \
       UNION ALL SELECT 2 * id, id, claimed_at, volunteer_id, 'claim', 'open', 'claimed' FROM wishes",
    ),
    (
        "alerts",
        "INSERT INTO alerts (kind, level, wish_id, grid_id, status, unique_key, summary, created_at, acked_at, updated_at) \
       SELECT 'unclaimed', CASE WHEN id % 200 = 0 THEN 2 ELSE 1 END, id, grid_id, 'resolved', 'k' || CAST(id AS TEXT), 's', \
         claimed_at - 1000, claimed_at + 600000, claimed_at FROM wishes WHERE id % 10 = 0 AND $1 > 0",
    ),
];

async fn run(args: &Args, url: &str) -> anyhow::Result<()> {
    let mut settings = microwish::config::load(None)?;
    settings.database.url = url.into();
    let db = startup::open_database(&settings).await?;
    println!(
        "engine {:?}: {} grids, {} households, {} wishes",
        args.engine, args.grids, args.people, args.wishes
    );
    let counts = [args.grids, args.grids * 10, args.people, args.people, args.wishes, 1, 1];
    let started = Instant::now();
    for ((table, sql), count) in FILL.iter().zip(counts) {
        let statement = format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) {sql}");
        let mut tx = db.begin_write().await?;
        let mut q = sqlx::query(sqlx::AssertSqlSafe(statement)).bind(count);
        // Later parameters only where the statement uses them (SQLite counts them).
        for (at, value) in [
            (2, args.grids),
            (3, args.people),
            (4, YEAR_START),
            (5, YEAR_MS / args.wishes.max(1)),
        ] {
            if sql.contains(&format!("${at}")) {
                q = q.bind(value);
            }
        }
        q.execute(&mut *tx).await?;
        tx.commit().await?;
        println!("  filled {table} ({:.1} s so far)", started.elapsed().as_secs_f64());
    }
    if args.engine == EngineArg::Postgres {
        sqlx::query("ANALYZE").execute(db.pool()).await?;
    }
    let june = Month::parse("2026-06")?;
    let mut conn = db.pool().acquire().await?;
    for (what, grid) in [("one grid's June", 1), ("the community's June", 0)] {
        let t = Instant::now();
        let figures = insight::compute(&mut conn, &settings, grid, june).await?;
        let demand = figures["demand"].value.unwrap_or(0.0);
        println!("{what}: {:.0} ms (demand {demand})", t.elapsed().as_secs_f64() * 1000.0);
    }
    let t = Instant::now();
    for grid in 1..=args.grids {
        insight::compute(&mut conn, &settings, grid, june).await?;
    }
    let total = t.elapsed().as_secs_f64();
    println!(
        "every grid's June: {:.1} s ({:.0} ms a grid)",
        total,
        total * 1000.0 / args.grids as f64
    );
    Ok(())
}
