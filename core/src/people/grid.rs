//! Grids (网格): a few buildings under one grid leader, with an optional WeCom robot for the
//! leader's work group.

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Caller, Role};
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult, on_constraint};
use crate::fields::GridName;

/// A grid as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Id.
    pub id: i64,
    /// Unique name, e.g. "第三网格".
    pub name: String,
    /// The leader, if appointed.
    pub leader_user_id: Option<i64>,
    /// WeCom group-robot key (a secret: shown to admins only).
    pub wecom_robot_key: Option<String>,
}

/// What an admin sets on a grid.
#[derive(Debug, Clone)]
pub struct GridInput {
    /// Name.
    pub name: GridName,
    /// Leader's user id.
    pub leader_user_id: Option<i64>,
    /// Robot key.
    pub wecom_robot_key: Option<String>,
}

fn from_row(row: &AnyRow) -> Grid {
    Grid {
        id: row.get("id"),
        name: row.get("name"),
        leader_user_id: row.get("leader_user_id"),
        wecom_robot_key: row.get("wecom_robot_key"),
    }
}

fn name_taken(constraint: &str) -> Option<CoreError> {
    (constraint.contains("grids_name") || constraint.contains("grids.name"))
        .then(|| CoreError::conflict("grid_name_taken", "a grid with this name already exists"))
}

/// The grid with this id.
pub async fn get(conn: &mut AnyConnection, id: i64) -> CoreResult<Grid> {
    sqlx::query("SELECT id, name, leader_user_id, wecom_robot_key FROM grids WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| from_row(&r))
        .ok_or(CoreError::NotFound("grid"))
}

/// Every grid, by id.
pub async fn list(conn: &mut AnyConnection) -> CoreResult<Vec<Grid>> {
    let rows = sqlx::query("SELECT id, name, leader_user_id, wecom_robot_key FROM grids ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

/// Makes sure a would-be leader exists, and gives them the grid-leader role.
async fn appoint(conn: &mut AnyConnection, leader: Option<i64>) -> CoreResult<()> {
    if let Some(leader) = leader {
        super::user::get(conn, leader)
            .await
            .map_err(|_| CoreError::invalid("unknown_user", format!("leader_user_id: no user {leader}")))?;
        super::user::grant(conn, leader, Role::GridLeader).await?;
    }
    Ok(())
}

/// Creates a grid, audited as done by `by` (`None`: the operator, seeding).
pub async fn create(conn: &mut AnyConnection, by: Option<&Caller>, input: GridInput, now: i64) -> CoreResult<Grid> {
    let sql = "INSERT INTO grids (name, leader_user_id, wecom_robot_key, updated_at, created_at) \
               VALUES ($1, $2, $3, $4, $4) RETURNING id, name, leader_user_id, wecom_robot_key";
    let grid = write(conn, sql, None, input, now).await?;
    audit::record(
        conn,
        by,
        Action::GridCreate.on(Subject::Grid(grid.id)).with(facts(&grid)),
        now,
    )
    .await?;
    Ok(grid)
}

/// Replaces a grid's name, leader and robot key, audited as done by `by`.
pub async fn update(
    conn: &mut AnyConnection,
    by: Option<&Caller>,
    id: i64,
    input: GridInput,
    now: i64,
) -> CoreResult<Grid> {
    let before = get(conn, id).await?;
    let sql = "UPDATE grids SET name = $1, leader_user_id = $2, wecom_robot_key = $3, updated_at = $4 \
               WHERE id = $5 RETURNING id, name, leader_user_id, wecom_robot_key";
    let grid = write(conn, sql, Some(id), input, now).await?;
    let detail = json!({ "before": facts(&before), "after": facts(&grid) });
    audit::record(conn, by, Action::GridUpdate.on(Subject::Grid(id)).with(detail), now).await?;
    Ok(grid)
}

/// What the audit log keeps of a grid: its name, its leader, whether it has a robot (never the
/// key: it is a secret).
fn facts(grid: &Grid) -> serde_json::Value {
    json!({ "name": grid.name, "leader_user_id": grid.leader_user_id, "robot": grid.wecom_robot_key.is_some() })
}

/// Writes a grid's fields as `$1`…`$4` (name, leader, robot key, time) and, updating, its id as
/// `$5`; the leader is appointed first, and a taken name is a 409.
async fn write(
    conn: &mut AnyConnection,
    sql: &'static str,
    id: Option<i64>,
    input: GridInput,
    now: i64,
) -> CoreResult<Grid> {
    appoint(conn, input.leader_user_id).await?;
    let mut query = sqlx::query(sql)
        .bind(input.name.as_str().to_string())
        .bind(input.leader_user_id)
        .bind(input.wecom_robot_key)
        .bind(now);
    if let Some(id) = id {
        query = query.bind(id);
    }
    let row = query
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| on_constraint(e, name_taken))?;
    Ok(from_row(&row))
}

/// Makes `user_id` the leader of grid `id` (the CLI's `admin grant --grid`, audited as the
/// operator's).
pub async fn set_leader(conn: &mut AnyConnection, id: i64, user_id: i64, now: i64) -> CoreResult<()> {
    let before = get(conn, id).await?;
    appoint(conn, Some(user_id)).await?;
    sqlx::query("UPDATE grids SET leader_user_id = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let detail = json!({ "before": before.leader_user_id, "after": user_id });
    audit::record(conn, None, Action::GridLeader.on(Subject::Grid(id)).with(detail), now).await
}
