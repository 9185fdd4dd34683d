//! The queue over the outbox table, for delivery workers: claim due notifications in a batch
//! under a lease, and record a batch of outcomes in one transaction. The one place where the
//! engines differ — PostgreSQL skips rows other workers hold (`FOR UPDATE SKIP LOCKED`); SQLite
//! serialises writers and needs nothing more — is written side by side here.

use serde_json::Value;
use sqlx::Row;

use super::NotificationKind;
use super::row::{COLUMNS, Notification, Status, from_row};
use crate::db::{Db, Engine};

/// The claim statement. PostgreSQL skips rows other workers have locked; SQLite serialises
/// writers, so a plain sub-select is enough there.
fn claim_sql(engine: Engine, due: bool) -> String {
    let pick = if due {
        "status IN ('pending', 'retry') AND available_at <= $3"
    } else {
        "status = 'sending' AND lease_until < $3"
    };
    let order = if due { "available_at, id" } else { "lease_until" };
    // Only kinds this build knows: in a rolling upgrade an older worker leaves a newer kind to
    // the workers that can deliver it.
    let known: Vec<String> = NotificationKind::ALL.iter().map(|k| format!("'{k}'")).collect();
    let known = known.join(", ");
    let lock = if engine == Engine::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    format!(
        "UPDATE notifications SET status = 'sending', claims = claims + 1, lease_until = $1, lease_owner = $2, \
         updated_at = $3 WHERE id IN (SELECT id FROM notifications WHERE {pick} AND kind IN ({known}) \
         ORDER BY {order} LIMIT $4{lock}) RETURNING {COLUMNS}"
    )
}

/// Claims up to `limit` notifications for `owner` until `lease_until`: first any whose lease
/// expired (a crashed worker's), then those due.
pub async fn claim(
    db: &Db,
    owner: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<Notification>, sqlx::Error> {
    let mut rows = Vec::new();
    for due in [false, true] {
        let left = limit - rows.len() as i64;
        if left <= 0 {
            break;
        }
        let sql = claim_sql(db.engine(), due);
        let q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(lease_until)
            .bind(owner)
            .bind(now)
            .bind(left);
        rows.extend(q.fetch_all(db.pool()).await?);
    }
    rows.iter().map(from_row).collect()
}

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

/// Extends the leases this worker still holds (a batch in flight) to `lease_until`, so a slow
/// channel does not let another worker rescue — and send again — what is being sent. Rows whose
/// lease already lapsed and were taken over have another owner and are left alone.
pub async fn extend(db: &Db, owner: &str, lease_until: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE notifications SET lease_until = $2 WHERE lease_owner = $1 AND status = 'sending' AND lease_until < $2",
    )
    .bind(owner)
    .bind(lease_until)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Outcomes written per statement (8 parameters each; well under both engines' limits).
const RECORD_CHUNK: usize = 500;

/// Records outcomes in one transaction. A row whose lease this worker no longer holds (it expired
/// and another worker took it) is left alone; the count of such rows is returned.
pub async fn record(db: &Db, owner: &str, outcomes: &[Outcome], now: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let mut recorded = 0;
    // One statement per chunk, not per row: the outcomes travel as a VALUES list joined to the
    // table (`UPDATE … FROM`, which both engines speak), guarded by the lease owner.
    for chunk in outcomes.chunks(RECORD_CHUNK) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let params: Vec<String> = (0..8).map(|k| format!("${}", 3 + i * 8 + k)).collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let sql = format!(
            "WITH v(id, status, channel, failed, available_at, last_error, history, attempted) AS (VALUES {}) \
             UPDATE notifications SET status = v.status, channel = v.channel, channels_failed = v.failed, \
             available_at = v.available_at, last_error = v.last_error, history = v.history, \
             attempts = notifications.attempts + v.attempted, \
             sent_at = CASE WHEN v.status = 'sent' THEN $2 ELSE notifications.sent_at END, \
             lease_until = NULL, lease_owner = NULL, updated_at = $2 \
             FROM v WHERE notifications.id = v.id AND notifications.lease_owner = $1 \
             AND notifications.status = 'sending'",
            rows.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(owner).bind(now);
        for o in chunk {
            let keep = o.history.len().saturating_sub(20);
            let history = serde_json::to_string(&o.history[keep..]).unwrap_or_else(|_| "[]".into());
            q = q
                .bind(o.id)
                .bind(o.status.as_str())
                .bind(o.channel.clone())
                .bind(o.channels_failed.join(","))
                .bind(o.available_at)
                .bind(o.last_error.clone())
                .bind(history)
                .bind(i64::from(o.attempted));
        }
        recorded += q.execute(&mut *tx).await?.rows_affected();
    }
    tx.commit().await?;
    Ok(outcomes.len() as u64 - recorded.min(outcomes.len() as u64))
}

/// Rows per status, for the queue-depth gauge.
pub async fn depth(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT status, COUNT(*) FROM notifications GROUP BY status")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
