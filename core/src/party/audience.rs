//! Party audiences of invitations: the members of some branches and the members of some
//! categories, each with their home grid (so a grid leader's scope can be applied).

use sqlx::{AnyConnection, Row};

use super::Category;
use crate::error::{CoreError, CoreResult};

/// The members of `branch_ids` and of `categories`, as (user id, home grid); an unknown branch
/// is invalid input.
pub async fn members(
    conn: &mut AnyConnection,
    branch_ids: &[i64],
    categories: &[Category],
) -> CoreResult<Vec<(i64, Option<i64>)>> {
    let sql = "SELECT m.user_id, u.grid_id FROM party_members m JOIN users u ON u.id = m.user_id WHERE ";
    let mut people = Vec::new();
    for &branch in branch_ids {
        super::branch::get(conn, branch)
            .await
            .map_err(|_| CoreError::invalid("unknown_branch", format!("branch_ids: no branch {branch}")))?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{sql}m.branch_id = $1")))
            .bind(branch)
            .fetch_all(&mut *conn)
            .await?;
        people.extend(rows.iter().map(|r| (r.get::<i64, _>(0), r.get::<Option<i64>, _>(1))));
    }
    for category in categories {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{sql}m.category = $1")))
            .bind(category.as_str())
            .fetch_all(&mut *conn)
            .await?;
        people.extend(rows.iter().map(|r| (r.get::<i64, _>(0), r.get::<Option<i64>, _>(1))));
    }
    Ok(people)
}
