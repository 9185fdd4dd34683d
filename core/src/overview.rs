//! A grid's governance indicators over a period: how much waits, how long people wait, how
//! satisfied they are — the first of the numbers a community reports on.

use sqlx::{AnyConnection, Row};

use crate::error::CoreResult;

/// One grid's indicators.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    /// Open wishes now.
    pub open: i64,
    /// Claimed wishes now past their due time or the overdue age.
    pub overdue: i64,
    /// Unresolved level-2 (admin) alerts now.
    pub escalated: i64,
    /// Unresolved alerts now.
    pub open_alerts: i64,
    /// Wishes closed in the period.
    pub closed: i64,
    /// Median minutes from posting to claim, for wishes claimed in the period.
    pub median_minutes_to_claim: Option<i64>,
    /// Median minutes from claim to fulfilment, for wishes fulfilled in the period.
    pub median_minutes_to_fulfil: Option<i64>,
    /// Average rating of wishes closed in the period.
    pub average_rating: Option<f64>,
}

fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    })
}

/// Computes the indicators of `grid_id` for the period starting at `since`.
pub async fn grid(
    conn: &mut AnyConnection,
    grid_id: i64,
    since: i64,
    now: i64,
    overdue_age_ms: i64,
) -> CoreResult<Overview> {
    let counts = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM wishes WHERE grid_id = $1 AND status = 'open'), \
           (SELECT COUNT(*) FROM wishes WHERE grid_id = $1 AND status = 'claimed' AND (claimed_at <= $3 OR due_at <= $4)), \
           (SELECT COUNT(*) FROM alerts WHERE grid_id = $1 AND level = 2 AND status <> 'resolved'), \
           (SELECT COUNT(*) FROM alerts WHERE grid_id = $1 AND status <> 'resolved'), \
           (SELECT COUNT(*) FROM wishes WHERE grid_id = $1 AND status = 'closed' AND closed_at >= $2)",
    )
    .bind(grid_id)
    .bind(since)
    .bind(now - overdue_age_ms)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    // Durations come from the timeline-derived columns; medians are computed here so the same
    // code runs on both engines (SQLite has no percentile function).
    let rows = sqlx::query(
        "SELECT created_at, claimed_at, fulfilled_at, rating, closed_at FROM wishes \
         WHERE grid_id = $1 AND (claimed_at >= $2 OR fulfilled_at >= $2 OR closed_at >= $2)",
    )
    .bind(grid_id)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    let (mut to_claim, mut to_fulfil, mut ratings) = (Vec::new(), Vec::new(), Vec::new());
    for r in &rows {
        let (created, claimed, fulfilled, rating, closed): (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        if let Some(c) = claimed.filter(|c| *c >= since) {
            to_claim.push((c - created) / 60_000);
        }
        if let (Some(c), Some(f)) = (claimed, fulfilled.filter(|f| *f >= since)) {
            to_fulfil.push((f - c).max(0) / 60_000);
        }
        if let (Some(rating), Some(_)) = (rating, closed.filter(|c| *c >= since)) {
            ratings.push(rating);
        }
    }
    let average_rating = (!ratings.is_empty())
        .then(|| (ratings.iter().sum::<i64>() as f64 / ratings.len() as f64 * 10.0).round() / 10.0);
    Ok(Overview {
        open: counts.get(0),
        overdue: counts.get(1),
        escalated: counts.get(2),
        open_alerts: counts.get(3),
        closed: counts.get(4),
        median_minutes_to_claim: median(to_claim),
        median_minutes_to_fulfil: median(to_fulfil),
        average_rating,
    })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
    }
}
