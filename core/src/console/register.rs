//! The register as the console shows it: residence requests waiting on the caller with who asked
//! and where (names, not phones: the screen may be shared), and the names of the people a page
//! refers to by id (a care list's visitors). Deciding is `register::verify::decide`, as over the API.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use crate::error::CoreResult;
use crate::event::invite;
use crate::people::Caller;
use crate::people::audience::{bind_all, in_list};

/// A residence request waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The request.
    pub id: i64,
    /// Its grid.
    pub grid_id: i64,
    /// The grid's name.
    pub grid: String,
    /// Who asked.
    pub user_id: i64,
    /// Their display name.
    pub name: String,
    /// The building they named, if any.
    pub building: Option<String>,
    /// Unit and room as given.
    pub unit: Option<String>,
    /// Room as given.
    pub room: Option<String>,
    /// Filed.
    pub created_at: i64,
}

/// Pending requests of the grids the caller works on, oldest first (the longest waiting on top).
pub async fn waiting(conn: &mut AnyConnection, caller: &Caller, limit: i64) -> CoreResult<Vec<Waiting>> {
    let Some(scope) = super::scope(caller, "r.grid_id") else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT r.id, r.grid_id, g.name, r.user_id, u.display_name, b.name, r.unit, r.room, r.created_at \
         FROM residence_requests r JOIN users u ON u.id = r.user_id JOIN grids g ON g.id = r.grid_id \
         LEFT JOIN buildings b ON b.id = r.building_id \
         WHERE r.status = 'pending' AND {scope} ORDER BY r.created_at, r.id LIMIT $1"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .iter()
        .map(|r| Waiting {
            id: r.get(0),
            grid_id: r.get(1),
            grid: r.get(2),
            user_id: r.get(3),
            name: r.get(4),
            building: r.get(5),
            unit: r.get(6),
            room: r.get(7),
            created_at: r.get(8),
        })
        .collect())
}

/// Display names of these users (those with none are left out).
pub async fn names(conn: &mut AnyConnection, ids: &[i64]) -> CoreResult<HashMap<i64, String>> {
    let mut names = HashMap::new();
    for chunk in ids.chunks(invite::BATCH) {
        let sql = format!(
            "SELECT id, display_name FROM users WHERE id IN ({})",
            in_list(chunk.len())
        );
        for r in bind_all(sql, chunk).fetch_all(&mut *conn).await? {
            names.insert(r.get(0), r.get(1));
        }
    }
    Ok(names)
}
