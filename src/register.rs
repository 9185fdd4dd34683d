//! `microwish import households FILE.csv` and `microwish export households`: the register from and
//! to the spreadsheets communities keep, through the same core code as the admin endpoint.

use std::io::{BufReader, Write};
use std::path::Path;

use anyhow::Context;

use microwish_core::register::{export, import};
use microwish_core::{Clock, Db, SystemClock};

/// Imports a CSV file and prints the per-line report; fails only if the file cannot be read or
/// its header lacks the columns (refused lines are reported, the rest applied).
pub async fn import_households(db: &Db, file: &Path) -> anyhow::Result<()> {
    let input = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let started = std::time::Instant::now();
    let report = import::import(db, BufReader::new(input), SystemClock.now_ms()).await?;
    for r in &report.refused {
        println!("line {}: refused: {}", r.line, r.message);
    }
    if report.refused_total > report.refused.len() as u64 {
        println!(
            "… and {} more refused lines",
            report.refused_total - report.refused.len() as u64
        );
    }
    println!(
        "{}: {} created, {} updated, {} unchanged, {} refused ({} new households) in {:.2}s",
        file.display(),
        report.created,
        report.updated,
        report.unchanged,
        report.refused_total,
        report.households_created,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes the register (of one grid, or all) as CSV to standard output.
pub async fn export_households(db: &Db, grid_id: Option<i64>) -> anyhow::Result<()> {
    let mut conn = db.pool().acquire().await?;
    let mut out = Vec::new();
    export::export(&mut conn, grid_id, &mut out).await?;
    std::io::stdout().lock().write_all(&out)?;
    Ok(())
}
