//! Closed months are kept as computed: the first computation after a month ends is written to
//! `insight_snapshots` and read from then on, so later changes (a resident moving to another
//! grid, a household added) never rewrite history. The scheduler closes last month for the
//! community and every grid soon after it ends, so history is fixed even if nobody looked.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use super::figure::Figure;
use super::month::Month;
use crate::error::CoreResult;

/// A month's figures for one scope, by measure key.
pub type Figures = BTreeMap<String, Figure>;

/// The kept figures of `month` for `grid` (0 = community) and when they were computed.
pub async fn get(conn: &mut AnyConnection, month: Month, grid: i64) -> CoreResult<Option<(Figures, i64)>> {
    let row = sqlx::query("SELECT figures, computed_at FROM insight_snapshots WHERE month = $1 AND grid_id = $2")
        .bind(month.to_string())
        .bind(grid)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| {
        let text: String = r.get(0);
        (serde_json::from_str(&text).unwrap_or_default(), r.get(1))
    }))
}

/// Keeps `figures` unless the month was kept already (then the kept ones stay).
pub async fn put(tx: &mut AnyConnection, month: Month, grid: i64, figures: &Figures, now: i64) -> CoreResult<()> {
    let text = serde_json::to_string(figures).expect("figures serialise");
    sqlx::query(
        "INSERT INTO insight_snapshots (month, grid_id, figures, computed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (month, grid_id) DO NOTHING",
    )
    .bind(month.to_string())
    .bind(grid)
    .bind(text)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(())
}

/// How many scopes of `month` are kept.
pub async fn count(conn: &mut AnyConnection, month: Month) -> CoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM insight_snapshots WHERE month = $1")
        .bind(month.to_string())
        .fetch_one(conn)
        .await?;
    Ok(row.get(0))
}
