//! The queue delivery workers take notifications from: `notification_queue`, one narrow row per
//! notification still to deliver (a trigger on `notifications` adds it; the outcome that ends it
//! removes it). Claiming leases due rows in a batch; a lapsed lease is claimed again, which is how
//! a crashed worker's batch is rescued. Where the engines differ the two forms stand side by side:
//! PostgreSQL skips rows other workers are claiming (`FOR UPDATE SKIP LOCKED`) and returns the
//! records in the claim's own statement; SQLite serialises writers and reads them after.

mod pg_array;
mod record;

use sqlx::Row;

pub use record::{Outcome, record};

use super::NotificationKind;
use super::row::{COLUMNS, Notification, from_row};
use crate::db::{Db, Engine};

/// The rows a claim leases: due, not held by a live lease, of a kind this build knows (in a
/// rolling upgrade an older worker leaves a newer kind to the workers that can deliver it), the
/// longest due first. In-flight rows stay in the due index (their lease changes no indexed
/// column, so the claim is a HOT update) and are passed over here.
fn claimable() -> String {
    let known: Vec<String> = NotificationKind::ALL.iter().map(|k| format!("'{k}'")).collect();
    format!(
        "SELECT id FROM notification_queue WHERE available_at <= $3 AND (lease_owner IS NULL OR lease_until < $3) \
         AND kind IN ({}) ORDER BY available_at, id LIMIT $4",
        known.join(", ")
    )
}

/// The lease itself. PostgreSQL skips rows another worker is claiming, and takes the picked ids
/// as an array: with `id IN (…)` its planner hashes the pick and scans the whole queue to join
/// it (7 ms of a 15 ms claim of 1,000 among 50,000); `= ANY(ARRAY(…))` probes the key instead.
fn lease_sql(engine: Engine) -> String {
    let picked = match engine {
        Engine::Postgres => format!("id = ANY(ARRAY({} FOR UPDATE SKIP LOCKED))", claimable()),
        Engine::Sqlite => format!("id IN ({})", claimable()),
    };
    format!(
        "UPDATE notification_queue SET lease_owner = $2, lease_until = $1, claims = claims + 1 \
         WHERE {picked} RETURNING id, lease_owner, claims"
    )
}

/// `id` among a set passed as parameter `$param` (see [`ids_param`]), so each statement has one
/// text whatever the batch size: an array probed by key on PostgreSQL, a JSON array on SQLite.
fn among(engine: Engine, param: u8) -> String {
    match engine {
        Engine::Postgres => format!("id = ANY(${param}::BIGINT[])"),
        Engine::Sqlite => format!("id IN (SELECT value FROM json_each(${param}))"),
    }
}

/// The set of ids for [`among`].
fn ids_param(engine: Engine, ids: &[i64]) -> String {
    match engine {
        Engine::Postgres => pg_array::ints(ids.iter().copied()),
        Engine::Sqlite => serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()),
    }
}

/// Claims up to `limit` due notifications for `owner` until `lease_until`, lapsed leases
/// included. One round trip on PostgreSQL (the lease and the records in one statement); two on
/// SQLite, which has no data-modifying `WITH`.
pub async fn claim(
    db: &Db,
    owner: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<Notification>, sqlx::Error> {
    let lease = lease_sql(db.engine());
    let rows = match db.engine() {
        Engine::Postgres => {
            let sql = format!("WITH q AS ({lease}) SELECT {COLUMNS} FROM q JOIN notifications n ON n.id = q.id");
            let q = sqlx::query(sqlx::AssertSqlSafe(sql));
            let q = q.bind(lease_until).bind(owner).bind(now).bind(limit);
            q.fetch_all(db.pool()).await?
        }
        Engine::Sqlite => {
            let q = sqlx::query(sqlx::AssertSqlSafe(lease));
            let leased = q
                .bind(lease_until)
                .bind(owner)
                .bind(now)
                .bind(limit)
                .fetch_all(db.pool())
                .await?;
            if leased.is_empty() {
                return Ok(Vec::new());
            }
            let ids: Vec<i64> = leased.iter().map(|r| r.get(0)).collect();
            let sql = format!(
                "SELECT {COLUMNS} FROM notification_queue q JOIN notifications n ON n.id = q.id WHERE q.{}",
                among(Engine::Sqlite, 1)
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(ids_param(Engine::Sqlite, &ids))
                .fetch_all(db.pool())
                .await?
        }
    };
    rows.iter().map(from_row).collect()
}

/// Extends `owner`'s leases on `ids` to at least `lease_until`, so a slow channel (or a batch
/// claimed ahead of its turn) does not let another worker rescue — and send again — what this
/// one holds; returns the ids still held. A row whose lease lapsed and was taken over has another
/// owner and is left alone (and is not returned: this worker must not send it).
pub async fn extend(db: &Db, owner: &str, ids: &[i64], lease_until: i64) -> Result<Vec<i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "UPDATE notification_queue SET lease_until = CASE WHEN lease_until < $2 THEN $2 ELSE lease_until END \
         WHERE lease_owner = $1 AND {} RETURNING id",
        among(db.engine(), 3)
    );
    let q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(owner)
        .bind(lease_until)
        .bind(ids_param(db.engine(), ids));
    Ok(q.fetch_all(db.pool()).await?.iter().map(|r| r.get(0)).collect())
}

/// Gives back leases `owner` took but will not use (a batch claimed ahead when the worker
/// stops): due again at once, and the claim undone, so the next claim is not taken for the
/// rescue of a crashed worker's batch.
pub async fn release(db: &Db, owner: &str, ids: &[i64]) -> Result<u64, sqlx::Error> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE notification_queue SET lease_owner = NULL, lease_until = NULL, claims = claims - 1 \
         WHERE lease_owner = $1 AND {}",
        among(db.engine(), 2)
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(owner)
        .bind(ids_param(db.engine(), ids))
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

/// Notifications still to deliver, by status (`pending`, `retry`, `sending`), for the
/// queue-depth gauge: a scan of the queue alone, never of the whole history.
pub async fn depth(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT CASE WHEN lease_owner IS NOT NULL THEN 'sending' ELSE status END AS s, COUNT(*) \
         FROM notification_queue GROUP BY 1",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
