//! Event notifications through the outbox: the payload every event kind carries (what the
//! templates and the calendar part need) and a batched insert, so an invitation to thousands
//! records its rows in a few statements per transaction instead of one each.

use serde_json::{Value, json};
use sqlx::AnyConnection;

use super::model::Event;
use crate::clock::rfc3339;
use crate::error::CoreResult;
use crate::notify::NotificationKind;

/// Rows per INSERT: 8 parameters each, far below both engines' limits.
const ROWS_PER_STATEMENT: usize = 500;

/// What the templates and the calendar part read. `local_time` is the start and end in the
/// community's time zone, as people read it.
pub fn payload(event: &Event, tz: &jiff::tz::TimeZone) -> Value {
    json!({
        "event_id": event.id,
        "title": event.title,
        "description": event.description,
        "location": event.location,
        "starts_at": rfc3339(event.starts_at),
        "ends_at": rfc3339(event.ends_at),
        "sequence": event.sequence,
        "local_time": local_span(event.starts_at, event.ends_at, tz),
    })
}

fn local_span(start: i64, end: i64, tz: &jiff::tz::TimeZone) -> String {
    let at = |ms: i64| jiff::Timestamp::from_millisecond(ms).map(|t| t.to_zoned(tz.clone()));
    match (at(start), at(end)) {
        (Ok(s), Ok(e)) if s.date() == e.date() => {
            format!(
                "{} {}–{}",
                s.strftime("%Y-%m-%d"),
                s.strftime("%H:%M"),
                e.strftime("%H:%M")
            )
        }
        (Ok(s), Ok(e)) => format!("{} – {}", s.strftime("%Y-%m-%d %H:%M"), e.strftime("%Y-%m-%d %H:%M")),
        _ => String::new(),
    }
}

/// One event notification for one person; `key` completes the dedupe key
/// `event:{id}:{kind}:{key}`, which makes recording it twice record it once.
#[derive(Debug, Clone)]
pub struct EventNotice {
    /// Recipient.
    pub recipient_id: i64,
    /// Unique within the event and kind.
    pub key: String,
}

impl EventNotice {
    /// A notice to `user`, once per event and kind.
    pub fn once_to(user: i64) -> Self {
        Self {
            recipient_id: user,
            key: user.to_string(),
        }
    }
}

/// Tells each of `notices` of `kind` about `event` — the event's own payload, not urgent — in
/// batched statements; returns how many were new. What most event changes record.
pub async fn tell(
    conn: &mut AnyConnection,
    event: &Event,
    kind: NotificationKind,
    notices: &[EventNotice],
    tz: &jiff::tz::TimeZone,
    now: i64,
) -> CoreResult<u64> {
    if notices.is_empty() {
        return Ok(0);
    }
    record_all(conn, event.id, kind, false, &payload(event, tz), notices, now).await
}

/// Records `kind` about `event` for each notice, in batched statements; returns how many were new.
pub async fn record_all(
    conn: &mut AnyConnection,
    event_id: i64,
    kind: NotificationKind,
    urgent: bool,
    payload: &Value,
    notices: &[EventNotice],
    now: i64,
) -> CoreResult<u64> {
    let body = payload.to_string();
    let mut fresh = 0;
    for chunk in notices.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 6 + i * 2;
                format!("($1, ${p}, 'event', $2, $3, $4, ${}, 'pending', 0, $5, $5, $5)", p + 1)
            })
            .collect();
        let sql = format!(
            "INSERT INTO notifications (kind, recipient_id, subject_type, subject_id, urgent, payload, dedupe_key, \
             status, attempts, available_at, created_at, updated_at) VALUES {} ON CONFLICT (dedupe_key) DO NOTHING",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(kind.as_str())
            .bind(event_id)
            .bind(i64::from(urgent))
            .bind(body.clone())
            .bind(now);
        for n in chunk {
            query = query
                .bind(n.recipient_id)
                .bind(format!("event:{event_id}:{kind}:{}", n.key));
        }
        fresh += query.execute(&mut *conn).await?.rows_affected();
    }
    // The queue's trigger wakes the workers, once per statement.
    Ok(fresh)
}
