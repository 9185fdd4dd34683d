//! A person's calendar feed: a secret URL (`…/calendar/{token}.ics`) their calendar app polls,
//! carrying every event they registered for — with the UID and SEQUENCE the event emails use, so
//! both update one entry, and STATUS:CANCELLED once an event is called off. One feed per person;
//! a new one replaces the old, deleting it revokes the URL. The token is shown once and stored
//! only as its hash, like a session's.

use sqlx::{AnyConnection, AnyPool, Row};

use super::calendar::{self, CalendarEvent};
use super::store::{columns, from_row};
use crate::error::CoreResult;
use crate::people::token;

/// Events that ended longer ago than this leave the feed (a calendar keeps what it has).
const KEPT_AFTER_END_MS: i64 = 365 * 86_400_000;

/// Makes `user_id` a new feed token, replacing (and so revoking) any earlier one.
pub async fn open(conn: &mut AnyConnection, user_id: i64, now: i64) -> CoreResult<String> {
    let secret = token::new_token();
    sqlx::query(
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET token_hash = $2, created_at = $3",
    )
    .bind(user_id)
    .bind(token::hash(&secret))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(secret)
}

/// Revokes `user_id`'s feed; whether there was one.
pub async fn revoke(conn: &mut AnyConnection, user_id: i64) -> CoreResult<bool> {
    let done = sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The feed behind `secret` as iCalendar text, or `None` for a token that is not (or no longer) one.
pub async fn ics(pool: &AnyPool, secret: &str, name: &str, now: i64) -> CoreResult<Option<String>> {
    if !token::well_formed(secret) {
        return Ok(None);
    }
    let owner = sqlx::query("SELECT user_id FROM calendar_feeds WHERE token_hash = $1")
        .bind(token::hash(secret))
        .fetch_optional(pool)
        .await?;
    let Some(owner) = owner.map(|r| r.get::<i64, _>(0)) else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {} FROM events e JOIN event_invitations i ON i.event_id = e.id \
         WHERE i.user_id = $1 AND i.response = 'registered' AND e.ends_at > $2 ORDER BY e.starts_at, e.id",
        columns("e")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(owner)
        .bind(now - KEPT_AFTER_END_MS)
        .fetch_all(pool)
        .await?;
    // Calendars poll a feed as often as it asks: hourly (RFC 7986; Outlook reads the X- one).
    let mut refresh = icalendar::Property::new("REFRESH-INTERVAL", "PT1H");
    refresh.add_parameter("VALUE", "DURATION");
    let mut feed = calendar::calendar();
    feed.append_property(("METHOD", "PUBLISH"))
        .append_property(("X-WR-CALNAME", name))
        .append_property(refresh)
        .append_property(("X-PUBLISHED-TTL", "PT1H"));
    for event in rows.iter().map(from_row) {
        let facts = CalendarEvent {
            id: event.id,
            sequence: event.sequence,
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            title: &event.title,
            location: &event.location,
            description: &event.description,
            cancelled: event.status == super::EventStatus::Cancelled,
            stamp: event.updated_at,
        };
        if let Some(vevent) = calendar::vevent(&facts) {
            feed.push(vevent);
        }
    }
    Ok(Some(feed.to_string()))
}
