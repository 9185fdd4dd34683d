//! Supply and demand: are the wishes met, and is there enough help for each kind of need?

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{AnyConnection, Row};

use super::figure::Figure;
use super::window::Window;
use crate::error::CoreResult;

fn categories(rows: &[(String, i64)]) -> Vec<(String, f64)> {
    rows.iter().map(|(c, n)| (c.clone(), *n as f64)).collect()
}

fn total(rows: &[(String, i64)]) -> i64 {
    rows.iter().map(|(_, n)| n).sum()
}

/// Share of the month's wishes (rejected aside) that have been fulfilled.
pub(super) async fn fulfilment_rate(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let rows = w
        .rows(
            conn,
            "SELECT COUNT(*), COUNT(fulfilled_at) FROM wishes \
             WHERE {grid:grid_id} AND created_at >= $1 AND created_at < $2 AND status <> 'rejected'",
        )
        .await?;
    let (posted, fulfilled): (i64, i64) = rows.first().map_or((0, 0), |r| (r.get(0), r.get(1)));
    Ok(Figure::share(fulfilled, posted, "no wish posted in the month"))
}

/// Wishes that raised an unclaimed alert in the month, by category.
pub(super) async fn unclaimed_past_sla(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let rows = w
        .by_category(
            conn,
            "SELECT wi.category, COUNT(DISTINCT a.wish_id) FROM alerts a JOIN wishes wi ON wi.id = a.wish_id \
             WHERE {grid:a.grid_id} AND a.kind = 'unclaimed' AND a.created_at >= $1 AND a.created_at < $2 \
             GROUP BY wi.category ORDER BY wi.category",
        )
        .await?;
    Ok(Figure::count(total(&rows)).with_categories(categories(&rows)))
}

const POSTED: &str = "SELECT category, COUNT(*) FROM wishes \
     WHERE {grid:grid_id} AND created_at >= $1 AND created_at < $2 GROUP BY category ORDER BY category";

/// Who took on a wish in the month: claimers from the timeline (a release clears the wish's
/// holder, the timeline keeps the claim), holders of wishes claimed or assigned in the month, and
/// holders of slots of wishes for several volunteers taken in the month.
const HELPERS: &str = "SELECT category, v FROM ( \
       SELECT wi.category, t.actor_id AS v FROM wish_timeline t JOIN wishes wi ON wi.id = t.wish_id \
       WHERE {grid:wi.grid_id} AND t.action = 'claim' AND t.actor_id IS NOT NULL AND t.at >= $1 AND t.at < $2 \
       UNION SELECT category, volunteer_id FROM wishes \
       WHERE {grid:grid_id} AND claimed_at >= $1 AND claimed_at < $2 AND volunteer_id IS NOT NULL \
       UNION SELECT wi.category, h.volunteer_id FROM wish_holders h JOIN wishes wi ON wi.id = h.wish_id \
       WHERE {grid:wi.grid_id} AND h.claimed_at >= $1 AND h.claimed_at < $2) x";

/// Wishes posted in the month, by category.
pub(super) async fn demand(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let rows = w.by_category(conn, POSTED).await?;
    Ok(Figure::count(total(&rows)).with_categories(categories(&rows)))
}

/// Distinct volunteers who took on a wish in the month, in all and by category.
pub(super) async fn volunteer_supply(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let pairs: Vec<(String, i64)> = w
        .rows(conn, HELPERS)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let people: BTreeSet<i64> = pairs.iter().map(|(_, v)| *v).collect();
    let mut by: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for (category, v) in pairs {
        by.entry(category).or_default().insert(v);
    }
    let by = by.into_iter().map(|(c, vs)| (c, vs.len() as f64)).collect();
    Ok(Figure::count(people.len() as i64).with_categories(by))
}

/// Wishes posted per volunteer who claimed one, in the month.
pub(super) async fn demand_per_volunteer(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let posted = total(&w.by_category(conn, POSTED).await?);
    let people = volunteer_supply(conn, w).await?.value.unwrap_or(0.0) as i64;
    if people == 0 {
        return Ok(Figure::none("no volunteer claimed a wish in the month"));
    }
    Ok(Figure::of(posted as f64 / people as f64))
}

/// Average rating of the wishes closed in the month.
pub(super) async fn average_rating(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let ratings = w
        .numbers(
            conn,
            "SELECT rating FROM wishes \
             WHERE {grid:grid_id} AND closed_at >= $1 AND closed_at < $2 AND rating IS NOT NULL",
        )
        .await?;
    if ratings.is_empty() {
        return Ok(Figure::none("no rated wish closed in the month"));
    }
    Ok(Figure::of(ratings.iter().sum::<i64>() as f64 / ratings.len() as f64))
}

/// Callbacks owed after bad ratings, raised in the month.
pub(super) async fn callbacks(conn: &mut AnyConnection, w: &Window<'_>) -> CoreResult<Figure> {
    let n = w
        .number(
            conn,
            "SELECT COUNT(*) FROM alerts \
             WHERE {grid:grid_id} AND kind = 'callback' AND created_at >= $1 AND created_at < $2",
        )
        .await?;
    Ok(Figure::count(n))
}
