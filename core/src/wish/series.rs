//! A recurring wish's series in the store: opening the next occurrence (when the current one
//! closes, or when its date has come — whichever is first), offering it first to whoever served
//! the last one, and stopping the series (by a cancel or rejection, its end date, or on request
//! of the resident's side or staff, keeping the current occurrence).
//!
//! **Exactly once.** The next occurrence is one `INSERT … SELECT … ON CONFLICT (series_id,
//! occurrence) DO NOTHING`: however many schedulers, and a confirmation, try at the same moment,
//! the unique index lets one row in; on PostgreSQL the others wait for its commit and then insert
//! nothing, on SQLite writers are serialised. `DO NOTHING` rather than catching the violation, so
//! a confirmation's transaction is never aborted by a scheduler that got there first.
//!
//! **The offer.** An elderly resident's weekly errand goes best with the same face at the door, so
//! the new occurrence is reserved for `wishes.repeat_offer_window` (a day by default) to the
//! volunteers who served the latest occurrence that was served, and they are told (`wish_offered`).
//! Only they may claim it meanwhile; a leader may still assign anyone; after the window anyone
//! may. Reserved, not assigned: a volunteer who has moved on never silently holds a wish nobody
//! is coming for.

use sqlx::{AnyConnection, Row};

use super::access::capacities;
use super::effects;
use super::machine::{Action, Actor};
use super::model::{Wish, WishStatus};
use super::notify::Announcement;
use super::query::load;
use super::trail::{self, Step};
use crate::config::Settings;
use crate::error::{CoreError, CoreResult};
use crate::notify::NotificationKind;
use crate::people::Caller;

/// What a change means for the wish's series: a closed occurrence opens the next; a cancelled or
/// rejected one stops the series. Part of the change's transaction.
pub(super) async fn after_change(
    conn: &mut AnyConnection,
    after: &Wish,
    action: Action,
    settings: &Settings,
) -> CoreResult<()> {
    let Some((series_id, _)) = after.series.filter(|_| after.repeat.is_some()) else {
        return Ok(());
    };
    match action {
        Action::Confirm | Action::AutoClose => open_next(conn, after, settings, after.updated_at).await.map(drop),
        Action::Cancel | Action::Reject => stop(conn, series_id).await,
        _ => Ok(()),
    }
}

/// Opens the occurrence after `current`, unless it is open already, the series was stopped, or
/// the rule has ended (which stops it). The new occurrence, when this call opened it.
pub async fn open_next(
    conn: &mut AnyConnection,
    current: &Wish,
    settings: &Settings,
    now: i64,
) -> CoreResult<Option<Wish>> {
    let (Some(rule), Some((series_id, occurrence))) = (current.repeat, current.series) else {
        return Ok(None);
    };
    let anchor: Option<i64> = sqlx::query("SELECT due_at FROM wishes WHERE id = $1")
        .bind(series_id)
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    let tz = jiff::tz::TimeZone::get(&settings.community.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let next = anchor
        .or(current.due_at)
        .and_then(|a| rule.due_of(a, occurrence + 1, &tz));
    let Some(due) = next else {
        stop(conn, series_id).await?;
        return Ok(None);
    };
    let served = served_last(conn, series_id, occurrence + 1).await?;
    let window = settings.wishes.repeat_offer_window.as_millis_i64();
    let offer_until = (!served.is_empty() && window > 0).then(|| now + window);
    // The latest occurrence is the template: an edit of the list of medicines carries on.
    let row = sqlx::query(
        "INSERT INTO wishes (resident_id, created_by, consent_note, grid_id, title, description, category, urgency, \
         due_at, status, created_at, updated_at, opened_at, slots, repeat_every, repeat_until, series_id, occurrence, \
         offer_until) \
         SELECT resident_id, created_by, consent_note, grid_id, title, description, category, urgency, $2, 'open', \
         $3, $3, $3, slots, repeat_every, repeat_until, series_id, occurrence + 1, $4 \
         FROM wishes WHERE id = $1 AND repeat_every IS NOT NULL \
         ON CONFLICT (series_id, occurrence) DO NOTHING RETURNING id",
    )
    .bind(current.id)
    .bind(due)
    .bind(now)
    .bind(offer_until)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id: i64 = row.get(0);
    if offer_until.is_some() {
        for volunteer in &served {
            sqlx::query("INSERT INTO wish_offers (wish_id, volunteer_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*volunteer)
                .execute(&mut *conn)
                .await?;
        }
    }
    let wish = load(conn, id).await?;
    let step = Step {
        wish_id: id,
        actor_id: None,
        action: "repeat",
        from: None,
        to: WishStatus::Open,
        note: None,
    };
    let offered: Vec<Announcement> = match offer_until {
        Some(_) => served.iter().map(|v| offer_to(*v)).collect(),
        None => Vec::new(),
    };
    trail::record(conn, step, &wish, &offered, now).await?;
    effects::on_posted(conn, &wish, false, now).await?;
    Ok(Some(wish))
}

fn offer_to(recipient_id: i64) -> Announcement {
    Announcement {
        kind: NotificationKind::WishOffered,
        recipient_id,
        urgent: false,
    }
}

/// Who served the series last: the holders of its latest occurrence before `before` that
/// somebody held (claimed, fulfilled or closed).
async fn served_last(conn: &mut AnyConnection, series_id: i64, before: i64) -> CoreResult<Vec<i64>> {
    let row = sqlx::query(
        "SELECT id FROM wishes WHERE series_id = $1 AND occurrence < $2 \
         AND status IN ('claimed', 'fulfilled', 'closed') ORDER BY occurrence DESC LIMIT 1",
    )
    .bind(series_id)
    .bind(before)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(load(conn, row.get(0)).await?.holders),
        None => Ok(Vec::new()),
    }
}

/// Stops a series: no occurrence opens after the ones there are. The rule is cleared on every
/// occurrence; `series_id` and `occurrence` stay as the record.
pub async fn stop(conn: &mut AnyConnection, series_id: i64) -> CoreResult<()> {
    sqlx::query(
        "UPDATE wishes SET repeat_every = NULL, repeat_until = NULL WHERE series_id = $1 AND repeat_every IS NOT NULL",
    )
    .bind(series_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stops the series of wish `id` on request, after the occurrences there are: the resident or
/// whoever posted it, its grid's leader or an admin (this occurrence stays as it is — stopping is
/// not cancelling). The timeline of the wish records who stopped it.
pub async fn stop_for(conn: &mut AnyConnection, caller: &Caller, id: i64, now: i64) -> CoreResult<Wish> {
    let wish = super::query::get(conn, caller, id).await?;
    let may = capacities(caller, &wish)
        .into_iter()
        .any(|a| matches!(a, Actor::Owner | Actor::Leader | Actor::Admin));
    if !may {
        return Err(CoreError::forbidden(
            "not_permitted",
            "only the resident's side, the grid's leader or an admin may stop a recurring wish",
        ));
    }
    let Some((series_id, _)) = wish.series.filter(|_| wish.repeat.is_some()) else {
        return Err(CoreError::conflict(
            "not_repeating",
            format!("wish {id} does not repeat (any more)"),
        ));
    };
    stop(conn, series_id).await?;
    let step = Step {
        wish_id: id,
        actor_id: Some(caller.user_id),
        action: "stop_repeat",
        from: Some(wish.status),
        to: wish.status,
        note: None,
    };
    trail::record(conn, step, &wish, &[], now).await?;
    load(conn, id).await
}

/// Refuses a claim of a wish offered to someone else while the offer lasts.
pub(super) async fn check_offer(conn: &mut AnyConnection, wish: &Wish, volunteer: i64, now: i64) -> CoreResult<()> {
    let Some(until) = wish.offer_until.filter(|until| now < *until) else {
        return Ok(());
    };
    let offered = sqlx::query("SELECT 1 FROM wish_offers WHERE wish_id = $1 AND volunteer_id = $2")
        .bind(wish.id)
        .bind(volunteer)
        .fetch_optional(&mut *conn)
        .await?;
    match offered {
        Some(_) => Ok(()),
        None => Err(CoreError::conflict(
            "offered",
            format!(
                "this occurrence is offered first to the volunteer who served the last one, until {}",
                crate::clock::rfc3339(until)
            ),
        )),
    }
}
