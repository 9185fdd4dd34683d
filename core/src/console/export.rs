//! Wishes for export: every wish of the grids the caller oversees (all grids for admins), page
//! by page in id order, with the facts a report needs. No phone numbers or addresses: an export
//! leaves the system, and contact details are revealed one wish at a time, audited.

use sqlx::{AnyConnection, Row};

use crate::error::CoreResult;
use crate::people::Caller;

/// One exported wish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WishRow {
    /// Id.
    pub id: i64,
    /// Grid name.
    pub grid: String,
    /// Category code.
    pub category: String,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// Status.
    pub status: String,
    /// Title.
    pub title: String,
    /// The volunteer holding or who fulfilled it ('' if none).
    pub volunteer: String,
    /// Posted, epoch ms.
    pub created_at: i64,
    /// Claimed, fulfilled, closed, epoch ms.
    pub claimed_at: Option<i64>,
    /// Fulfilled.
    pub fulfilled_at: Option<i64>,
    /// Closed.
    pub closed_at: Option<i64>,
    /// Rating 1–5.
    pub rating: Option<i64>,
}

/// Up to `limit` wishes with ids above `after_id`; an empty page is the end.
pub async fn wishes_page(
    conn: &mut AnyConnection,
    caller: &Caller,
    after_id: i64,
    limit: i64,
) -> CoreResult<Vec<WishRow>> {
    let Some(scope) = super::scope(caller, "w.grid_id") else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT w.id, g.name, w.category, w.urgency, w.status, w.title, COALESCE(v.display_name, ''), \
           w.created_at, w.claimed_at, w.fulfilled_at, w.closed_at, w.rating \
         FROM wishes w JOIN grids g ON g.id = w.grid_id LEFT JOIN users v ON v.id = w.volunteer_id \
         WHERE {scope} AND w.id > $1 ORDER BY w.id LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after_id)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .iter()
        .map(|r| WishRow {
            id: r.get(0),
            grid: r.get(1),
            category: r.get(2),
            urgency: r.get(3),
            status: r.get(4),
            title: r.get(5),
            volunteer: r.get(6),
            created_at: r.get(7),
            claimed_at: r.get(8),
            fulfilled_at: r.get(9),
            closed_at: r.get(10),
            rating: r.get(11),
        })
        .collect())
}
