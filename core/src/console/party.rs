//! The party organisation as the party secretary reads it in the console: every branch's members
//! with what each has given this year — hours in the ledger and services (events attended, wishes
//! confirmed) since the year began. Admins only, like the branches' API.

use sqlx::{AnyConnection, Row};

use crate::error::{CoreError, CoreResult};
use crate::party::Category;
use crate::people::Caller;

/// A party member and their year so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberYear {
    /// The member's account.
    pub user_id: i64,
    /// Their name.
    pub name: String,
    /// Their branch.
    pub branch_id: i64,
    /// Community or in-service.
    pub category: Category,
    /// Minutes in the hours ledger since `since` (corrections included).
    pub minutes: i64,
    /// Credited services since `since` (corrections not counted).
    pub services: i64,
}

/// Every party member, by branch and name, with their ledger since `since` (epoch ms).
pub async fn members(conn: &mut AnyConnection, caller: &Caller, since: i64) -> CoreResult<Vec<MemberYear>> {
    if !caller.is_admin() {
        return Err(CoreError::forbidden("not_permitted", "admins only"));
    }
    let rows = sqlx::query(
        "SELECT m.user_id, u.display_name, m.branch_id, m.category, \
           CAST(COALESCE(SUM(h.minutes), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN h.source <> 'correction' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM party_members m JOIN users u ON u.id = m.user_id \
         LEFT JOIN volunteer_hours h ON h.user_id = m.user_id AND h.created_at >= $1 \
         GROUP BY m.user_id, u.display_name, m.branch_id, m.category ORDER BY m.branch_id, u.display_name, m.user_id",
    )
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MemberYear {
                user_id: r.get(0),
                name: r.get(1),
                branch_id: r.get(2),
                category: r.get::<String, _>(3).parse()?,
                minutes: r.get(4),
                services: r.get(5),
            })
        })
        .collect()
}
