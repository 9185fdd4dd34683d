//! The queue over the outbox table: claim due notifications in a batch under a lease, and
//! record a batch of outcomes in one transaction. The one place where the engines differ —
//! PostgreSQL skips rows other workers hold (`FOR UPDATE SKIP LOCKED`); SQLite serialises writers
//! and needs nothing more — is written side by side here.

use serde_json::Value;
use sqlx::Row;

use microwish_core::{Db, Engine, NotificationKind};

use crate::delivery::Status;

/// A notification claimed by this worker.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: NotificationKind,
    /// Recipient user id.
    pub recipient_id: i64,
    /// Subject type (`wish`, `event`).
    pub subject_type: String,
    /// Subject id.
    pub subject_id: i64,
    /// Urgent ones ignore quiet hours.
    pub urgent: bool,
    /// Template data.
    pub payload: Value,
    /// Outcomes recorded before this claim (attempts so far).
    pub attempts: i64,
    /// Whether a previous worker claimed it and died before recording an outcome: the message
    /// may already have gone out once.
    pub rescued: bool,
    /// Channels found unable to deliver it, in order.
    pub channels_failed: Vec<String>,
    /// Error history.
    pub history: Vec<Value>,
    /// When it was recorded (for enqueue→sent latency).
    pub created_at: i64,
}

/// The claim statement: `$5` picks the rows, the rest is shared. PostgreSQL skips rows other
/// workers have locked; SQLite serialises writers, so a plain sub-select is enough there.
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
    let lock = if engine == Engine::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let known = known.join(", ");
    format!(
        "UPDATE notifications SET status = 'sending', claims = claims + 1, lease_until = $1, lease_owner = $2, \
         updated_at = $3 WHERE id IN (SELECT id FROM notifications WHERE {pick} AND kind IN ({known}) ORDER BY {order} LIMIT $4{lock}) \
         RETURNING id, kind, recipient_id, subject_type, subject_id, urgent, payload, attempts, claims, \
         channels_failed, history, created_at"
    )
}

/// Claims up to `limit` notifications for `owner` until `lease_until`: first any whose lease
/// expired (a crashed worker's), then those due.
pub async fn claim(db: &Db, owner: &str, now: i64, lease_until: i64, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
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
    rows.iter()
        .map(|r| {
            let attempts: i64 = r.get("attempts");
            let claims: i64 = r.get("claims");
            let failed: String = r.get("channels_failed");
            let kind = r
                .get::<String, _>("kind")
                .parse()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            Ok(Claimed {
                id: r.get("id"),
                kind,
                recipient_id: r.get("recipient_id"),
                subject_type: r.get("subject_type"),
                subject_id: r.get("subject_id"),
                urgent: r.get::<i64, _>("urgent") != 0,
                payload: serde_json::from_str(&r.get::<String, _>("payload")).unwrap_or(Value::Null),
                attempts,
                rescued: claims - 1 > attempts,
                channels_failed: failed
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
                history: serde_json::from_str(&r.get::<String, _>("history")).unwrap_or_default(),
                created_at: r.get("created_at"),
            })
        })
        .collect()
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
                let p = 3 + i * 8;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    p,
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7
                )
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

/// Hands claimed notifications back untouched (shutdown with work in hand that was not started).
pub async fn release(db: &Db, owner: &str, ids: &[i64], now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    for id in ids {
        sqlx::query(
            "UPDATE notifications SET status = CASE WHEN attempts = 0 THEN 'pending' ELSE 'retry' END, \
             claims = claims - 1, lease_until = NULL, lease_owner = NULL, available_at = $3, updated_at = $3 \
             WHERE id = $1 AND lease_owner = $2 AND status = 'sending'",
        )
        .bind(id)
        .bind(owner)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Rows per status, for the queue-depth gauge.
pub async fn depth(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT status, COUNT(*) FROM notifications GROUP BY status")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
