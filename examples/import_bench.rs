//! `cargo run --release --example import_bench -- --engine sqlite|postgres --rows 50000`
//!
//! Times the population-register import (`microwish import households FILE.csv` runs the same
//! `microwish_core::register::import::import`, streaming the file) on a fresh database (a SQLite
//! file in a temporary folder, or a PostgreSQL database created on MICROWISH_BENCH_POSTGRES_URL,
//! default postgres://postgres@127.0.0.1:5432/postgres, dropped at the end):
//! 1. 50 buildings in 5 grids; a CSV of `--rows` people, 2.5 per household (4 units × 100 rooms
//!    per building), written to a temporary file;
//! 2. the first import (everything created), a re-import of the same file (everything
//!    unchanged), and an import where every tenth phone changed (updates);
//! 3. checks of the counts after each pass (people in the table, nothing duplicated).

use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::ensure;
use clap::Parser;
use sqlx::Row;

use microwish::startup;
use microwish_core::fields::GridName;
use microwish_core::people::grid::{self, GridInput};
use microwish_core::people::{Caller, Role};
use microwish_core::register::building;
use microwish_core::register::fields::BuildingName;
use microwish_core::register::import;
use microwish_core::{Clock, SystemClock};

#[path = "shared/engine.rs"]
mod engine;

use engine::{EngineArg, create_database};

const BUILDINGS: usize = 50;

/// Time the register import.
#[derive(Debug, Parser)]
struct Args {
    /// Database engine.
    #[arg(long, value_enum, default_value_t = EngineArg::Sqlite)]
    engine: EngineArg,
    /// People in the sheet.
    #[arg(long, default_value_t = 50_000)]
    rows: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(bench(args))
}

async fn bench(args: Args) -> anyhow::Result<()> {
    let name = format!("mw_ibench_{}_{:08x}", std::process::id(), rand::random::<u32>());
    let dir = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&dir)?;
    let db = create_database(args.engine, "mw_ibench").await?;
    let result = run(&args, &db.url, &dir).await;
    db.drop_now().await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn write_sheet(path: &PathBuf, rows: usize, changed_every: Option<usize>) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "building,unit,room,name,phone,relation,tags")?;
    let relations = ["户主", "配偶", "子女"];
    for i in 0..rows {
        let household = i * 2 / 5;
        let building = household / 400 % BUILDINGS;
        let unit = household / 100 % 4 + 1;
        let room = (household % 100 / 10 + 1) * 100 + household % 10 + 1;
        let changed = changed_every.is_some_and(|n| i % n == 0);
        let phone = 13_000_000_000u64 + i as u64 + if changed { 500_000_000 } else { 0 };
        let tags = if i % 7 == 0 { "独居;高龄" } else { "" };
        writeln!(
            out,
            "{}号楼,{unit}单元,{room},居民{i},{phone},{},{tags}",
            building + 1,
            relations[i % 3]
        )?;
    }
    out.flush()?;
    Ok(())
}

async fn run(args: &Args, url: &str, dir: &std::path::Path) -> anyhow::Result<()> {
    let mut settings = microwish::config::load(None)?;
    settings.database.url = url.into();
    let db = startup::open_database(&settings).await?;
    let now = SystemClock.now_ms();
    let staff = Caller {
        user_id: 0,
        roles: vec![Role::Admin],
        led_grids: vec![],
    };
    let mut tx = db.begin_write().await?;
    let mut grids = Vec::new();
    for g in 0..5 {
        let input = GridInput {
            name: GridName::parse(&format!("第{}网格", g + 1))?,
            leader_user_id: None,
            wecom_robot_key: None,
        };
        grids.push(grid::create(&mut tx, None, input, now).await?.id);
    }
    for b in 0..BUILDINGS {
        let name = BuildingName::parse(&format!("{}号楼", b + 1))?;
        building::create(&mut tx, &staff, grids[b % 5], name, now).await?;
    }
    tx.commit().await?;

    let sheet = dir.join("households.csv");
    let changed = dir.join("households-changed.csv");
    write_sheet(&sheet, args.rows, None)?;
    write_sheet(&changed, args.rows, Some(10))?;
    println!(
        "engine {:?}, {} rows, {} bytes",
        args.engine,
        args.rows,
        std::fs::metadata(&sheet)?.len()
    );
    for (pass, file) in [
        ("first import", &sheet),
        ("same file again", &sheet),
        ("every 10th phone changed", &changed),
    ] {
        let started = Instant::now();
        let report = import::import(&db, BufReader::new(std::fs::File::open(file)?), SystemClock.now_ms()).await?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{pass:>26}: {:6.2} s  {:>8.0} rows/s  created {} updated {} unchanged {} refused {}",
            secs,
            args.rows as f64 / secs,
            report.created,
            report.updated,
            report.unchanged,
            report.refused_total
        );
        ensure!(report.refused_total == 0, "refused lines: {:?}", report.refused.first());
        let people: i64 = sqlx::query("SELECT COUNT(*) FROM people")
            .fetch_one(db.pool())
            .await?
            .get(0);
        ensure!(people == args.rows as i64, "{people} people after {pass}");
    }
    db.close().await;
    Ok(())
}
