//! Event store functions. Writers take `&mut AnyConnection` (a write transaction) so the change
//! and its outbox rows commit together; the same SQL runs on SQLite and PostgreSQL.

use serde_json::json;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{AnyConnection, Row};

use super::model::{Event, EventInput, EventStatus, Place, may_manage};
use super::notify::{self, EventNotice};
use super::places::{count, promote_first};
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult};
use crate::notify::NotificationKind;
use crate::people::{Caller, grid};

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, AnyArguments>;

const SELECT_EVENT: &str = "SELECT id, title, description, location, starts_at, ends_at, capacity, grid_id, \
    organiser_id, checkin_code, status, sequence, walk_ins, created_at, updated_at FROM events";

/// The event's columns as `alias.column` (for queries that join), read back by [`from_row`].
pub(super) fn columns(alias: &str) -> String {
    let names = SELECT_EVENT
        .trim_start_matches("SELECT ")
        .trim_end_matches(" FROM events");
    names
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn from_row(row: &AnyRow) -> Event {
    Event {
        id: row.get("id"),
        title: row.get("title"),
        description: row.get("description"),
        location: row.get("location"),
        starts_at: row.get("starts_at"),
        ends_at: row.get("ends_at"),
        capacity: row.get("capacity"),
        grid_id: row.get("grid_id"),
        organiser_id: row.get("organiser_id"),
        checkin_code: row.get("checkin_code"),
        status: EventStatus::parse(&row.get::<String, _>("status")),
        sequence: row.get("sequence"),
        walk_ins: row.get::<i64, _>("walk_ins") != 0,
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

/// Reads an event.
pub async fn load(conn: &mut AnyConnection, id: i64) -> CoreResult<Event> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_EVENT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| from_row(&r))
        .ok_or(CoreError::NotFound("event"))
}

/// Reads an event the caller may manage (admins; the leader of its grid).
pub async fn load_managed(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<Event> {
    let event = load(conn, id).await?;
    if !may_manage(caller, event.grid_id) {
        return Err(CoreError::forbidden(
            "not_permitted",
            "only admins and the leader of the event's grid may manage it",
        ));
    }
    Ok(event)
}

async fn check_grid(conn: &mut AnyConnection, caller: &Caller, grid_id: Option<i64>) -> CoreResult<()> {
    if let Some(g) = grid_id {
        grid::get(conn, g)
            .await
            .map_err(|_| CoreError::invalid("unknown_grid", format!("grid_id: no grid {g}")))?;
    }
    if !may_manage(caller, grid_id) {
        return Err(CoreError::forbidden(
            "not_permitted",
            "admins create events for the community; grid leaders only for their own grid",
        ));
    }
    Ok(())
}

/// Binds what an organiser writes, as `$1`…`$7`: title, description, location, start, end,
/// capacity, walk-ins. Creating and changing an event write these alike.
fn bind_input<'q>(query: AnyQuery<'q>, input: &'q EventInput) -> AnyQuery<'q> {
    query
        .bind(input.title.as_str())
        .bind(input.description.as_str())
        .bind(&input.location)
        .bind(input.starts_at)
        .bind(input.ends_at)
        .bind(input.capacity)
        .bind(i64::from(input.walk_ins))
}

/// Creates a published event organised by the caller, with a fresh six-digit check-in code.
pub async fn create(conn: &mut AnyConnection, caller: &Caller, input: EventInput, now: i64) -> CoreResult<Event> {
    check_grid(conn, caller, input.grid_id).await?;
    let code = format!("{:06}", rand::random_range(0..1_000_000u32));
    let row = bind_input(
        sqlx::query(
            "INSERT INTO events (title, description, location, starts_at, ends_at, capacity, walk_ins, grid_id, \
             organiser_id, checkin_code, status, sequence, rsvp_counter, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'published', 0, 0, $11, $11) RETURNING id",
        ),
        &input,
    )
    .bind(input.grid_id)
    .bind(caller.user_id)
    .bind(code)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let event = load(conn, row.get(0)).await?;
    let fact = Action::EventCreate.on(Subject::Event(event.id)).in_grid(event.grid_id);
    audit::record(conn, Some(caller), fact.with(facts(&event)), now).await?;
    Ok(event)
}

/// What the audit log keeps of an event: what invitees were told.
fn facts(e: &Event) -> serde_json::Value {
    json!({ "title": e.title, "location": e.location, "starts_at": e.starts_at, "ends_at": e.ends_at, "capacity": e.capacity })
}

/// Invitees who still expect the event (everyone invited except those who declined).
async fn expecting(conn: &mut AnyConnection, event_id: i64) -> CoreResult<Vec<i64>> {
    let rows = sqlx::query("SELECT user_id FROM event_invitations WHERE event_id = $1 AND response <> 'declined'")
        .bind(event_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Changes an event. A new time or place raises the SEQUENCE and re-sends the invitation to
/// everyone still expecting it; a larger capacity promotes from the waitlist.
pub async fn update(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    input: EventInput,
    tz: &jiff::tz::TimeZone,
    now: i64,
) -> CoreResult<Event> {
    let before = lock_open_for(conn, caller, id, "edit").await?;
    if input.grid_id.is_some_and(|g| Some(g) != before.grid_id) {
        return Err(CoreError::invalid(
            "invalid_field",
            "grid_id: an event cannot move to another grid",
        ));
    }
    if input.starts_at != before.starts_at && input.starts_at <= now {
        return Err(CoreError::invalid(
            "invalid_time",
            "starts_at: a new start must be in the future",
        ));
    }
    let registered = count(conn, id, Place::Registered).await?;
    if input.capacity.is_some_and(|c| c < registered) {
        return Err(CoreError::conflict(
            "capacity_below_registered",
            format!("capacity: {registered} people are already registered"),
        ));
    }
    let moved =
        input.starts_at != before.starts_at || input.ends_at != before.ends_at || input.location != before.location;
    bind_input(
        sqlx::query(
            "UPDATE events SET title = $1, description = $2, location = $3, starts_at = $4, ends_at = $5, \
             capacity = $6, walk_ins = $7, sequence = sequence + $8, updated_at = $9 WHERE id = $10",
        ),
        &input,
    )
    .bind(i64::from(moved))
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let event = load(conn, id).await?;
    if moved {
        let notices: Vec<EventNotice> = expecting(conn, id)
            .await?
            .into_iter()
            .map(|u| EventNotice {
                recipient_id: u,
                key: format!("{}:{u}", event.sequence),
            })
            .collect();
        notify::tell(conn, &event, NotificationKind::EventUpdate, &notices, tz, now).await?;
    }
    let mut free = event.capacity.map_or(i64::MAX, |c| c - registered);
    while free > 0 && promote_first(conn, &event, tz, now).await?.is_some() {
        free -= 1;
    }
    let detail = json!({ "before": facts(&before), "after": facts(&event), "notified": moved });
    let fact = Action::EventUpdate.on(Subject::Event(id)).in_grid(event.grid_id);
    audit::record(conn, Some(caller), fact.with(detail), now).await?;
    Ok(event)
}

/// Calls an event off and tells everyone still expecting it (calendar METHOD:CANCEL).
pub async fn cancel(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    tz: &jiff::tz::TimeZone,
    now: i64,
) -> CoreResult<Event> {
    lock_open_for(conn, caller, id, "cancel").await?;
    sqlx::query("UPDATE events SET status = 'cancelled', sequence = sequence + 1, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let event = load(conn, id).await?;
    let notices: Vec<EventNotice> = expecting(conn, id)
        .await?
        .into_iter()
        .map(EventNotice::once_to)
        .collect();
    notify::tell(conn, &event, NotificationKind::EventCancelled, &notices, tz, now).await?;
    let fact = Action::EventCancel.on(Subject::Event(id)).in_grid(event.grid_id);
    audit::record(
        conn,
        Some(caller),
        fact.with(json!({ "title": event.title, "told": notices.len() })),
        now,
    )
    .await?;
    Ok(event)
}

/// Takes the event's row lock — an UPDATE, which both engines serialise (SQLite's write
/// transaction already holds the database; PostgreSQL locks the row until commit) — and raises the
/// answer counter that orders the waitlist. Then reads the event as it now stands.
/// Locks an event the caller manages and that is still published, for `verb`ing it.
async fn lock_open_for(conn: &mut AnyConnection, caller: &Caller, id: i64, verb: &str) -> CoreResult<Event> {
    let event = lock(conn, id).await?;
    if !may_manage(caller, event.grid_id) {
        return Err(CoreError::forbidden(
            "not_permitted",
            format!("only admins and the grid's leader may {verb} it"),
        ));
    }
    if event.status != EventStatus::Published {
        return Err(CoreError::conflict(
            "event_closed",
            format!("the event is {}", event.status.as_str()),
        ));
    }
    Ok(event)
}

pub(super) async fn lock(conn: &mut AnyConnection, id: i64) -> CoreResult<Event> {
    sqlx::query("UPDATE events SET rsvp_counter = rsvp_counter + 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    load(conn, id).await
}
