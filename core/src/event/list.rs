//! Events as people browse them: the upcoming events a person may see (the community's, their
//! grid's, those they were invited to, and for staff those they manage) or their own (invited,
//! registered, waiting; cancelled ones too, so nobody turns up to an event that was called off),
//! each with its numbers and the person's place, soonest first, in one query.

use sqlx::{AnyConnection, Row};

use super::model::{Event, Place};
use super::store::{columns, from_row};
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;

/// Which events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Published events not yet over that the caller may see.
    Upcoming,
    /// Events not yet over the caller was invited to and has not declined.
    Mine,
}

impl Scope {
    /// `upcoming` or `mine`.
    pub fn parse(s: &str) -> CoreResult<Self> {
        match s {
            "upcoming" => Ok(Self::Upcoming),
            "mine" => Ok(Self::Mine),
            _ => Err(CoreError::invalid("invalid_field", "scope: upcoming or mine")),
        }
    }
}

/// An event in a list.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The event.
    pub event: Event,
    /// People with a place.
    pub registered: i64,
    /// People waiting for one.
    pub waitlisted: i64,
    /// The caller's own place, if invited or answered.
    pub mine: Option<Place>,
}

/// The caller's events of `scope` at `now`, soonest first, at most `limit`.
pub async fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    scope: Scope,
    now: i64,
    limit: i64,
) -> CoreResult<Vec<Listed>> {
    // Integers from the session, never client text (see `Caller::grid_scope`).
    let managed = caller.grid_scope("e.grid_id").unwrap_or_else(|| "1 = 0".into());
    let filter = match scope {
        Scope::Upcoming => format!(
            "e.status = 'published' AND (e.grid_id IS NULL OR e.grid_id = (SELECT grid_id FROM users WHERE id = $1) \
             OR i.user_id IS NOT NULL OR {managed})"
        ),
        Scope::Mine => "e.status IN ('published', 'cancelled') AND i.response <> 'declined'".to_string(),
    };
    let sql = format!(
        "SELECT {}, \
           (SELECT COUNT(*) FROM event_invitations r WHERE r.event_id = e.id AND r.response = 'registered') AS registered, \
           (SELECT COUNT(*) FROM event_invitations w WHERE w.event_id = e.id AND w.response = 'waitlisted') AS waitlisted, \
           i.response AS mine \
         FROM events e LEFT JOIN event_invitations i ON i.event_id = e.id AND i.user_id = $1 \
         WHERE e.ends_at > $2 AND {filter} ORDER BY e.starts_at, e.id LIMIT $3",
        columns("e")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(caller.user_id)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .iter()
        .map(|r| Listed {
            event: from_row(r),
            registered: r.get("registered"),
            waitlisted: r.get("waitlisted"),
            mine: r.get::<Option<String>, _>("mine").as_deref().map(Place::parse),
        })
        .collect())
}

/// The people of event `id` — registered, then the waitlist in its order, then those not yet
/// answering and those who declined, with who checked in — for admins and the leader of its grid.
/// Anyone who manages no event at all is refused before the event is looked up; a leader of
/// another grid hears what they would for an event that does not exist.
pub async fn registrants(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> CoreResult<(Event, Vec<crate::console::events::Registrant>)> {
    if !caller.is_admin() && !caller.has(crate::people::Role::GridLeader) {
        return Err(CoreError::forbidden(
            "not_permitted",
            "registrants are for the event's organisers: admins and its grid's leader",
        ));
    }
    match crate::console::events::registrants(conn, caller, id).await {
        Err(CoreError::Forbidden { .. }) => Err(CoreError::NotFound("event")),
        other => other,
    }
}
