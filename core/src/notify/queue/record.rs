//! How a claimed batch ended, written back in one transaction: each notification's outcome on
//! its record, and its queue row removed (sent, dead, skipped) or made due again (a retry's
//! backoff, quiet hours) — guarded by the lease, so an outcome for a row another worker took over
//! is not written. The batch travels as one parameter per column (PostgreSQL, for `unnest`) or
//! one JSON array (SQLite, for `json_each`), so the statement text is the same for every batch —
//! prepared once per connection — and does not grow with it.

use serde::Serialize;
use serde_json::Value;

use super::super::row::{Notification, Status};
use super::pg_array;
use crate::db::{Db, Engine};

/// How one claimed notification ended this round.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The notification.
    pub id: i64,
    /// New status (`sent`, `retry`, `dead`, `skipped`, or `pending` when deferred).
    pub status: Status,
    /// Channel of the latest attempt.
    pub channel: Option<String>,
    /// Channels that cannot deliver it.
    pub channels_failed: Vec<String>,
    /// When it is due again (retry, deferral).
    pub available_at: i64,
    /// Latest error.
    pub last_error: Option<String>,
    /// Error history, newest last.
    pub history: Vec<Value>,
    /// Whether a send was attempted (deferrals do not count as attempts).
    pub attempted: bool,
}

impl Outcome {
    /// The outcome before any channel was tried: sent now, unless the worker decides otherwise.
    pub fn start(n: &Notification, now: i64) -> Self {
        Self {
            id: n.id,
            status: Status::Sent,
            channel: None,
            channels_failed: n.channels_failed.clone(),
            available_at: now,
            last_error: None,
            history: n.history.clone(),
            attempted: false,
        }
    }
}

/// One outcome as the statements read it (`v` below).
#[derive(Serialize)]
struct Row<'a> {
    id: i64,
    status: &'static str,
    channel: Option<&'a str>,
    failed: String,
    available_at: i64,
    last_error: Option<&'a str>,
    history: String,
    attempted: i64,
}

fn rows(outcomes: &[Outcome]) -> Vec<Row<'_>> {
    outcomes
        .iter()
        .map(|o| {
            // The row keeps the latest 20 errors.
            let keep = o.history.len().saturating_sub(20);
            Row {
                id: o.id,
                status: o.status.as_str(),
                channel: o.channel.as_deref(),
                failed: o.channels_failed.join(","),
                available_at: o.available_at,
                last_error: o.last_error.as_deref(),
                history: serde_json::to_string(&o.history[keep..]).unwrap_or_else(|_| "[]".into()),
                attempted: i64::from(o.attempted),
            }
        })
        .collect()
}

/// The batch as the eight columns of `v`, each an array literal, in the order of the statement.
fn columns(rows: &[Row<'_>]) -> [String; 8] {
    let ints = |f: fn(&Row<'_>) -> i64| pg_array::ints(rows.iter().map(f));
    [
        ints(|r| r.id),
        pg_array::texts(rows.iter().map(|r| Some(r.status))),
        pg_array::texts(rows.iter().map(|r| r.channel)),
        pg_array::texts(rows.iter().map(|r| Some(r.failed.as_str()))),
        ints(|r| r.available_at),
        pg_array::texts(rows.iter().map(|r| r.last_error)),
        pg_array::texts(rows.iter().map(|r| Some(r.history.as_str()))),
        ints(|r| r.attempted),
    ]
}

/// The outcome written on the record; `v` is the batch, `held` the queue rows still leased by
/// this worker (their `claims`).
const SET_OUTCOME: &str = "status = v.status, channel = v.channel, channels_failed = v.failed, \
    available_at = v.available_at, last_error = v.last_error, history = v.history, \
    attempts = notifications.attempts + v.attempted, claims = held.claims, \
    sent_at = CASE WHEN v.status = 'sent' THEN $2 ELSE notifications.sent_at END, updated_at = $2";

/// PostgreSQL: one statement. The queue rows are removed or made due again in data-modifying
/// `WITH` parts, each guarded by the lease, and the record is updated for exactly those rows.
fn postgres_sql() -> String {
    format!(
        "WITH v AS (SELECT * FROM unnest($3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::BIGINT[], \
         $8::TEXT[], $9::TEXT[], $10::BIGINT[]) AS v(id, status, channel, failed, available_at, last_error, \
         history, attempted)), \
         done AS (DELETE FROM notification_queue q USING v WHERE q.id = v.id AND q.lease_owner = $1 \
         AND v.status IN ('sent', 'dead', 'skipped') RETURNING q.id, q.claims), \
         again AS (UPDATE notification_queue q SET status = v.status, available_at = v.available_at, \
         lease_owner = NULL, lease_until = NULL FROM v WHERE q.id = v.id AND q.lease_owner = $1 \
         AND v.status IN ('pending', 'retry') RETURNING q.id, q.claims), \
         held AS (SELECT * FROM done UNION ALL SELECT * FROM again) \
         UPDATE notifications SET {SET_OUTCOME} FROM v JOIN held ON held.id = v.id WHERE notifications.id = v.id"
    )
}

/// SQLite: three statements in the write transaction (no data-modifying `WITH`; the write lock
/// is held throughout, so nothing moves between them): the record first, while the queue still
/// says which rows are held, then the queue rows. `$1` is the owner and `$2` the batch in each;
/// the first also takes the time as `$3`.
fn sqlite_sql() -> [String; 3] {
    let v = "v AS (SELECT value ->> 'id' AS id, value ->> 'status' AS status, value ->> 'channel' AS channel, \
        value ->> 'failed' AS failed, value ->> 'available_at' AS available_at, value ->> 'last_error' AS last_error, \
        value ->> 'history' AS history, value ->> 'attempted' AS attempted FROM json_each($2))";
    let set = SET_OUTCOME.replace("$2", "$3");
    [
        format!(
            "WITH {v}, held AS (SELECT id, claims FROM notification_queue WHERE lease_owner = $1 \
             AND id IN (SELECT id FROM v)) \
             UPDATE notifications SET {set} FROM v JOIN held ON held.id = v.id WHERE notifications.id = v.id"
        ),
        format!(
            "WITH {v} DELETE FROM notification_queue WHERE lease_owner = $1 \
             AND id IN (SELECT id FROM v WHERE status IN ('sent', 'dead', 'skipped'))"
        ),
        format!(
            "WITH {v} UPDATE notification_queue SET status = v.status, available_at = v.available_at, \
             lease_owner = NULL, lease_until = NULL FROM v WHERE notification_queue.id = v.id \
             AND notification_queue.lease_owner = $1"
        ),
    ]
}

/// Records outcomes atomically (one statement on PostgreSQL, one transaction on SQLite). A row whose lease this worker no longer holds (it lapsed
/// and another worker took it, or finished it) is left alone; the count of such rows is returned.
pub async fn record(db: &Db, owner: &str, outcomes: &[Outcome], now: i64) -> Result<u64, sqlx::Error> {
    if outcomes.is_empty() {
        return Ok(0);
    }
    let rows = rows(outcomes);
    let recorded = match db.engine() {
        // One statement is atomic by itself: no BEGIN and COMMIT round trips around it.
        Engine::Postgres => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(postgres_sql())).bind(owner).bind(now);
            for column in columns(&rows) {
                q = q.bind(column);
            }
            q.execute(db.pool()).await?.rows_affected()
        }
        Engine::Sqlite => {
            let batch = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into());
            let [outcome, done, again] = sqlite_sql();
            let mut tx = db.begin_write().await?;
            let q = sqlx::query(sqlx::AssertSqlSafe(outcome))
                .bind(owner)
                .bind(batch.as_str())
                .bind(now);
            let recorded = q.execute(&mut *tx).await?.rows_affected();
            for sql in [done, again] {
                let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(owner).bind(batch.as_str());
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            recorded
        }
    };
    Ok(outcomes.len() as u64 - recorded.min(outcomes.len() as u64))
}
