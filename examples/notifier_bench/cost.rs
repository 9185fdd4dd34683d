//! What the drain cost, per delivery, in figures a shared machine does not blur much: this
//! process's CPU (the workers), the CPU of the PostgreSQL backends serving the bench database
//! (read from /proc: PostgreSQL runs on this host), its commits, and the row versions written to
//! each table — with how many of the updates were HOT (no index entry rewritten).

use super::*;
use crate::procfs::{cpu_time, loadavg};

/// Counters read before the drain.
pub(crate) struct Before {
    worker_cpu: Duration,
    backends: HashMap<i32, Duration>,
    stats: Option<PgStats>,
}

/// The database's own counters (PostgreSQL only).
struct PgStats {
    commits: i64,
    tables: Vec<(String, [i64; 4])>,
}

async fn backends(db: &Db) -> anyhow::Result<HashMap<i32, Duration>> {
    if db.engine() != microwish_core::Engine::Postgres {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let pid: i32 = r.get(0);
            (pid, cpu_time(&format!("/proc/{pid}/stat")))
        })
        .collect())
}

async fn stats(db: &Db) -> anyhow::Result<Option<PgStats>> {
    if db.engine() != microwish_core::Engine::Postgres {
        return Ok(None);
    }
    // Counters reach the statistics system when a backend goes idle (at most once a second).
    let commits: i64 = sqlx::query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        .fetch_one(db.pool())
        .await?
        .get(0);
    let rows = sqlx::query(
        "SELECT relname::TEXT, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables \
         WHERE relname LIKE 'notification%' ORDER BY relname",
    )
    .fetch_all(db.pool())
    .await?;
    let tables = rows
        .iter()
        .map(|r| (r.get(0), [r.get(1), r.get(2), r.get(3), r.get(4)]))
        .collect();
    Ok(Some(PgStats { commits, tables }))
}

/// Reads the counters before the drain.
pub(crate) async fn before(db: &Db) -> anyhow::Result<Before> {
    Ok(Before {
        worker_cpu: cpu_time("/proc/self/stat"),
        backends: backends(db).await?,
        stats: stats(db).await?,
    })
}

/// CPU used since `before`, by this process and by the database's backends: read as the drain
/// ends, while the workers' connections are still open.
pub(crate) async fn cpu_since(before: &Before, db: &Db) -> anyhow::Result<(Duration, Duration)> {
    let worker = cpu_time("/proc/self/stat").saturating_sub(before.worker_cpu);
    let now = backends(db).await?;
    let backend = now
        .iter()
        .map(|(pid, cpu)| cpu.saturating_sub(before.backends.get(pid).copied().unwrap_or_default()))
        .sum();
    Ok((worker, backend))
}

/// Prints the cost per delivery; the database counters are read once the workers are gone.
pub(crate) async fn report(before: &Before, cpu: (Duration, Duration), db: &Db, count: usize) -> anyhow::Result<()> {
    let per = |d: Duration| d.as_secs_f64() * 1e6 / count as f64;
    println!(
        "cpu per delivery: workers {:.1} µs, database backends {:.1} µs (load average {})",
        per(cpu.0),
        per(cpu.1),
        loadavg()
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (Some(old), Some(new)) = (&before.stats, stats(db).await?) else {
        return Ok(());
    };
    let commits = new.commits - old.commits;
    println!("commits {commits} ({:.4} per delivery)", commits as f64 / count as f64);
    for (table, after) in &new.tables {
        let start = old.tables.iter().find(|(t, _)| t == table).map_or([0; 4], |(_, c)| *c);
        let d: Vec<i64> = after.iter().zip(start).map(|(a, b)| a - b).collect();
        println!(
            "  {table}: inserted {}, updated {} (HOT {}), deleted {} during the drain",
            d[0], d[1], d[2], d[3]
        );
    }
    Ok(())
}
