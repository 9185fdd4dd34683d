//! A person's place for an event: answers (yes, no) under the event's row lock so a capacity
//! holds however many answer at once, the waitlist in answer order and its promotions, and
//! check-in at the venue, which records attendance once and credits the hours ledger.

use sqlx::{AnyConnection, Row};

use super::model::{Event, EventStatus, Place, answer, checkin_refusal, may_manage};
use super::notify::{self, EventNotice};
use super::store::{load, lock};
use crate::error::{CoreError, CoreResult};
use crate::notify::NotificationKind;
use crate::people::Caller;

pub(super) async fn count(conn: &mut AnyConnection, event_id: i64, place: Place) -> CoreResult<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM event_invitations WHERE event_id = $1 AND response = $2")
            .bind(event_id)
            .bind(place.as_str())
            .fetch_one(&mut *conn)
            .await?
            .get(0),
    )
}

async fn set_place(conn: &mut AnyConnection, event_id: i64, user_id: i64, place: Place, now: i64) -> CoreResult<()> {
    // The answer number orders the waitlist: taken from the counter the lock just raised.
    sqlx::query(
        "UPDATE event_invitations SET response = $3, updated_at = $4, \
         rsvp_order = (SELECT rsvp_counter FROM events WHERE id = $1) WHERE event_id = $1 AND user_id = $2",
    )
    .bind(event_id)
    .bind(user_id)
    .bind(place.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives the first waitlisted person a place and tells them; returns who, if anyone.
pub(super) async fn promote_first(
    conn: &mut AnyConnection,
    event: &Event,
    tz: &jiff::tz::TimeZone,
    now: i64,
) -> CoreResult<Option<i64>> {
    let first = sqlx::query(
        "SELECT user_id, rsvp_order FROM event_invitations WHERE event_id = $1 AND response = 'waitlisted' \
         ORDER BY rsvp_order, id LIMIT 1",
    )
    .bind(event.id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = first else { return Ok(None) };
    let (user_id, order): (i64, Option<i64>) = (row.get(0), row.get(1));
    sqlx::query(
        "UPDATE event_invitations SET response = 'registered', updated_at = $3 WHERE event_id = $1 AND user_id = $2",
    )
    .bind(event.id)
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let notice = EventNotice {
        recipient_id: user_id,
        key: format!("{user_id}:{}", order.unwrap_or_default()),
    };
    notify::tell(conn, event, NotificationKind::EventPromoted, &[notice], tz, now).await?;
    Ok(Some(user_id))
}

/// Answers yes or no. Run inside a write transaction: the event's row is locked first, so with a
/// capacity exactly that many are registered however many answer at once; extra yeses wait in
/// order, and a registered person's no hands their place to the first waiting.
pub async fn rsvp(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    yes: bool,
    tz: &jiff::tz::TimeZone,
    now: i64,
) -> CoreResult<Place> {
    let event = lock(conn, id).await?;
    let invited = sqlx::query("SELECT response FROM event_invitations WHERE event_id = $1 AND user_id = $2")
        .bind(id)
        .bind(caller.user_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| Place::parse(&r.get::<String, _>(0)));
    let current = match invited {
        Some(place) => place,
        None if open_to(conn, caller, &event).await? => {
            sqlx::query(
                "INSERT INTO event_invitations (event_id, user_id, response, invited_at, updated_at) \
                 VALUES ($1, $2, 'invited', $3, $3)",
            )
            .bind(id)
            .bind(caller.user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Place::Invited
        }
        None => return Err(CoreError::NotFound("event")),
    };
    if event.status != EventStatus::Published || now >= event.ends_at {
        return Err(CoreError::conflict(
            "event_closed",
            "this event no longer takes answers",
        ));
    }
    let free = match event.capacity {
        None => true,
        Some(c) => count(conn, id, Place::Registered).await? < c,
    };
    let Some(next) = answer(current, yes, free) else {
        return Ok(current);
    };
    set_place(conn, id, caller.user_id, next, now).await?;
    if current == Place::Registered && next == Place::Declined {
        promote_first(conn, &event, tz, now).await?;
    }
    Ok(next)
}

/// Whether someone not invited may still answer: community-wide events and their own grid's.
async fn open_to(conn: &mut AnyConnection, caller: &Caller, event: &Event) -> CoreResult<bool> {
    let Some(grid_id) = event.grid_id else { return Ok(true) };
    if may_manage(caller, Some(grid_id)) {
        return Ok(true);
    }
    let mine: Option<i64> = sqlx::query("SELECT grid_id FROM users WHERE id = $1")
        .bind(caller.user_id)
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    Ok(mine == Some(grid_id))
}

/// A recorded attendance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    /// The event.
    pub event_id: i64,
    /// Who came.
    pub user_id: i64,
    /// When they checked in (the first time).
    pub checked_in_at: i64,
    /// Volunteer minutes it will credit once the event is over (if it runs as planned).
    pub minutes: i64,
}

/// Checks the caller in with the code shown at the venue, within an hour either side of the
/// event, and records the attendance (once). Only people invited (and not declined) may check in
/// — or, where the organiser allows walk-ins, residents of the event's grid; anyone else hears
/// what they would for an event that does not exist. Nothing is credited now: the scheduler
/// credits attendance once the event is over, for the time it ran (`hours::event_minutes`).
pub async fn checkin(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    code: &str,
    cap_per_day_ms: i64,
    now: i64,
) -> CoreResult<Attendance> {
    let event = load(conn, id).await?;
    if !may_check_in(conn, caller, &event).await? {
        return Err(CoreError::NotFound("event"));
    }
    if let Some(refusal) = checkin_refusal(&event, code, now) {
        return Err(refusal);
    }
    sqlx::query(
        "INSERT INTO event_attendance (event_id, user_id, checked_in_at) VALUES ($1, $2, $3) \
         ON CONFLICT (event_id, user_id) DO NOTHING",
    )
    .bind(id)
    .bind(caller.user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let at: i64 = sqlx::query("SELECT checked_in_at FROM event_attendance WHERE event_id = $1 AND user_id = $2")
        .bind(id)
        .bind(caller.user_id)
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    Ok(Attendance {
        event_id: id,
        user_id: caller.user_id,
        checked_in_at: at,
        minutes: super::hours::event_minutes(event.starts_at, event.ends_at, cap_per_day_ms),
    })
}

/// Invited and still coming, or a walk-in from the event's grid where walk-ins are allowed.
async fn may_check_in(conn: &mut AnyConnection, caller: &Caller, event: &Event) -> CoreResult<bool> {
    let place = place_of(conn, event.id, caller.user_id).await?;
    if place.is_some_and(|p| p != Place::Declined) {
        return Ok(true);
    }
    if !event.walk_ins {
        return Ok(false);
    }
    let grid: Option<i64> = sqlx::query("SELECT grid_id FROM users WHERE id = $1")
        .bind(caller.user_id)
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    Ok(grid.is_some() && (event.grid_id.is_none() || grid == event.grid_id))
}

/// The caller's own place for an event, if they have one.
pub async fn place_of(conn: &mut AnyConnection, event_id: i64, user_id: i64) -> CoreResult<Option<Place>> {
    Ok(
        sqlx::query("SELECT response FROM event_invitations WHERE event_id = $1 AND user_id = $2")
            .bind(event_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| Place::parse(&r.get::<String, _>(0))),
    )
}

/// How many people hold each place.
pub async fn counts(conn: &mut AnyConnection, event_id: i64) -> CoreResult<(i64, i64)> {
    Ok((
        count(conn, event_id, Place::Registered).await?,
        count(conn, event_id, Place::Waitlisted).await?,
    ))
}
