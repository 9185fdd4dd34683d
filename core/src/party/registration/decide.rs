//! Deciding a registration: the pure machine says whether this caller may take this action now;
//! a guarded update applies it; an approval enrols the applicant — member of a branch,
//! volunteer, skills — in the same transaction, audited, and the applicant hears of it.

use serde_json::json;
use sqlx::AnyConnection;

use super::machine::{self, RegistrationAction, RegistrationActor, RegistrationStatus};
use super::model::Registration;
use super::{get, get_for, notify};
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult, guarded};
use crate::fields::Note;
use crate::party::member::{self, Category};
use crate::people::{Caller, Role, user};

/// What an admin's decision carries.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// Why (required to reject).
    pub reason: Option<Note>,
    /// The branch to join (approve); absent: the branch covering the applicant's grid.
    pub branch_id: Option<i64>,
}

/// The capacities `caller` holds on `r`. An admin filing their own acts only as its applicant:
/// nobody approves themselves.
pub fn capacities(caller: &Caller, r: &Registration) -> RegistrationActor {
    if caller.user_id == r.user_id {
        RegistrationActor::Applicant
    } else if caller.is_admin() {
        RegistrationActor::Admin
    } else {
        RegistrationActor::Other
    }
}

/// Takes `action` on registration `id` for `caller`; the applicant hears of a decision.
pub async fn decide(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    action: RegistrationAction,
    decision: Decision,
    now: i64,
) -> CoreResult<Registration> {
    let before = get_for(conn, caller, id).await?;
    let actor = capacities(caller, &before);
    let to = machine::transition(before.status, action, actor).map_err(|refusal| match refusal {
        machine::Refusal::NotPermitted => CoreError::forbidden(
            "not_permitted",
            match action {
                RegistrationAction::Withdraw => "only the applicant withdraws a registration",
                _ => "an admin other than the applicant decides a registration",
            },
        ),
        machine::Refusal::WrongStatus => CoreError::conflict(
            "not_pending",
            format!("this registration is {}, not pending", before.status),
        ),
    })?;
    let reason = decision.reason.map(Note::into_inner).filter(|r| !r.is_empty());
    if action == RegistrationAction::Reject && reason.is_none() {
        return Err(CoreError::invalid("invalid_field", "reason: required"));
    }
    let branch_id = match action {
        RegistrationAction::Approve => Some(branch_for(conn, &before, decision.branch_id).await?),
        _ => None,
    };
    let done = sqlx::query(
        "UPDATE party_registrations SET status = $2, reason = $3, branch_id = $4, decided_by = $5, \
         decided_at = $6, updated_at = $6 WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(to.as_str())
    .bind(reason.clone().filter(|_| to == RegistrationStatus::Rejected))
    .bind(branch_id)
    .bind(caller.user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    guarded(done, || {
        CoreError::conflict("not_pending", "this registration was decided meanwhile")
    })?;
    if let Some(branch_id) = branch_id {
        enrol(conn, caller, &before, branch_id, now).await?;
    }
    let after = get(conn, id).await?;
    let audited = match action {
        RegistrationAction::Approve => Some(Action::RegistrationApprove),
        RegistrationAction::Reject => Some(Action::RegistrationReject),
        RegistrationAction::Withdraw => None,
    };
    if let Some(audited) = audited {
        let detail = json!({ "user_id": after.user_id, "work_unit": after.work_unit,
            "branch_id": after.branch_id, "reason": after.reason });
        let fact = audited.on(Subject::Registration(id)).in_grid(after.grid_id);
        audit::record(conn, Some(caller), fact.with(detail), now).await?;
        notify::decided(conn, &after, now).await?;
    }
    Ok(after)
}

/// The branch an approval enrols into: the one named (it must exist), else the branch covering
/// the applicant's grid (the lowest id, if several do).
async fn branch_for(conn: &mut AnyConnection, r: &Registration, named: Option<i64>) -> CoreResult<i64> {
    if let Some(branch_id) = named {
        crate::party::branch::get(conn, branch_id)
            .await
            .map_err(|_| CoreError::invalid("unknown_branch", format!("branch_id: no branch {branch_id}")))?;
        return Ok(branch_id);
    }
    let covering: Option<i64> = sqlx::query_scalar("SELECT MIN(branch_id) FROM party_branch_grids WHERE grid_id = $1")
        .bind(r.grid_id)
        .fetch_one(&mut *conn)
        .await?;
    covering.ok_or_else(|| {
        CoreError::conflict(
            "no_branch",
            format!("no branch covers grid {}: name one with branch_id", r.grid_id),
        )
    })
}

/// What an approval makes of the applicant: an in-service member of `branch_id`, a volunteer,
/// with the skills they listed added to theirs.
async fn enrol(conn: &mut AnyConnection, by: &Caller, r: &Registration, branch_id: i64, now: i64) -> CoreResult<()> {
    member::put(conn, by, branch_id, r.user_id, Category::InService, now).await?;
    user::grant(conn, r.user_id, Role::Volunteer).await?;
    for skill in &r.skills {
        sqlx::query("INSERT INTO user_skills (user_id, category) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(r.user_id)
            .bind(skill)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
