//! Writing the audit log: one row per action, in the action's own transaction, so an action and
//! its record commit together or not at all.

use sqlx::AnyConnection;

use super::Fact;
use crate::error::CoreResult;
use crate::people::Caller;

/// Records that `by` (`None`: the operator at the command line) did `fact` at `now`. Call it with
/// the transaction that makes the change, after the change succeeded.
pub async fn record(conn: &mut AnyConnection, by: Option<&Caller>, fact: Fact, now: i64) -> CoreResult<()> {
    let (subject_type, subject_id) = fact.subject.parts();
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, subject_type, subject_id, grid_id, detail, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(by.map(|c| c.user_id))
    .bind(fact.action.as_str())
    .bind(subject_type)
    .bind(subject_id)
    .bind(fact.grid_id)
    .bind(fact.detail.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    tracing::info!(
        actor = by.map(|c| c.user_id),
        action = fact.action.as_str(),
        subject_type,
        subject_id,
        "audited"
    );
    Ok(())
}
