//! Removing people and households from the register, with the rules a real register needs: a
//! person linked to an account (whose wishes, visits and hours stay on record) is not removed
//! (409 `person_has_account`), nor a household that still has people, accounts or residence
//! requests (409 `household_not_empty`); what is removed is written to the audit log.
//! A person or household the caller does not manage is 404, as if it did not exist.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::people::household_grid;
use crate::audit::{self, Action, Fact, Subject};
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;

/// What is removed: the register's table and row, and its entry in the audit log.
struct Removal {
    table: &'static str,
    id: i64,
    fact: Fact,
}

/// Deletes the row and writes its removal to the audit log, in the caller's transaction.
async fn remove(conn: &mut AnyConnection, caller: &Caller, what: Removal, now: i64) -> CoreResult<()> {
    // `table` is one of the two names below, never input.
    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {} WHERE id = $1", what.table)))
        .bind(what.id)
        .execute(&mut *conn)
        .await?;
    audit::record(conn, Some(caller), what.fact, now).await
}

/// Removes a register person without an account.
pub async fn remove_person(conn: &mut AnyConnection, caller: &Caller, id: i64, now: i64) -> CoreResult<()> {
    let row = sqlx::query("SELECT household_id, name, user_id FROM people WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound("person"))?;
    let (household, name, account): (i64, String, Option<i64>) = (row.get(0), row.get(1), row.get(2));
    let grid = household_grid(conn, caller, household)
        .await
        .map_err(|_| CoreError::NotFound("person"))?;
    if account.is_some() {
        return Err(CoreError::conflict(
            "person_has_account",
            "this person is linked to an account whose wishes and visits stay on record; they are not removed",
        ));
    }
    let detail = json!({ "name": name, "household_id": household });
    let fact = Action::PersonRemove.on(Subject::Person(id)).in_grid(grid).with(detail);
    let what = Removal {
        table: "people",
        id,
        fact,
    };
    remove(conn, caller, what, now).await
}

/// Removes an empty household (no people, accounts or residence requests).
pub async fn remove_household(conn: &mut AnyConnection, caller: &Caller, id: i64, now: i64) -> CoreResult<()> {
    let grid = household_grid(conn, caller, id).await?;
    let used = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM people WHERE household_id = $1) + \
         (SELECT COUNT(*) FROM users WHERE household_id = $1) + \
         (SELECT COUNT(*) FROM residence_requests WHERE household_id = $1)",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?
    .get::<i64, _>(0);
    if used > 0 {
        return Err(CoreError::conflict(
            "household_not_empty",
            "this household still has people, accounts or residence requests; remove or move them first",
        ));
    }
    let (building, place) = super::household::address(conn, id).await?;
    let detail = json!({ "building": building, "place": place });
    let fact = Action::HouseholdRemove
        .on(Subject::Household(id))
        .in_grid(grid)
        .with(detail);
    let what = Removal {
        table: "households",
        id,
        fact,
    };
    remove(conn, caller, what, now).await
}
