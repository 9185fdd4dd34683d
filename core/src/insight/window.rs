//! What a measure is computed over — a grid (or the whole community) and a month's `[start, end)`
//! — and the few query shapes every measure uses. Each statement binds `$1` = start, `$2` = end,
//! `$3` = the grid id (0 for the community), and names its grid column with `{grid}`, which
//! becomes `col = $3` for a grid and `$3 = 0` for the community: one statement text per scope, so
//! PostgreSQL can plan the grid form on the `(grid_id, time)` indexes.

use sqlx::{AnyConnection, Row};

use crate::config::Settings;
use crate::error::CoreResult;

/// A grid (or the community) and a month.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// The grid, or 0 for the whole community.
    pub grid: i64,
    /// Where the month begins, epoch ms.
    pub start: i64,
    /// Where the next month begins, epoch ms.
    pub end: i64,
    /// The category limits.
    pub settings: &'a Settings,
}

/// `template` for the scope `grid`: each `{grid:COLUMN}` placeholder replaced.
fn scoped(template: &str, grid: i64) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find("{grid:") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 6..];
        let close = tail.find('}').expect("a closed {grid:…} placeholder");
        if grid == 0 {
            out.push_str("$3 = 0");
        } else {
            out.push_str(&tail[..close]);
            out.push_str(" = $3");
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    out
}

impl Window<'_> {
    /// Runs a statement returning rows.
    pub async fn rows(&self, conn: &mut AnyConnection, template: &str) -> CoreResult<Vec<sqlx::any::AnyRow>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(scoped(template, self.grid)))
            .bind(self.start)
            .bind(self.end)
            .bind(self.grid)
            .fetch_all(conn)
            .await?)
    }

    /// Runs a statement returning one integer (a count or a sum).
    pub async fn number(&self, conn: &mut AnyConnection, template: &str) -> CoreResult<i64> {
        let rows = self.rows(conn, template).await?;
        Ok(rows
            .first()
            .and_then(|r| r.try_get::<Option<i64>, _>(0).ok().flatten())
            .unwrap_or(0))
    }

    /// Runs a statement returning one integer per row (durations, in ms).
    pub async fn numbers(&self, conn: &mut AnyConnection, template: &str) -> CoreResult<Vec<i64>> {
        let rows = self.rows(conn, template).await?;
        Ok(rows.iter().map(|r| r.get::<i64, _>(0)).collect())
    }

    /// Runs a statement returning `(category, count)` rows.
    pub async fn by_category(&self, conn: &mut AnyConnection, template: &str) -> CoreResult<Vec<(String, i64)>> {
        let rows = self.rows(conn, template).await?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::scoped;

    #[test]
    fn the_grid_placeholder_becomes_a_filter_or_a_tautology() {
        let t = "SELECT 1 FROM w WHERE {grid:w.grid_id} AND x IN (SELECT 1 WHERE {grid:e.grid_id})";
        assert_eq!(
            scoped(t, 4),
            "SELECT 1 FROM w WHERE w.grid_id = $3 AND x IN (SELECT 1 WHERE e.grid_id = $3)"
        );
        assert_eq!(
            scoped(t, 0),
            "SELECT 1 FROM w WHERE $3 = 0 AND x IN (SELECT 1 WHERE $3 = 0)"
        );
    }
}
