//! 双报到: an in-service party member (在职党员) who lives here registers with the community —
//! work unit, its party organisation, skills, the service posts they take — and an admin approves
//! or rejects. Approved, they become an in-service member of the branch covering their grid (or
//! the branch the admin names) and a volunteer, with their skills. Filing needs a verified
//! residence: the grid comes from the register, never from the applicant.
//!
//! Who reads a registration: its applicant, the leader of its grid, admins. Who decides: the
//! pure [`machine`]; the store applies it with a guarded update, so two admins deciding at once
//! leave one decision.

mod decide;
pub mod machine;
pub mod model;
mod notify;

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

pub use decide::{Decision, capacities, decide};
pub use machine::{RegistrationAction, RegistrationActor, RegistrationStatus};
pub use model::{Registration, RegistrationInput};

use super::member::{self, Category};
use crate::error::{CoreError, CoreResult, on_constraint};
use crate::people::{Caller, user};

const COLUMNS: &str = "r.id, r.user_id, u.display_name, r.grid_id, r.work_unit, r.unit_branch, r.skills, r.posts, \
    r.status, r.reason, r.branch_id, r.decided_by, r.decided_at, r.created_at";

fn codes(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn from_row(r: &AnyRow) -> CoreResult<Registration> {
    Ok(Registration {
        id: r.get("id"),
        user_id: r.get("user_id"),
        display_name: r.get("display_name"),
        grid_id: r.get("grid_id"),
        work_unit: r.get("work_unit"),
        unit_branch: r.get("unit_branch"),
        skills: codes(&r.get::<String, _>("skills")),
        posts: codes(&r.get::<String, _>("posts")),
        status: r.get::<String, _>("status").parse()?,
        reason: r.get("reason"),
        branch_id: r.get("branch_id"),
        decided_by: r.get("decided_by"),
        decided_at: r.get("decided_at"),
        created_at: r.get("created_at"),
    })
}

/// One registration, whoever asks.
pub async fn get(conn: &mut AnyConnection, id: i64) -> CoreResult<Registration> {
    let sql = format!("SELECT {COLUMNS} FROM party_registrations r JOIN users u ON u.id = r.user_id WHERE r.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound("registration"))?;
    from_row(&row)
}

/// Whether `caller` may read `r`: its applicant, the leader of its grid, an admin.
pub fn may_see(caller: &Caller, r: &Registration) -> bool {
    caller.user_id == r.user_id || caller.is_admin() || caller.leads(r.grid_id)
}

/// One registration, if `caller` may read it (else not found: its existence is nobody else's).
pub async fn get_for(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<Registration> {
    let r = get(conn, id).await?;
    if !may_see(caller, &r) {
        return Err(CoreError::NotFound("registration"));
    }
    Ok(r)
}

/// The latest registration of `user_id` (any status), if they filed one.
pub async fn latest_of(conn: &mut AnyConnection, user_id: i64) -> CoreResult<Option<Registration>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM party_registrations r JOIN users u ON u.id = r.user_id \
         WHERE r.user_id = $1 ORDER BY r.id DESC LIMIT 1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// What a list asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListQuery {
    /// Only this status.
    pub status: Option<RegistrationStatus>,
    /// Only this grid.
    pub grid_id: Option<i64>,
    /// Older than this id (paging), newest first.
    pub before_id: Option<i64>,
    /// At most this many.
    pub limit: i64,
}

/// The registrations `caller` may read, newest first: every one for an admin, their grids' for a
/// leader, their own for anyone else.
pub async fn list(conn: &mut AnyConnection, caller: &Caller, q: ListQuery) -> CoreResult<Vec<Registration>> {
    let mut sql = format!(
        "SELECT {COLUMNS} FROM party_registrations r JOIN users u ON u.id = r.user_id \
         WHERE ($1 = '' OR r.status = $1) AND ($2 = 0 OR r.grid_id = $2) AND ($3 = 0 OR r.id < $3)"
    );
    if !caller.is_admin() {
        let own = format!("r.user_id = {}", caller.user_id);
        match caller.grid_scope("r.grid_id") {
            Some(scope) => sql.push_str(&format!(" AND ({own} OR {scope})")),
            None => sql.push_str(&format!(" AND {own}")),
        }
    }
    sql.push_str(" ORDER BY r.id DESC LIMIT $4");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(q.status.map_or("", RegistrationStatus::as_str))
        .bind(q.grid_id.unwrap_or(0))
        .bind(q.before_id.unwrap_or(0))
        .bind(q.limit.clamp(1, 200))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Files `caller`'s registration. Refused without a verified residence, while one is pending, and
/// for someone already an in-service member.
pub async fn file(
    conn: &mut AnyConnection,
    caller: &Caller,
    input: RegistrationInput,
    now: i64,
) -> CoreResult<Registration> {
    let me = user::get(conn, caller.user_id).await?;
    let grid_id = me.grid_id.ok_or_else(|| {
        CoreError::conflict(
            "residence_required",
            "register with the community once your residence is verified (POST /api/v1/me/residence)",
        )
    })?;
    if let Some(m) = member::of_user(conn, caller.user_id).await?
        && m.category == Category::InService
    {
        return Err(CoreError::conflict(
            "already_registered",
            "you are an in-service party member of this community already",
        ));
    }
    let pending = || CoreError::conflict("registration_pending", "your registration is waiting for a decision");
    if latest_of(conn, caller.user_id)
        .await?
        .is_some_and(|r| r.status == RegistrationStatus::Pending)
    {
        return Err(pending());
    }
    let row = sqlx::query(
        "INSERT INTO party_registrations (user_id, grid_id, work_unit, unit_branch, skills, posts, status, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) RETURNING id",
    )
    .bind(caller.user_id)
    .bind(grid_id)
    .bind(input.work_unit.as_str())
    .bind(input.unit_branch.as_str())
    .bind(json!(input.skills.as_slice()).to_string())
    .bind(json!(input.posts).to_string())
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        on_constraint(e, |name| {
            (name.contains("one_pending") || name.contains("party_registrations.user_id")).then(pending)
        })
    })?;
    let filed = get(conn, row.get(0)).await?;
    notify::filed(conn, &filed, now).await?;
    Ok(filed)
}
