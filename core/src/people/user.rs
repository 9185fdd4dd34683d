//! Users: found or created by WeChat openid at login, their profile, and their roles.

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use super::{Caller, Role};
use crate::Lang;
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult};
use crate::fields::{Address, Building, DisplayName, Email, Phone};

/// A user as stored, with roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: i64,
    /// WeChat openid (unique per mini-program).
    pub openid: String,
    /// Display name ('' until set).
    pub display_name: String,
    /// Mobile number, 11 digits.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// The grid the user lives in.
    pub grid_id: Option<i64>,
    /// Building (visible to everyone who sees the user's wishes).
    pub building: Option<String>,
    /// Exact address (protected like the phone number).
    pub address: Option<String>,
    /// Roles held; always contains `Resident`.
    pub roles: Vec<Role>,
    /// The language they chose; `None` until they do (notifications are then in Chinese).
    pub language: Option<Lang>,
    /// Creation time, epoch ms.
    pub created_at: i64,
}

/// Changes to a profile; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct ProfileUpdate {
    /// New display name.
    pub display_name: Option<DisplayName>,
    /// New phone number.
    pub phone: Option<Phone>,
    /// New email.
    pub email: Option<Email>,
    /// New grid.
    pub grid_id: Option<i64>,
    /// New building.
    pub building: Option<Building>,
    /// New exact address.
    pub address: Option<Address>,
    /// Volunteers: the weekly digest of open wishes in their grid, on or off.
    pub weekly_digest: Option<bool>,
    /// The language messages and errors are in.
    pub language: Option<Lang>,
    /// New skills (replacing the old ones).
    pub skills: Option<super::skills::Skills>,
}

const COLUMNS: &str = "id, openid, display_name, phone, email, grid_id, building, address, language, created_at";

fn from_row(row: &AnyRow, roles: Vec<Role>) -> User {
    User {
        id: row.get("id"),
        openid: row.get("openid"),
        display_name: row.get("display_name"),
        phone: row.get("phone"),
        email: row.get("email"),
        grid_id: row.get("grid_id"),
        building: row.get("building"),
        address: row.get("address"),
        roles,
        language: row
            .get::<Option<String>, _>("language")
            .as_deref()
            .and_then(Lang::parse),
        created_at: row.get("created_at"),
    }
}

/// The user with this openid, created (as a resident) if unknown. Returns whether it was created.
pub async fn find_or_create(conn: &mut AnyConnection, openid: &str, now: i64) -> CoreResult<(User, bool)> {
    let inserted = sqlx::query(
        "INSERT INTO users (openid, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (openid) DO NOTHING",
    )
    .bind(openid)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE openid = $1"
    )))
    .bind(openid)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.get("id");
    if inserted {
        grant(conn, id, Role::Resident).await?;
    }
    let roles = roles_of(conn, id).await?;
    Ok((from_row(&row, roles), inserted))
}

/// The user with this id.
pub async fn get(conn: &mut AnyConnection, id: i64) -> CoreResult<User> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CoreError::NotFound("user"))?;
    let roles = roles_of(conn, id).await?;
    Ok(from_row(&row, roles))
}

/// Roles of a user, sorted.
pub async fn roles_of(conn: &mut AnyConnection, id: i64) -> CoreResult<Vec<Role>> {
    let rows = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut roles: Vec<Role> = rows.iter().filter_map(|r| r.get::<String, _>(0).parse().ok()).collect();
    roles.sort();
    Ok(roles)
}

/// The caller identity of `user_id`: roles and led grids, read in one round trip.
pub async fn caller(pool: &AnyPool, user_id: i64) -> CoreResult<Caller> {
    let rows = sqlx::query(
        "SELECT role, 0 AS grid_id FROM user_roles WHERE user_id = $1 \
         UNION ALL SELECT '' AS role, id AS grid_id FROM grids WHERE leader_user_id = $1",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(Caller::fold(user_id, rows.iter().map(|r| (r.get(0), r.get(1)))))
}

/// Applies a profile update (skills included); an unknown grid is refused.
pub async fn update_profile(conn: &mut AnyConnection, id: i64, update: ProfileUpdate, now: i64) -> CoreResult<User> {
    if let Some(grid_id) = update.grid_id {
        super::grid::get(conn, grid_id)
            .await
            .map_err(|_| CoreError::invalid("unknown_grid", format!("grid_id: no grid {grid_id}")))?;
    }
    sqlx::query(
        "UPDATE users SET display_name = COALESCE($2, display_name), phone = COALESCE($3, phone), \
         phone_verified = CASE WHEN $3 IS NULL OR $3 = phone THEN phone_verified ELSE 0 END, \
         email = COALESCE($4, email), grid_id = COALESCE($5, grid_id), building = COALESCE($6, building), \
         address = COALESCE($7, address), updated_at = $8, weekly_digest = COALESCE($9, weekly_digest), language = COALESCE($10, language) WHERE id = $1",
    )
    .bind(id)
    .bind(update.display_name.map(DisplayName::into_inner))
    .bind(update.phone.map(|p| p.as_str().to_string()))
    .bind(update.email.map(|e| e.as_str().to_string()))
    .bind(update.grid_id)
    .bind(update.building.map(Building::into_inner))
    .bind(update.address.map(Address::into_inner))
    .bind(now)
    .bind(update.weekly_digest.map(i64::from))
    .bind(update.language.map(Lang::tag))
    .execute(&mut *conn)
    .await?;
    if let Some(skills) = &update.skills {
        super::skills::set(conn, id, skills).await?;
    }
    get(conn, id).await
}

/// Gives `role` to a user (no-op if held).
pub async fn grant(conn: &mut AnyConnection, id: i64, role: Role) -> CoreResult<()> {
    sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT (user_id, role) DO NOTHING")
        .bind(id)
        .bind(role.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces a user's roles (`Resident` is always kept), audited as done by `by`. Dropping
/// `GridLeader` also removes the user as leader of any grid, so no grid is led by someone
/// without the role.
pub async fn set_roles(conn: &mut AnyConnection, by: &Caller, id: i64, roles: &[Role], now: i64) -> CoreResult<User> {
    let before = get(conn, id).await?;
    // Taking a role away ends the user's sessions: whoever holds a token of theirs (a shared
    // phone, a leaked token) must sign in again, and nothing cached for the old roles survives.
    if before.roles.iter().any(|r| *r != Role::Resident && !roles.contains(r)) {
        super::session::revoke_all(conn, id).await?;
    }
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    grant(conn, id, Role::Resident).await?;
    for role in roles {
        grant(conn, id, *role).await?;
    }
    if !roles.contains(&Role::GridLeader) {
        sqlx::query("UPDATE grids SET leader_user_id = NULL, updated_at = $2 WHERE leader_user_id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    let after = get(conn, id).await?;
    let names = |roles: &[Role]| roles.iter().map(|r| r.as_str()).collect::<Vec<_>>();
    let detail = json!({ "before": names(&before.roles), "after": names(&after.roles) });
    audit::record(conn, Some(by), Action::RolesSet.on(Subject::User(id)).with(detail), now).await?;
    Ok(after)
}

/// Marks a resident as needing special attention (living alone, elderly, disabled), or not.
/// Only the leader of the resident's grid and admins may set it, and only they ever see it.
pub async fn set_vulnerable(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    vulnerable: bool,
    note: Option<&str>,
    now: i64,
) -> CoreResult<(bool, Option<String>)> {
    let refused = || {
        CoreError::forbidden(
            "not_permitted",
            "only the resident's grid leader or an admin may set this",
        )
    };
    // Decide before looking the resident up, so the answer does not tell outsiders who exists.
    if !caller.is_admin() && caller.led_grids.is_empty() {
        return Err(refused());
    }
    let resident = get(conn, id).await?;
    let leads = resident.grid_id.is_some_and(|g| caller.leads(g));
    if !(caller.is_admin() || leads) {
        return Err(CoreError::forbidden(
            "not_permitted",
            "only the resident's grid leader or an admin may set this",
        ));
    }
    sqlx::query("UPDATE users SET vulnerable = $2, vulnerable_note = $3, updated_at = $4 WHERE id = $1")
        .bind(id)
        .bind(i64::from(vulnerable))
        .bind(note)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let fact = Action::VulnerableSet.on(Subject::User(id)).in_grid(resident.grid_id);
    audit::record(conn, Some(caller), fact.with(json!({ "vulnerable": vulnerable })), now).await?;
    Ok((vulnerable, note.map(str::to_string)))
}

/// Marks the user's phone as verified by WeChat (`getPhoneNumber`): only such a phone can match
/// the register. Any typed change of the number clears the mark again.
pub async fn mark_phone_verified(conn: &mut AnyConnection, id: i64, now: i64) -> CoreResult<()> {
    sqlx::query("UPDATE users SET phone_verified = 1, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
