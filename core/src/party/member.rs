//! Party members of a branch and their category, set by admins.

use std::fmt;
use std::str::FromStr;

use serde_json::json;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;

/// A party member's category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// A member whose organisation is the community's (社区党员).
    Community,
    /// A member of a work unit's organisation registered with the community (在职党员, 双报到).
    InService,
}

impl Category {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Community => "community",
            Self::InService => "in_service",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = CoreError;

    fn from_str(s: &str) -> CoreResult<Self> {
        match s {
            "community" => Ok(Self::Community),
            "in_service" => Ok(Self::InService),
            _ => Err(CoreError::invalid(
                "invalid_field",
                format!("category: `{s}` is not one of community, in_service"),
            )),
        }
    }
}

/// A member of a branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The user.
    pub user_id: i64,
    /// Their name.
    pub display_name: String,
    /// Their branch.
    pub branch_id: i64,
    /// Their category.
    pub category: Category,
}

/// Makes `user_id` a member of `branch_id` in `category` (moving them from another branch),
/// audited as done by `by`.
pub async fn put(
    conn: &mut AnyConnection,
    by: &Caller,
    branch_id: i64,
    user_id: i64,
    category: Category,
    now: i64,
) -> CoreResult<Member> {
    super::branch::get(conn, branch_id).await?;
    crate::people::user::get(conn, user_id).await?;
    sqlx::query(
        "INSERT INTO party_members (user_id, branch_id, category, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (user_id) DO UPDATE \
         SET branch_id = excluded.branch_id, category = excluded.category, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(branch_id)
    .bind(category.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let member = list_where(conn, branch_id, Some(user_id))
        .await?
        .pop()
        .ok_or(CoreError::NotFound("member"))?;
    let detail = json!({ "branch_id": branch_id, "category": category.as_str() });
    audit::record(
        conn,
        Some(by),
        Action::MemberPut.on(Subject::User(user_id)).with(detail),
        now,
    )
    .await?;
    Ok(member)
}

/// Ends `user_id`'s membership of `branch_id`, audited as done by `by`.
pub async fn remove(conn: &mut AnyConnection, by: &Caller, branch_id: i64, user_id: i64, now: i64) -> CoreResult<()> {
    let done = sqlx::query("DELETE FROM party_members WHERE branch_id = $1 AND user_id = $2")
        .bind(branch_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(CoreError::NotFound("member"));
    }
    let fact = Action::MemberRemove.on(Subject::User(user_id));
    audit::record(conn, Some(by), fact.with(json!({ "branch_id": branch_id })), now).await
}

/// Sets `user_id`'s membership from the person's side (`PUT /admin/users/{id}/party`): a branch
/// makes them a member of it — in `category`, else the category they had, else `community` — and
/// `None` ends their membership, if any. Audited as done by `by`.
pub async fn assign(
    conn: &mut AnyConnection,
    by: &Caller,
    user_id: i64,
    branch_id: Option<i64>,
    category: Option<Category>,
    now: i64,
) -> CoreResult<Option<Member>> {
    crate::people::user::get(conn, user_id).await?;
    let current = of_user(conn, user_id).await?;
    match branch_id {
        Some(branch_id) => {
            super::branch::get(conn, branch_id)
                .await
                .map_err(|_| CoreError::invalid("unknown_branch", format!("branch_id: no branch {branch_id}")))?;
            let category = category.or(current.map(|m| m.category)).unwrap_or(Category::Community);
            put(conn, by, branch_id, user_id, category, now).await.map(Some)
        }
        None => {
            if let Some(member) = current {
                remove(conn, by, member.branch_id, user_id, now).await?;
            }
            Ok(None)
        }
    }
}

/// `user_id`'s membership, if they are a party member.
pub async fn of_user(conn: &mut AnyConnection, user_id: i64) -> CoreResult<Option<Member>> {
    let row = sqlx::query("SELECT branch_id FROM party_members WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(list_where(conn, row.get(0), Some(user_id)).await?.pop()),
        None => Ok(None),
    }
}

/// The members of a branch, by user id.
pub async fn list(conn: &mut AnyConnection, branch_id: i64) -> CoreResult<Vec<Member>> {
    super::branch::get(conn, branch_id).await?;
    list_where(conn, branch_id, None).await
}

async fn list_where(conn: &mut AnyConnection, branch_id: i64, user_id: Option<i64>) -> CoreResult<Vec<Member>> {
    let rows = sqlx::query(
        "SELECT m.user_id, u.display_name, m.branch_id, m.category FROM party_members m \
         JOIN users u ON u.id = m.user_id WHERE m.branch_id = $1 AND ($2 IS NULL OR m.user_id = $2) \
         ORDER BY m.user_id",
    )
    .bind(branch_id)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Member {
                user_id: r.get("user_id"),
                display_name: r.get("display_name"),
                branch_id: r.get("branch_id"),
                category: r.get::<String, _>("category").parse()?,
            })
        })
        .collect()
}
