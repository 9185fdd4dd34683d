//! Residence requests as stored and read: the row, one request, a user's pending one, and the
//! lists a grid's leader (or an admin) works through. Filing and deciding are in `verify`.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::building::may_manage;
use super::residence::RequestStatus;
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;

/// A residence request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidenceRequest {
    /// Id.
    pub id: i64,
    /// Who lives there (they say).
    pub user_id: i64,
    /// The grid it belongs to.
    pub grid_id: i64,
    /// Building, when a room was given.
    pub building_id: Option<i64>,
    /// Unit as given.
    pub unit: Option<String>,
    /// Room as given.
    pub room: Option<String>,
    /// The register's household, once known.
    pub household_id: Option<i64>,
    /// pending, verified, rejected, withdrawn.
    pub status: RequestStatus,
    /// phone, leader or staff, once verified.
    pub method: Option<String>,
    /// The leader's reason for a rejection.
    pub reason: Option<String>,
    /// Who decided.
    pub decided_by: Option<i64>,
    /// Filed.
    pub created_at: i64,
    /// Decided.
    pub decided_at: Option<i64>,
}

const COLUMNS: &str = "id, user_id, grid_id, building_id, unit, room, household_id, status, method, reason, \
    decided_by, created_at, decided_at";

fn from_row(r: &AnyRow) -> ResidenceRequest {
    ResidenceRequest {
        id: r.get("id"),
        user_id: r.get("user_id"),
        grid_id: r.get("grid_id"),
        building_id: r.get("building_id"),
        unit: r.get("unit"),
        room: r.get("room"),
        household_id: r.get("household_id"),
        status: r.get::<String, _>("status").parse().unwrap_or(RequestStatus::Pending),
        method: r.get("method"),
        reason: r.get("reason"),
        decided_by: r.get("decided_by"),
        created_at: r.get("created_at"),
        decided_at: r.get("decided_at"),
    }
}

/// One request.
pub async fn get(conn: &mut AnyConnection, id: i64) -> CoreResult<ResidenceRequest> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM residence_requests WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| from_row(&r))
    .ok_or(CoreError::NotFound("residence request"))
}
/// The pending request of a user, if any.
pub async fn pending_of(conn: &mut AnyConnection, user_id: i64) -> CoreResult<Option<ResidenceRequest>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM residence_requests WHERE user_id = $1 AND status = 'pending' ORDER BY id DESC LIMIT 1"
    )))
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| from_row(&r)))
}
/// Requests the caller handles (a leader's grids, or all for an admin), newest first.
pub async fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    grid_id: Option<i64>,
    status: Option<RequestStatus>,
    limit: i64,
) -> CoreResult<Vec<ResidenceRequest>> {
    if !caller.is_admin() && caller.led_grids.is_empty() {
        return Err(CoreError::forbidden(
            "not_permitted",
            "residence requests are for grid leaders and admins",
        ));
    }
    if let Some(g) = grid_id.filter(|g| !may_manage(caller, *g)) {
        return Err(CoreError::forbidden(
            "not_permitted",
            format!("you do not lead grid {g}"),
        ));
    }
    let mut sql =
        format!("SELECT {COLUMNS} FROM residence_requests WHERE ($1 = '' OR status = $1) AND ($2 = 0 OR grid_id = $2)");
    if let Some(scope) = caller.grid_scope("grid_id").filter(|_| !caller.is_admin()) {
        sql.push_str(&format!(" AND {scope}"));
    }
    sql.push_str(" ORDER BY id DESC LIMIT $3");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(status.map_or("", RequestStatus::as_str))
        .bind(grid_id.unwrap_or(0))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(from_row).collect())
}
