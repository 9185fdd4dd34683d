//! Coordination: how quickly and smoothly leaders, volunteers and staff move a wish along.

use sqlx::{AnyConnection, Row};

use super::figure::Figure;
use super::window::Window;
use crate::error::CoreResult;

const MINUTE: i64 = 60_000;

/// Every claim (or assignment) of the month with its category and its wait since the wish was
/// last opened, from the timeline: a release clears the wish's `claimed_at`, the timeline keeps it.
const CLAIMS: &str = "SELECT wi.category, t.at - COALESCE((SELECT MAX(o.at) FROM wish_timeline o \
       WHERE o.wish_id = t.wish_id AND o.to_status = 'open' AND o.id < t.id), wi.created_at) \
     FROM wish_timeline t JOIN wishes wi ON wi.id = t.wish_id \
     WHERE {grid:wi.grid_id} AND t.action IN ('claim', 'assign') AND t.at >= $1 AND t.at < $2";

/// Median minutes from open to claim, over the claims of the month.
pub(super) async fn median_minutes_to_claim(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let rows = w.rows(conn, CLAIMS).await?;
    let minutes = rows.iter().map(|r| r.get::<i64, _>(1).max(0) / MINUTE).collect();
    Ok(Figure::median(minutes, "no wish claimed in the month"))
}

/// Median minutes from claim to fulfilment, over wishes fulfilled in the month.
pub(super) async fn median_minutes_to_fulfil(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let spans = w
        .numbers(
            conn,
            "SELECT fulfilled_at - claimed_at FROM wishes \
             WHERE {grid:grid_id} AND fulfilled_at >= $1 AND fulfilled_at < $2 AND claimed_at IS NOT NULL",
        )
        .await?;
    let minutes = spans.into_iter().map(|ms| ms.max(0) / MINUTE).collect();
    Ok(Figure::median(minutes, "no wish fulfilled in the month"))
}

/// Share of the claims of the month made within the wish category's limit.
pub(super) async fn claimed_within_sla(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let rows = w.rows(conn, CLAIMS).await?;
    let within = rows
        .iter()
        .filter(|r| {
            let (category, wait): (String, i64) = (r.get(0), r.get(1));
            wait <= w.settings.escalation.sla(&category).as_millis_i64()
        })
        .count();
    Ok(Figure::share(
        within as i64,
        rows.len() as i64,
        "no wish claimed in the month",
    ))
}

/// Level-2 alerts raised in the month.
pub(super) async fn escalations(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let n = w
        .number(
            conn,
            "SELECT COUNT(*) FROM alerts WHERE {grid:grid_id} AND level = 2 AND created_at >= $1 AND created_at < $2",
        )
        .await?;
    Ok(Figure::count(n))
}

/// Median minutes to acknowledge (or resolve) the alerts raised in the month.
pub(super) async fn median_minutes_to_acknowledge(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let spans = w
        .numbers(
            conn,
            "SELECT COALESCE(acked_at, resolved_at) - created_at FROM alerts \
             WHERE {grid:grid_id} AND created_at >= $1 AND created_at < $2 \
             AND COALESCE(acked_at, resolved_at) IS NOT NULL",
        )
        .await?;
    let minutes = spans.into_iter().map(|ms| ms.max(0) / MINUTE).collect();
    Ok(Figure::median(minutes, "no alert of the month acknowledged"))
}

/// Releases, and assignments of wishes released before, in the month.
pub(super) async fn handoffs(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let n = w
        .number(
            conn,
            "SELECT COUNT(*) FROM wish_timeline t JOIN wishes wi ON wi.id = t.wish_id \
             WHERE {grid:wi.grid_id} AND t.at >= $1 AND t.at < $2 AND (t.action = 'release' \
               OR (t.action = 'assign' AND EXISTS (SELECT 1 FROM wish_timeline r \
                 WHERE r.wish_id = t.wish_id AND r.action = 'release' AND r.id < t.id)))",
        )
        .await?;
    Ok(Figure::count(n))
}
