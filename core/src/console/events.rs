//! Events as an organiser sees them in the console: the events the caller may manage with their
//! counts, and one event's people — registered, waitlisted (in order), invited, declined — with
//! who checked in. Names only: the venue's screen shows no phone numbers.

use sqlx::{AnyConnection, Row};

use crate::error::CoreResult;
use crate::event::{Event, store};
use crate::people::Caller;

/// An event with its numbers.
#[derive(Debug, Clone)]
pub struct EventSummary {
    /// The event.
    pub event: Event,
    /// People with a place.
    pub registered: i64,
    /// People waiting for one.
    pub waitlisted: i64,
    /// Invited, no answer yet.
    pub invited: i64,
    /// Checked in.
    pub attended: i64,
}

/// One person's place at an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registrant {
    /// User id.
    pub user_id: i64,
    /// Display name.
    pub name: String,
    /// invited, registered, waitlisted, declined.
    pub response: String,
    /// When they checked in, if they did.
    pub checked_in_at: Option<i64>,
}

/// The events the caller may manage (admins: all; leaders: their grids'), latest start first.
pub async fn managed(conn: &mut AnyConnection, caller: &Caller, limit: i64) -> CoreResult<Vec<EventSummary>> {
    let Some(scope) = super::scope(caller, "e.grid_id") else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT e.id, \
           (SELECT COUNT(*) FROM event_invitations i WHERE i.event_id = e.id AND i.response = 'registered'), \
           (SELECT COUNT(*) FROM event_invitations i WHERE i.event_id = e.id AND i.response = 'waitlisted'), \
           (SELECT COUNT(*) FROM event_invitations i WHERE i.event_id = e.id AND i.response = 'invited'), \
           (SELECT COUNT(*) FROM event_attendance a WHERE a.event_id = e.id) \
         FROM events e WHERE {scope} ORDER BY e.starts_at DESC, e.id DESC LIMIT $1"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(EventSummary {
            event: store::load(conn, r.get(0)).await?,
            registered: r.get(1),
            waitlisted: r.get(2),
            invited: r.get(3),
            attended: r.get(4),
        });
    }
    Ok(out)
}

/// The people of event `id` for a caller who may manage it: registered first, then the waitlist
/// in its order, then those not yet answering, then those who declined.
pub async fn registrants(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<(Event, Vec<Registrant>)> {
    let event = store::load_managed(conn, caller, id).await?;
    let rows = sqlx::query(
        "SELECT i.user_id, u.display_name, i.response, a.checked_in_at FROM event_invitations i \
         JOIN users u ON u.id = i.user_id \
         LEFT JOIN event_attendance a ON a.event_id = i.event_id AND a.user_id = i.user_id \
         WHERE i.event_id = $1 \
         ORDER BY CASE i.response WHEN 'registered' THEN 0 WHEN 'waitlisted' THEN 1 WHEN 'invited' THEN 2 ELSE 3 END, \
           i.rsvp_order, u.display_name, i.user_id LIMIT 5000",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let people = rows
        .iter()
        .map(|r| Registrant {
            user_id: r.get(0),
            name: r.get(1),
            response: r.get(2),
            checked_in_at: r.get(3),
        })
        .collect();
    Ok((event, people))
}
