//! What the benchmarks share: the engine to run on, as a command-line choice, and a fresh
//! database on it (a SQLite file in a temporary folder, or a PostgreSQL database created on
//! `MICROWISH_BENCH_POSTGRES_URL`), dropped when the run ends. Included by each benchmark with
//! `#[path]`: examples are separate crates.

use microwish_testkit::ThrowawayDb;

/// The database engine a benchmark runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineArg {
    Sqlite,
    Postgres,
}

/// A fresh database on `engine`, its name starting with `prefix`.
pub async fn create_database(engine: EngineArg, prefix: &str) -> anyhow::Result<ThrowawayDb> {
    let engine = match engine {
        EngineArg::Sqlite => microwish_core::Engine::Sqlite,
        EngineArg::Postgres => microwish_core::Engine::Postgres,
    };
    ThrowawayDb::create(engine, prefix, "MICROWISH_BENCH_POSTGRES_URL")
        .await
        .map_err(anyhow::Error::msg)
}
