//! The events' scheduler rule: reminders to registered people at the configured offsets before
//! the start (idempotent per event, start time, offset and person through the outbox's dedupe
//! key), events marked finished once check-in has closed, and closed wishes credited to the
//! hours ledger. It records its own rows: reminders go out in batches per event.

use sqlx::Row;

use crate::config::Settings;
use crate::db::Db;
use crate::error::CoreResult;
use crate::event::model::CHECKIN_MARGIN_MS;
use crate::event::notify::{self, EventNotice};
use crate::event::{EventStatus, hours, store};
use crate::notify::NotificationKind;

/// Reminders this close to the start are urgent: they ignore quiet hours.
pub const URGENT_WITHIN_MS: i64 = 2 * 3_600_000;

/// Which offset's reminder is due at `now` for an event starting at `starts_at`: the smallest
/// offset already reached. A scheduler that was down past several sends only the latest, not a
/// stale "tomorrow" on the day itself. `None` when none is due or the event has begun.
pub fn due_offset(offsets_ms: &[i64], starts_at: i64, now: i64) -> Option<i64> {
    if now >= starts_at {
        return None;
    }
    offsets_ms.iter().copied().filter(|o| now >= starts_at - o).min()
}

/// Runs the events' rule once; returns how many messages were recorded.
pub async fn scan(db: &Db, settings: &Settings, now: i64) -> CoreResult<usize> {
    let offsets: Vec<i64> = settings
        .events
        .reminder_offsets
        .iter()
        .map(|o| o.as_millis_i64())
        .collect();
    let tz = jiff::tz::TimeZone::get(&settings.community.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut sent = 0;
    if let Some(&longest) = offsets.iter().max() {
        let ids: Vec<i64> = sqlx::query(
            "SELECT id FROM events WHERE status = 'published' AND starts_at > $1 AND starts_at <= $2 ORDER BY id",
        )
        .bind(now)
        .bind(now + longest)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        for id in ids {
            sent += remind(db, id, &offsets, &tz, now).await?;
        }
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE events SET status = 'finished', updated_at = $1 WHERE status = 'published' AND ends_at < $2")
        .bind(now)
        .bind(now - CHECKIN_MARGIN_MS)
        .execute(&mut *tx)
        .await?;
    hours::credit_closed_wishes(&mut tx, i64::from(settings.events.confirmed_wish_minutes), now).await?;
    hours::credit_ended_events(&mut tx, settings.events.max_credit_per_day.as_millis_i64(), now).await?;
    tx.commit().await?;
    Ok(sent)
}

async fn remind(db: &Db, id: i64, offsets: &[i64], tz: &jiff::tz::TimeZone, now: i64) -> CoreResult<usize> {
    let mut tx = db.begin_write().await?;
    // Re-read in the write transaction: a cancellation that committed meanwhile sends nothing.
    let event = store::load(&mut tx, id).await?;
    let due = due_offset(offsets, event.starts_at, now);
    let Some(offset) = due.filter(|_| event.status == EventStatus::Published) else {
        return Ok(0);
    };
    let notices: Vec<EventNotice> = sqlx::query(
        "SELECT user_id FROM event_invitations WHERE event_id = $1 AND response = 'registered' ORDER BY user_id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| {
        let user: i64 = r.get(0);
        EventNotice {
            recipient_id: user,
            key: format!("{}:{offset}:{user}", event.starts_at),
        }
    })
    .collect();
    let urgent = event.starts_at - now <= URGENT_WITHIN_MS;
    let mut payload = notify::payload(&event, tz);
    payload["minutes_before"] = serde_json::json!((event.starts_at - now) / 60_000);
    let fresh = notify::record_all(
        &mut tx,
        id,
        NotificationKind::EventReminder,
        urgent,
        &payload,
        &notices,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(fresh as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn the_latest_reached_offset_is_due() {
        let offsets = [24 * H, 2 * H];
        let start = 100 * H;
        assert_eq!(due_offset(&offsets, start, start - 25 * H), None);
        assert_eq!(due_offset(&offsets, start, start - 24 * H), Some(24 * H));
        assert_eq!(due_offset(&offsets, start, start - 3 * H), Some(24 * H));
        assert_eq!(due_offset(&offsets, start, start - 2 * H), Some(2 * H));
        assert_eq!(due_offset(&offsets, start, start - 1), Some(2 * H));
        assert_eq!(due_offset(&offsets, start, start), None);
    }
}
