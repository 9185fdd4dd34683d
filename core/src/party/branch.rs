//! Branches (党支部) of the community party committee, each covering some grids.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult, on_constraint};
use crate::people::Caller;

/// A branch as stored, with the grids it covers and how many members it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// Id.
    pub id: i64,
    /// Unique name, e.g. "第一党支部".
    pub name: String,
    /// The grids it covers, by id.
    pub grid_ids: Vec<i64>,
    /// How many party members it has.
    pub members: i64,
}

/// What an admin sets on a branch.
#[derive(Debug, Clone)]
pub struct BranchInput {
    name: String,
    grid_ids: Vec<i64>,
}

impl BranchInput {
    /// A name of 1 to 40 characters (trimmed) and distinct grids.
    pub fn parse(name: &str, mut grid_ids: Vec<i64>) -> CoreResult<Self> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(CoreError::invalid("invalid_field", "name: 1 to 40 characters"));
        }
        grid_ids.sort_unstable();
        grid_ids.dedup();
        Ok(Self {
            name: name.to_string(),
            grid_ids,
        })
    }
}

fn name_taken(constraint: &str) -> Option<CoreError> {
    (constraint.contains("party_branches_name") || constraint.contains("party_branches.name"))
        .then(|| CoreError::conflict("branch_name_taken", "a branch with this name already exists"))
}

/// The branch with this id.
pub async fn get(conn: &mut AnyConnection, id: i64) -> CoreResult<Branch> {
    list_where(conn, Some(id))
        .await?
        .pop()
        .ok_or(CoreError::NotFound("branch"))
}

/// Every branch, by id.
pub async fn list(conn: &mut AnyConnection) -> CoreResult<Vec<Branch>> {
    list_where(conn, None).await
}

async fn list_where(conn: &mut AnyConnection, id: Option<i64>) -> CoreResult<Vec<Branch>> {
    let sql = "SELECT b.id, b.name, (SELECT COUNT(*) FROM party_members m WHERE m.branch_id = b.id) AS members \
               FROM party_branches b WHERE $1 IS NULL OR b.id = $1 ORDER BY b.id";
    let rows = sqlx::query(sql).bind(id).fetch_all(&mut *conn).await?;
    let grids = sqlx::query(
        "SELECT branch_id, grid_id FROM party_branch_grids WHERE $1 IS NULL OR branch_id = $1 \
         ORDER BY branch_id, grid_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let id: i64 = r.get("id");
            Branch {
                id,
                name: r.get("name"),
                grid_ids: grids
                    .iter()
                    .filter(|g| g.get::<i64, _>("branch_id") == id)
                    .map(|g| g.get("grid_id"))
                    .collect(),
                members: r.get("members"),
            }
        })
        .collect())
}

/// Creates a branch, audited as done by `by`.
pub async fn create(conn: &mut AnyConnection, by: &Caller, input: BranchInput, now: i64) -> CoreResult<Branch> {
    let row = sqlx::query("INSERT INTO party_branches (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id")
        .bind(input.name.clone())
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| on_constraint(e, name_taken))?;
    let id = row.get("id");
    set_grids(conn, id, &input.grid_ids).await?;
    let branch = get(conn, id).await?;
    let fact = Action::BranchCreate.on(Subject::Branch(id));
    audit::record(
        conn,
        Some(by),
        fact.with(json!({ "name": branch.name, "grid_ids": branch.grid_ids })),
        now,
    )
    .await?;
    Ok(branch)
}

/// Renames a branch and replaces the grids it covers, audited as done by `by`.
pub async fn update(
    conn: &mut AnyConnection,
    by: &Caller,
    id: i64,
    input: BranchInput,
    now: i64,
) -> CoreResult<Branch> {
    let before = get(conn, id).await?;
    sqlx::query("UPDATE party_branches SET name = $1, updated_at = $2 WHERE id = $3")
        .bind(input.name.clone())
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(|e| on_constraint(e, name_taken))?;
    set_grids(conn, id, &input.grid_ids).await?;
    let after = get(conn, id).await?;
    let facts = |b: &Branch| json!({ "name": b.name, "grid_ids": b.grid_ids });
    let detail = json!({ "before": facts(&before), "after": facts(&after) });
    audit::record(
        conn,
        Some(by),
        Action::BranchUpdate.on(Subject::Branch(id)).with(detail),
        now,
    )
    .await?;
    Ok(after)
}

/// Replaces a branch's grids; an unknown grid is invalid input.
async fn set_grids(conn: &mut AnyConnection, id: i64, grid_ids: &[i64]) -> CoreResult<()> {
    sqlx::query("DELETE FROM party_branch_grids WHERE branch_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for &grid in grid_ids {
        crate::people::grid::get(conn, grid)
            .await
            .map_err(|_| CoreError::invalid("unknown_grid", format!("grid_ids: no grid {grid}")))?;
        sqlx::query("INSERT INTO party_branch_grids (branch_id, grid_id) VALUES ($1, $2)")
            .bind(id)
            .bind(grid)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
