//! Resources: what co-building units, projects and volunteers bring to the community. A
//! project belongs to the grid whose wishes it serves; a unit's resources serve every grid, so
//! what is on offer is the community's figure in every scope.

use sqlx::AnyConnection;

use super::figure::Figure;
use super::window::Window;
use crate::error::CoreResult;

/// Resources on offer at some time in the month: listed before it ended, not withdrawn, and
/// available in it (an open-ended window counts). `$3` only fixes the scope's statement shape.
const ON_OFFER: &str = "SELECT {cols} FROM unit_resources r WHERE r.created_at < $2 AND r.status <> 'withdrawn' \
     AND COALESCE(r.available_from, $1) < $2 AND COALESCE(r.available_to, $2) > $1 AND $3 = $3";

/// Units with a project of the scope proposed, agreed or delivered in the month, or with a
/// resource on offer in it.
pub(super) async fn active_units(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let sql = format!(
        "SELECT COUNT(DISTINCT x.unit_id) FROM ( \
           SELECT p.unit_id FROM projects p WHERE {{grid:p.grid_id}} AND ((p.created_at >= $1 AND p.created_at < $2) \
             OR (p.agreed_at >= $1 AND p.agreed_at < $2) OR (p.delivered_at >= $1 AND p.delivered_at < $2)) \
           UNION {}) x",
        ON_OFFER.replace("{cols}", "r.unit_id")
    );
    Ok(Figure::count(w.number(conn, &sql).await?))
}

/// Resources on offer in the month.
pub(super) async fn resources_offered(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    Ok(Figure::count(
        w.number(conn, &ON_OFFER.replace("{cols}", "COUNT(*)")).await?,
    ))
}

/// Resources a project of the scope was delivered with in the month.
pub(super) async fn resources_used(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let n = w
        .number(
            conn,
            "SELECT COUNT(DISTINCT u.resource_id) FROM resource_uses u JOIN projects p ON p.id = u.project_id \
             WHERE {grid:p.grid_id} AND u.used_at >= $1 AND u.used_at < $2",
        )
        .await?;
    Ok(Figure::count(n))
}

/// Projects of the scope delivered in the month.
pub(super) async fn projects_delivered(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let n = w
        .number(
            conn,
            "SELECT COUNT(*) FROM projects WHERE {grid:grid_id} AND delivered_at >= $1 AND delivered_at < $2",
        )
        .await?;
    Ok(Figure::count(n))
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

/// Hours contributed in the month by co-building units (the minutes credited for the scope's
/// projects delivered in it) and by in-service party members (their volunteer hours credited in
/// it for the scope's wishes and events).
pub(super) async fn unit_and_member_hours(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let units = w
        .number(
            conn,
            "SELECT CAST(COALESCE(SUM(c.minutes), 0) AS BIGINT) FROM unit_credits c JOIN projects p ON p.id = c.project_id \
             WHERE {grid:p.grid_id} AND c.created_at >= $1 AND c.created_at < $2",
        )
        .await?;
    let members = w
        .number(
            conn,
            "SELECT CAST(COALESCE(SUM(h.minutes), 0) AS BIGINT) FROM volunteer_hours h \
             JOIN party_members m ON m.user_id = h.user_id AND m.category = 'in_service' \
             LEFT JOIN wishes wi ON wi.id = h.wish_id LEFT JOIN events e ON e.id = h.event_id \
             WHERE {grid:COALESCE(wi.grid_id, e.grid_id)} AND h.created_at >= $1 AND h.created_at < $2",
        )
        .await?;
    Ok(Figure::of((units + members) as f64 / 60.0))
}
