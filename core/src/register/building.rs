//! Buildings (楼栋): each belongs to one grid. Admins manage them anywhere, leaders in their grids.

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::fields::BuildingName;
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult, on_constraint};
use crate::people::{Caller, grid};

/// A building as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Building {
    /// Id.
    pub id: i64,
    /// The grid it belongs to.
    pub grid_id: i64,
    /// Name, unique in the community (the import's `building` column).
    pub name: String,
}

fn from_row(r: &AnyRow) -> Building {
    Building {
        id: r.get("id"),
        grid_id: r.get("grid_id"),
        name: r.get("name"),
    }
}

/// Whether `caller` may manage the register of grid `grid_id`.
pub fn may_manage(caller: &Caller, grid_id: i64) -> bool {
    caller.is_admin() || caller.leads(grid_id)
}

/// Creates a building in a grid the caller manages.
pub async fn create(
    conn: &mut AnyConnection,
    caller: &Caller,
    grid_id: i64,
    name: BuildingName,
    now: i64,
) -> CoreResult<Building> {
    if !may_manage(caller, grid_id) {
        return Err(CoreError::forbidden(
            "not_permitted",
            format!("only admins and the leader of grid {grid_id} may add its buildings"),
        ));
    }
    grid::get(conn, grid_id)
        .await
        .map_err(|_| CoreError::invalid("unknown_grid", format!("grid_id: no grid {grid_id}")))?;
    let row = sqlx::query(
        "INSERT INTO buildings (grid_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) \
         RETURNING id, grid_id, name",
    )
    .bind(grid_id)
    .bind(name.as_str())
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        on_constraint(e, |c| {
            (c.contains("buildings_name") || c.contains("buildings.name"))
                .then(|| CoreError::conflict("building_name_taken", "a building with this name already exists"))
        })
    })?;
    let b = from_row(&row);
    let fact = Action::BuildingCreate.on(Subject::Building(b.id)).in_grid(grid_id);
    audit::record(conn, Some(caller), fact.with(json!({ "name": b.name })), now).await?;
    Ok(b)
}

/// The building with this id.
pub async fn get(conn: &mut AnyConnection, id: i64) -> CoreResult<Building> {
    sqlx::query("SELECT id, grid_id, name FROM buildings WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| from_row(&r))
        .ok_or(CoreError::NotFound("building"))
}

/// Buildings, of one grid or all, by id.
pub async fn list(conn: &mut AnyConnection, grid_id: Option<i64>) -> CoreResult<Vec<Building>> {
    let rows = sqlx::query("SELECT id, grid_id, name FROM buildings WHERE ($1 = 0 OR grid_id = $1) ORDER BY id")
        .bind(grid_id.unwrap_or(0))
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(from_row).collect())
}
