//! The `notifications` row, read in one place: what the outbox lists for admins and what a
//! worker claims are the same record.

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::NotificationKind;

/// Where a notification stands: `pending → sending (leased) → sent | retry | dead | skipped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Recorded, waiting for its first attempt.
    Pending,
    /// Claimed by a worker under a lease.
    Sending,
    /// Delivered.
    Sent,
    /// Failed for now; due again after a backoff.
    Retry,
    /// Given up: a permanent failure, or out of attempts.
    Dead,
    /// Nobody to deliver to: the recipient has no usable channel.
    Skipped,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 6] = [
        Status::Pending,
        Status::Sending,
        Status::Sent,
        Status::Retry,
        Status::Dead,
        Status::Skipped,
    ];

    /// The database and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Retry => "retry",
            Status::Dead => "dead",
            Status::Skipped => "skipped",
        }
    }
}

/// A recorded notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: NotificationKind,
    /// Recipient user id.
    pub recipient_id: i64,
    /// Subject type (`wish`, `event`, `digest`).
    pub subject_type: String,
    /// The subject's id.
    pub subject_id: i64,
    /// Urgent ones ignore quiet hours.
    pub urgent: bool,
    /// What the templates render.
    pub payload: Value,
    /// Delivery status.
    pub status: Status,
    /// Outcomes recorded so far.
    pub attempts: i64,
    /// Times a worker claimed it.
    pub claims: i64,
    /// Latest error.
    pub last_error: Option<String>,
    /// Channel of the latest attempt.
    pub channel: Option<String>,
    /// Channels found unable to deliver it, in order.
    pub channels_failed: Vec<String>,
    /// Error history, newest last.
    pub history: Vec<Value>,
    /// Recorded, epoch ms.
    pub created_at: i64,
}

impl Notification {
    /// Just after a claim: whether a previous worker claimed it and died before recording an
    /// outcome, so the message may already have gone out once.
    pub fn rescued(&self) -> bool {
        self.claims - 1 > self.attempts
    }
}

/// The columns [`from_row`] reads, from the record `n` and its queue row `q` (joined, or left
/// joined where the notification may be out of the queue): a queue row under a lease shows the
/// notification as `sending`, and while queued its `claims` counts there.
pub(crate) const COLUMNS: &str = "n.id, n.kind, n.recipient_id, n.subject_type, n.subject_id, n.urgent, n.payload, \
    CASE WHEN q.lease_owner IS NOT NULL THEN 'sending' ELSE n.status END AS status, n.attempts, \
    COALESCE(q.claims, n.claims) AS claims, n.last_error, n.channel, n.channels_failed, n.history, n.created_at";

/// The record with its queue row, for [`COLUMNS`].
pub(crate) const FROM: &str = "notifications n LEFT JOIN notification_queue q ON q.id = n.id";

/// Reads a row selected with [`COLUMNS`]. A kind or status this build does not know is a decode
/// error, not a guess.
pub(crate) fn from_row(row: &AnyRow) -> Result<Notification, sqlx::Error> {
    let decode = |e: String| sqlx::Error::Decode(e.into());
    let kind = row
        .get::<String, _>("kind")
        .parse()
        .map_err(|e: super::UnknownKind| decode(e.to_string()))?;
    let status: String = row.get("status");
    let status = Status::ALL
        .into_iter()
        .find(|s| s.as_str() == status)
        .ok_or_else(|| decode(format!("unknown notification status `{status}`")))?;
    let failed: String = row.get("channels_failed");
    Ok(Notification {
        id: row.get("id"),
        kind,
        recipient_id: row.get("recipient_id"),
        subject_type: row.get("subject_type"),
        subject_id: row.get("subject_id"),
        urgent: row.get::<i64, _>("urgent") != 0,
        payload: serde_json::from_str(&row.get::<String, _>("payload")).unwrap_or(Value::Null),
        status,
        attempts: row.get("attempts"),
        claims: row.get("claims"),
        last_error: row.get("last_error"),
        channel: row.get("channel"),
        channels_failed: failed
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        history: serde_json::from_str(&row.get::<String, _>("history")).unwrap_or_default(),
        created_at: row.get("created_at"),
    })
}
