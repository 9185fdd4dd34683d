//! Throwaway databases: a fresh SQLite file in a temporary folder, or a fresh PostgreSQL
//! database created through an admin URL — and dropped again afterwards.

use std::path::PathBuf;

use microwish_core::{Db, Engine};

/// The admin URL used when the environment names none.
pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database made for one run. Call [`ThrowawayDb::drop_now`] when done (dropping it needs a
/// runtime, which a destructor cannot count on).
#[derive(Debug)]
pub struct ThrowawayDb {
    /// The URL to connect to it.
    pub url: String,
    place: Place,
}

#[derive(Debug)]
enum Place {
    SqliteDir(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl ThrowawayDb {
    /// Creates one on `engine`; `prefix` names it (e.g. `mw_test`) and the PostgreSQL admin URL
    /// comes from the environment variable `admin_url_var`, else [`DEFAULT_POSTGRES`].
    pub async fn create(engine: Engine, prefix: &str, admin_url_var: &str) -> Result<Self, String> {
        let name = format!("{prefix}_{}_{:016x}", std::process::id(), rand::random::<u64>());
        match engine {
            Engine::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                Ok(Self {
                    url: format!("sqlite://{}/db.sqlite", dir.display()),
                    place: Place::SqliteDir(dir),
                })
            }
            Engine::Postgres => {
                let admin_url = std::env::var(admin_url_var).unwrap_or_else(|_| DEFAULT_POSTGRES.into());
                let admin = Db::connect(&admin_url, 1)
                    .await
                    .map_err(|e| format!("PostgreSQL at {admin_url} is needed: {e}"))?;
                let created = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(admin.pool())
                    .await;
                admin.close().await;
                created.map_err(|e| format!("cannot create database {name}: {e}"))?;
                let (base, _) = admin_url
                    .rsplit_once('/')
                    .ok_or_else(|| format!("{admin_url_var} must name a database"))?;
                Ok(Self {
                    url: format!("{base}/{name}"),
                    place: Place::Postgres { admin_url, name },
                })
            }
        }
    }

    /// Removes it (close every connection to it first). Failures are reported on stderr: a
    /// leftover is untidy, not wrong.
    pub async fn drop_now(self) {
        match self.place {
            Place::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Place::Postgres { admin_url, name } => {
                let Ok(admin) = Db::connect(&admin_url, 1).await else {
                    eprintln!("could not reach {admin_url} to drop database {name}");
                    return;
                };
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                if let Err(err) = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(admin.pool()).await {
                    eprintln!("could not drop database {name}: {err}");
                }
                admin.close().await;
            }
        }
    }
}
