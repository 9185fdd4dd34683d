//! Participation: do the community's households take part?

use sqlx::{AnyConnection, Row};

use super::figure::Figure;
use super::window::Window;
use crate::error::CoreResult;
use crate::party::{progress, target};

/// The accounts that acted in the month `[$1, $2)`: posted a wish, answered an invitation,
/// checked in at an event, claimed a wish, or were credited volunteer hours.
const ACTED: &str = "SELECT created_by FROM wishes WHERE created_at >= $1 AND created_at < $2 \
    UNION SELECT user_id FROM event_invitations WHERE response <> 'invited' AND updated_at >= $1 AND updated_at < $2 \
    UNION SELECT user_id FROM event_attendance WHERE checked_in_at >= $1 AND checked_in_at < $2 \
    UNION SELECT actor_id FROM wish_timeline WHERE action = 'claim' AND at >= $1 AND at < $2 \
    UNION SELECT user_id FROM volunteer_hours WHERE created_at >= $1 AND created_at < $2";

/// Share of the grid's register households with a member who acted in the month.
pub(super) async fn households_active(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    // People act as accounts; an account belongs to a household through its verified residence.
    let sql = format!(
        "SELECT COUNT(DISTINCT u.household_id) FROM users u \
         JOIN households h ON h.id = u.household_id JOIN buildings b ON b.id = h.building_id \
         WHERE {{grid:b.grid_id}} AND u.id IN ({ACTED})"
    );
    let active = w.number(conn, &sql).await?;
    // Households registered before the month ended ($1 <= $2 only binds the month's start).
    let households = w
        .number(
            conn,
            "SELECT COUNT(*) FROM households h JOIN buildings b ON b.id = h.building_id \
             WHERE {grid:b.grid_id} AND h.created_at < $2 AND $1 <= $2",
        )
        .await?;
    Ok(Figure::share(active, households, "no households in the register"))
}

/// Party members (of the grid: living in it) who acted in the month.
pub(super) async fn party_members_active(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let sql = format!(
        "SELECT COUNT(*) FROM party_members m JOIN users u ON u.id = m.user_id \
         WHERE {{grid:u.grid_id}} AND m.created_at < $2 AND m.user_id IN ({ACTED})"
    );
    Ok(Figure::count(w.number(conn, &sql).await?))
}

/// In-service members on track at the month's end: hours and services credited from 1 January
/// to the month's end against their yearly target pro-rated to the month's end.
pub(super) async fn in_service_members_on_track(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let rows = w
        .rows(
            conn,
            "SELECT m.user_id FROM party_members m JOIN users u ON u.id = m.user_id \
             WHERE m.category = 'in_service' AND {grid:u.grid_id} AND m.created_at < $2 AND $1 <= $2",
        )
        .await?;
    let members: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    if members.is_empty() {
        return Ok(Figure::share(0, 0, "no in-service members"));
    }
    let tz = super::tz(w.settings);
    let year = target::year_bounds(&tz, target::year_of(&tz, w.start))?;
    let share = target::share_gone(year.0, year.1, w.end);
    let goal = w.settings.party.target("in_service");
    let served = progress::of_members(conn, (year.0, w.end)).await?;
    let on_track = served
        .iter()
        .filter(|m| members.contains(&m.user_id))
        .filter(|m| target::on_track(goal, m.served.minutes(), m.served.services(), share))
        .count();
    Ok(Figure::share(
        on_track as i64,
        members.len() as i64,
        "no in-service members",
    ))
}

/// Check-ins at the grid's events in the month.
pub(super) async fn event_attendance(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let n = w
        .number(
            conn,
            "SELECT COUNT(*) FROM event_attendance a JOIN events e ON e.id = a.event_id \
             WHERE {grid:e.grid_id} AND a.checked_in_at >= $1 AND a.checked_in_at < $2",
        )
        .await?;
    Ok(Figure::count(n))
}
