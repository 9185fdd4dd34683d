//! Resources: what co-building units, projects and volunteers bring to the community.

use sqlx::AnyConnection;

use super::figure::Figure;
use super::window::Window;
use crate::error::CoreResult;

/// What co-building (#11) will measure; until its tables exist the figure says so.
const NO_UNITS: &str = "co-building units, resources and projects are not recorded yet";

/// Co-building units active, resources offered and used, projects delivered in the month: one
/// function per measure once their tables exist; until then each says so.
pub(super) async fn co_building(_: &mut AnyConnection, _: &Window<'_>) -> CoreResult<Figure> {
    Ok(Figure::none(NO_UNITS))
}

/// Volunteer hours credited in the month for the grid's wishes and events.
pub(super) async fn volunteer_hours(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let minutes = w
        .number(
            conn,
            "SELECT CAST(COALESCE(SUM(h.minutes), 0) AS BIGINT) FROM volunteer_hours h \
             LEFT JOIN wishes wi ON wi.id = h.wish_id LEFT JOIN events e ON e.id = h.event_id \
             WHERE {grid:COALESCE(wi.grid_id, e.grid_id)} AND h.created_at >= $1 AND h.created_at < $2",
        )
        .await?;
    Ok(Figure::of(minutes as f64 / 60.0))
}

/// Hours of co-building units and in-service members in the month.
pub(super) async fn unit_and_member_hours(_: &mut AnyConnection, _: &Window<'_>) -> CoreResult<Figure> {
    Ok(Figure::none(super::participation::NO_PARTY))
}
