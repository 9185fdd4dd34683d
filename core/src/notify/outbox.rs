//! The transactional outbox: notifications are recorded with the change they announce, in the
//! caller's transaction, so both commit or neither does. The notifier consumes these rows.

use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};

pub use super::row::Notification;
use super::row::{COLUMNS, FROM, from_row};

use super::NotificationKind;
use crate::audit::{self, Action, Subject};
use crate::error::CoreResult;
use crate::people::Caller;

/// A notification to record.
#[derive(Debug, Clone)]
pub struct NewNotification {
    /// What it is about.
    pub kind: NotificationKind,
    /// Recipient: a user id, or for the kinds addressed to units a co-building unit's id
    /// ([`NotificationKind::addressee`]).
    pub recipient_id: i64,
    /// What it is about, e.g. `wish`.
    pub subject_type: &'static str,
    /// The subject's id.
    pub subject_id: i64,
    /// Urgent notifications ignore quiet hours.
    pub urgent: bool,
    /// What the templates render.
    pub payload: Value,
    /// Unique per logical notification: recording the same one twice records it once.
    pub dedupe_key: String,
}

/// Records a notification inside the caller's transaction; returns whether it was new. A new
/// one for a resident with family, or without any channel, is relayed too (see
/// `register::family::relay`): nobody's notification is silently dropped.
pub async fn record(conn: &mut AnyConnection, n: &NewNotification, now: i64) -> CoreResult<bool> {
    let fresh = insert(conn, n, now).await?;
    // A unit's mail is no resident's news: nothing to relay.
    if fresh && n.kind.addressee() == super::Addressee::User {
        crate::register::family::relay(conn, n, now).await?;
    }
    Ok(fresh)
}

/// Records a notification without relaying it (the relay's own copies).
pub(crate) async fn insert(conn: &mut AnyConnection, n: &NewNotification, now: i64) -> CoreResult<bool> {
    let result = sqlx::query(
        "INSERT INTO notifications (kind, recipient_id, subject_type, subject_id, urgent, payload, dedupe_key, \
         status, attempts, available_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8, $8) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(n.kind.as_str())
    .bind(n.recipient_id)
    .bind(n.subject_type)
    .bind(n.subject_id)
    .bind(i64::from(n.urgent))
    .bind(n.payload.to_string())
    .bind(&n.dedupe_key)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The PostgreSQL channel on which new outbox rows are announced. The trigger that puts a new
/// notification in the queue (migration `20261202150000_notification_queue`) notifies it, once
/// per statement, when the inserting transaction commits; elsewhere the in-process signal and
/// the poll wake the workers.
pub const WAKE_CHANNEL: &str = "microwish_outbox";

/// Notifications about one subject, oldest first.
pub async fn for_subject(
    conn: &mut AnyConnection,
    subject_type: &str,
    subject_id: i64,
) -> CoreResult<Vec<Notification>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE n.subject_type = $1 AND n.subject_id = $2 ORDER BY n.id"
    )))
    .bind(subject_type)
    .bind(subject_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Notifications filtered by status and kind (all when `None`), newest first.
pub async fn list(
    conn: &mut AnyConnection,
    status: Option<&str>,
    kind: Option<&str>,
    limit: i64,
) -> CoreResult<Vec<Notification>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE ($1 = '' OR (CASE WHEN q.lease_owner IS NOT NULL THEN 'sending' \
         ELSE n.status END) = $1) AND ($2 = '' OR n.kind = $2) ORDER BY n.id DESC LIMIT $3"
    )))
    .bind(status.unwrap_or(""))
    .bind(kind.unwrap_or(""))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Puts a notification back in the queue now: an admin's retry of a dead or skipped one (409
/// for any other: a pending or retrying one is already queued, a sent one is done, a sending one
/// is in flight). Its claims are reset with its attempts, so the next claim is not mistaken for
/// the rescue of a crashed worker's batch (and counted as a possible duplicate).
/// Audited as done by `by`.
pub async fn retry(conn: &mut AnyConnection, by: &Caller, id: i64, now: i64) -> CoreResult<Notification> {
    let updated = sqlx::query(
        "UPDATE notifications SET status = 'pending', attempts = 0, claims = 0, available_at = $2, updated_at = $2 \
         WHERE id = $1 AND status IN ('dead', 'skipped')",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 1 {
        // Back in the queue (a row left there by hand is reset rather than doubled).
        sqlx::query(
            "INSERT INTO notification_queue (id, kind, status, available_at) \
             SELECT id, kind, 'pending', $2 FROM notifications WHERE id = $1 \
             ON CONFLICT (id) DO UPDATE SET status = 'pending', available_at = excluded.available_at, \
             lease_owner = NULL, lease_until = NULL, claims = 0",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE n.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(crate::CoreError::NotFound("notification"))?;
    if updated.rows_affected() == 0 {
        let status: String = row.get("status");
        return Err(crate::CoreError::conflict(
            "not_retryable",
            format!("only dead or skipped notifications are retried; this one is {status}"),
        ));
    }
    let n = from_row(&row)?;
    let detail = json!({ "kind": n.kind.to_string(), "recipient_id": n.recipient_id, "last_error": n.last_error });
    audit::record(
        conn,
        Some(by),
        Action::NotificationRetry.on(Subject::Notification(id)).with(detail),
        now,
    )
    .await?;
    Ok(n)
}
