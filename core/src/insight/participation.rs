//! Participation: do the community's households take part?

use sqlx::AnyConnection;

use super::figure::Figure;
use super::window::Window;
use crate::error::CoreResult;

/// What party building (#11) will measure; until its tables exist the figure says so.
pub(super) const NO_PARTY: &str = "party building (members, 双报到, targets) is not recorded yet";

/// Share of the grid's register households with a member who acted in the month.
pub(super) async fn households_active(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    // People act as accounts; an account belongs to a household through its verified residence.
    let active = w
        .number(
            conn,
            "SELECT COUNT(DISTINCT u.household_id) FROM users u \
             JOIN households h ON h.id = u.household_id JOIN buildings b ON b.id = h.building_id \
             WHERE {grid:b.grid_id} AND u.id IN ( \
               SELECT created_by FROM wishes WHERE created_at >= $1 AND created_at < $2 \
               UNION SELECT user_id FROM event_invitations \
                 WHERE response <> 'invited' AND updated_at >= $1 AND updated_at < $2 \
               UNION SELECT user_id FROM event_attendance WHERE checked_in_at >= $1 AND checked_in_at < $2 \
               UNION SELECT actor_id FROM wish_timeline WHERE action = 'claim' AND at >= $1 AND at < $2 \
               UNION SELECT user_id FROM volunteer_hours WHERE created_at >= $1 AND created_at < $2)",
        )
        .await?;
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

/// Party members who acted in the month.
pub(super) async fn party_members_active(_: &mut AnyConnection, _: &Window<'_>) -> CoreResult<Figure> {
    Ok(Figure::none(NO_PARTY))
}

/// In-service members on track for their yearly target.
pub(super) async fn in_service_members_on_track(_: &mut AnyConnection, _: &Window<'_>) -> CoreResult<Figure> {
    Ok(Figure::none(NO_PARTY))
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
