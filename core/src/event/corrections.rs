//! An organiser's correction of one attendee's credit for an event: a new ledger row (the ledger
//! stays append-only) with the reason, keeping the person's total for the event between nothing
//! and what the event is worth (`hours::event_minutes`).

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::hours::{self, Credit, event_key, event_minutes};
use super::model::EventStatus;
use super::store::load_managed;
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;

/// A correction to record.
#[derive(Debug, Clone)]
pub struct Correction<'a> {
    /// The event.
    pub event_id: i64,
    /// Whose credit.
    pub user_id: i64,
    /// Minutes to add (negative to take away); never zero.
    pub minutes: i64,
    /// Why, for the ledger.
    pub note: &'a str,
}

/// Records a correction by an organiser of the event (admins; the leader of its grid) for
/// someone who checked in, once the event is over; returns the person's new total for it.
pub async fn correct(
    conn: &mut AnyConnection,
    caller: &Caller,
    c: &Correction<'_>,
    cap_per_day_ms: i64,
    now: i64,
) -> CoreResult<i64> {
    let event = load_managed(conn, caller, c.event_id).await?;
    let cancelled = event.status == EventStatus::Cancelled;
    if now < event.ends_at && !cancelled {
        return Err(CoreError::conflict(
            "event_not_over",
            "hours can be corrected once the event is over",
        ));
    }
    let attended = sqlx::query("SELECT 1 FROM event_attendance WHERE event_id = $1 AND user_id = $2")
        .bind(c.event_id)
        .bind(c.user_id)
        .fetch_optional(&mut *conn)
        .await?;
    if attended.is_none() {
        return Err(CoreError::invalid(
            "not_attended",
            "user_id: this person did not check in",
        ));
    }
    let ran_until = if cancelled {
        event.updated_at.min(event.ends_at)
    } else {
        event.ends_at
    };
    let worth = event_minutes(event.starts_at, ran_until, cap_per_day_ms);
    // The scheduler may not have credited the attendance yet: do it here (same unique key), so a
    // correction never lands before the credit it corrects.
    if worth > 0 {
        let credit = Credit {
            user_id: c.user_id,
            minutes: worth,
            source: "event",
            event_id: Some(c.event_id),
            wish_id: None,
            visit_id: None,
            unique_key: event_key(c.event_id, c.user_id),
        };
        hours::credit(conn, &credit, now).await?;
    }
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN source = 'correction' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM volunteer_hours WHERE event_id = $1 AND user_id = $2",
    )
    .bind(c.event_id)
    .bind(c.user_id)
    .fetch_one(&mut *conn)
    .await?;
    let (total, corrections): (i64, i64) = (row.get(0), row.get(1));
    let after = total.saturating_add(c.minutes);
    if c.minutes == 0 || !(0..=worth).contains(&after) {
        return Err(CoreError::invalid(
            "invalid_field",
            format!("minutes: the total for this event must stay between 0 and {worth} (now {total})"),
        ));
    }
    sqlx::query(
        "INSERT INTO volunteer_hours (user_id, minutes, source, event_id, wish_id, unique_key, created_at, note) \
         VALUES ($1, $2, 'correction', $3, NULL, $4, $5, $6)",
    )
    .bind(c.user_id)
    .bind(c.minutes)
    .bind(c.event_id)
    .bind(format!("correction:{}:{}:{}", c.event_id, c.user_id, corrections + 1))
    .bind(now)
    .bind(c.note)
    .execute(&mut *conn)
    .await?;
    let detail = json!({ "user_id": c.user_id, "minutes": c.minutes, "total": after, "note": c.note });
    let fact = Action::HoursCorrect
        .on(Subject::Event(c.event_id))
        .in_grid(event.grid_id);
    audit::record(conn, Some(caller), fact.with(detail), now).await?;
    Ok(after)
}
