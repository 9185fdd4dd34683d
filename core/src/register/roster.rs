//! The people of a grid as its leader reads them, over the API and in the console alike: the
//! filter checked from what the reader typed, the list, and — in the same breath — the audit of
//! the accounts whose contact details it showed (`contact_views`, no wish concerned).

use sqlx::AnyConnection;

use super::people::{self, GridPerson, PeopleFilter};
use crate::db::Db;
use crate::error::{CoreError, CoreResult};
use crate::people::{Caller, Role};

impl PeopleFilter {
    /// The filter from text: a role name, a building, a search of at most 32 characters (names
    /// and phones), verified or not, and at most `limit` people (1 to 1000, 200 when absent).
    pub fn parse(
        role: Option<&str>,
        building_id: Option<i64>,
        q: Option<&str>,
        verified: Option<bool>,
        limit: Option<i64>,
    ) -> CoreResult<PeopleFilter> {
        let role = match role.map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(
                r.parse::<Role>()
                    .map_err(|e| CoreError::invalid("invalid_field", format!("role: {e}")))?,
            ),
        };
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        if q.is_some_and(|q| q.chars().count() > 32 || q.chars().any(char::is_control)) {
            return Err(CoreError::invalid("invalid_field", "q: at most 32 characters"));
        }
        let limit = limit.unwrap_or(200);
        if !(1..=1000).contains(&limit) {
            return Err(CoreError::invalid("invalid_field", "limit: must be 1 to 1000"));
        }
        Ok(PeopleFilter {
            role,
            building_id,
            q: q.map(str::to_string),
            verified,
            limit,
        })
    }
}

/// The people of `grid_id` for its leader or an admin (403 for anyone else, whether or not the
/// grid exists); the accounts whose phones it shows are audited as shown to `caller`.
pub async fn read(
    db: &Db,
    caller: &Caller,
    grid_id: i64,
    filter: &PeopleFilter,
    now: i64,
) -> CoreResult<Vec<GridPerson>> {
    let list = people::of_grid(&mut *db.pool().acquire().await?, caller, grid_id, filter).await?;
    let shown: Vec<i64> = list
        .iter()
        .filter(|p| p.phone.is_some())
        .filter_map(|p| p.user_id)
        .filter(|id| *id != caller.user_id)
        .collect();
    if !shown.is_empty() {
        let mut tx = db.begin_write().await?;
        record_reveals(&mut tx, caller.user_id, &shown, now).await?;
        tx.commit().await?;
        tracing::info!(
            viewer = caller.user_id,
            grid = grid_id,
            accounts = shown.len(),
            "grid people listed with contact details"
        );
    }
    Ok(list)
}

/// Records that `viewer` was shown the contact details of these accounts (no wish concerned).
async fn record_reveals(conn: &mut AnyConnection, viewer: i64, user_ids: &[i64], now: i64) -> CoreResult<()> {
    for user_id in user_ids {
        sqlx::query("INSERT INTO contact_views (viewer_id, resident_id, wish_id, at) VALUES ($1, $2, NULL, $3)")
            .bind(viewer)
            .bind(user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_is_checked_field_by_field() {
        let f = PeopleFilter::parse(Some("volunteer"), Some(3), Some(" 王 "), Some(false), None).unwrap();
        assert_eq!(
            (f.role, f.q.as_deref(), f.limit),
            (Some(Role::Volunteer), Some("王"), 200)
        );
        assert_eq!(
            PeopleFilter::parse(Some(""), None, Some(""), None, None).unwrap().q,
            None
        );
        assert!(PeopleFilter::parse(Some("mayor"), None, None, None, None).is_err());
        assert!(PeopleFilter::parse(None, None, Some(&"王".repeat(33)), None, None).is_err());
        assert!(PeopleFilter::parse(None, None, None, None, Some(0)).is_err());
    }
}
