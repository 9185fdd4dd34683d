//! The database handle: one `Any` pool for SQLite or PostgreSQL, chosen by URL, with the
//! engine-specific details (SQLite pragmas, write-transaction mode, migrations) kept here.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{Any, AnyPool, Connection, Executor, Transaction};

/// The connection every store function takes (a transaction dereferences to one), named here so
/// crates above the core need not depend on sqlx to pass one along.
pub use sqlx::AnyConnection;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// A pooled connection idle longer than this is pinged before it is handed out.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(30);

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded default.
    Sqlite,
    /// The scale-out engine.
    Postgres,
}

/// A connection pool plus the knowledge of which engine it talks to.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// Counts write transactions begun through this handle (and its clones): a cache of what was
    /// read is stale once it moves.
    generation: Arc<AtomicU64>,
}

impl Db {
    /// Connects to `url`, creating the SQLite file (and its folder) on first use.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            Engine::Postgres
        };
        let url = match engine {
            Engine::Sqlite => prepare_sqlite_url(url)?,
            Engine::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        // sqlx pings every idle connection it hands out (`test_before_acquire`) and again every
        // connection given back; on PostgreSQL each ping is a round trip, a fifth of a claim's
        // server CPU when profiled (docs/benchmarks.md). The ping on release stays (it also flushes
        // a rollback left by a dropped future); the one on acquire is kept only for a connection
        // idle long enough that the server or a middlebox may have dropped it.
        let mut pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > IDLE_BEFORE_PING {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            });
        if engine == Engine::Sqlite {
            // WAL lets readers run beside the one writer; the busy timeout makes a second writer
            // wait instead of failing; foreign keys are off in SQLite unless asked for.
            pool = pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(options).await?;
        Ok(Db {
            pool,
            engine,
            generation: Arc::default(),
        })
    }

    /// Applies pending migrations for this engine.
    pub async fn migrate(&self) -> Result<(), MigrateError> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await,
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        }
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so a read-then-write cannot fail later with "database is locked";
    /// concurrent writers queue on the busy timeout instead.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        self.generation.fetch_add(1, Ordering::AcqRel);
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }

    /// [`begin_write`](Self::begin_write), then `first`, a statement without parameters. On
    /// PostgreSQL both go as one simple query, so the transaction's first statement costs no round
    /// trip of its own; on SQLite (in-process) it simply follows.
    pub async fn begin_write_with(&self, first: &str) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => {
                let mut tx = self.begin_write().await?;
                tx.execute(sqlx::AssertSqlSafe(first.to_owned())).await?;
                Ok(tx)
            }
            Engine::Postgres => {
                self.generation.fetch_add(1, Ordering::AcqRel);
                self.pool
                    .begin_with(sqlx::AssertSqlSafe(format!("BEGIN; {first}")))
                    .await
            }
        }
    }

    /// How many write transactions this process has begun through this handle. A cache keyed by
    /// it drops what it read once any write starts here; writes of other processes (and one
    /// racing a read) it cannot see, so such a cache also needs a short expiry.
    pub fn write_generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The pool, for reads outside a transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The engine behind the pool.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Whether the database takes a write: a write transaction that updates the readiness row and
    /// rolls back. Fails when SQLite is read-only or locked by another writer, or PostgreSQL is
    /// down or read-only (a replica). Callers bound the wait (the busy timeout is long).
    pub async fn writable(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE readiness SET checked_at = checked_at + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        tx.rollback().await
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Makes sure the folder of a SQLite file exists and that the file is created if missing.
fn prepare_sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let parent = std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent.filter(|_| !path.starts_with(":memory:")) {
        std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
    }
    if query.contains("mode=") {
        Ok(url.to_string())
    } else if query.is_empty() {
        Ok(format!("sqlite://{path}?mode=rwc"))
    } else {
        Ok(format!("sqlite://{path}?{query}&mode=rwc"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_gain_create_mode() {
        let dir = std::env::temp_dir().join("microwish-url-test");
        let url = format!("sqlite://{}/a.db", dir.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.exists());
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:?mode=memory").unwrap(),
            "sqlite::memory:?mode=memory"
        );
    }
}
