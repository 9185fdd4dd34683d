//! The checks a change makes beside the machine — what the action needs as input, who may be
//! assigned, the open-claims limit, wishes held by a co-building project — and the wish each
//! action leaves behind (pure, before its status is set).

use sqlx::{AnyConnection, Row};

use super::claim::HELD_BY;
use super::machine::{Action, Refusal};
use super::model::Wish;
use crate::config::WishSettings;
use crate::error::{CoreError, CoreResult};
use crate::people::{Role, user};

use super::change::ChangeInput;

/// The wish after `action`, before its status is set: who holds it, when, and with what note,
/// rating, reason or referral. Pure; refuses input the action requires but lacks.
pub(super) fn changed(
    before: &Wish,
    action: Action,
    input: &ChangeInput,
    volunteer: Option<i64>,
    now: i64,
) -> CoreResult<Wish> {
    let mut after = before.clone();
    after.updated_at = now;
    match action {
        Action::Claim | Action::Assign => {
            after.volunteer_id = volunteer;
            after.holders = volunteer.into_iter().collect();
            after.claimed_at = Some(now);
        }
        Action::Release => {
            require_note(input, "reason")?;
            after.volunteer_id = None;
            after.volunteer = None;
            after.holders.clear();
            after.claimed_at = None;
        }
        Action::Reject => require_note(input, "reason")?,
        Action::Fulfil => {
            after.fulfilled_at = Some(now);
            after.fulfil_note = input.note.clone();
        }
        Action::Confirm => {
            let rating = input.rating.filter(|r| (1..=5).contains(r));
            after.rating = Some(rating.ok_or_else(|| CoreError::invalid("invalid_field", "rating: must be 1 to 5"))?);
            after.rating_comment = input.note.clone();
            after.closed_at = Some(now);
        }
        Action::AutoClose => after.closed_at = Some(now),
        Action::Refer => refer(before, &mut after, input, now)?,
        Action::Deliver => {
            after.fulfilled_at = Some(now);
            after.closed_at = Some(now);
            after.fulfil_note = input.note.clone();
        }
        Action::Return => after.project_id = None,
        // Edits have their own path (`edit`), which never comes here.
        Action::Approve | Action::Cancel | Action::Edit => {}
    }
    if matches!(action, Action::Reject | Action::Release | Action::Cancel) {
        after.status_reason = input.note.clone();
    }
    Ok(after)
}

/// A referral marks the wish (once: the first reason stands); bundling it into a project refers
/// it too, and a wish belongs to one live project at a time.
fn refer(before: &Wish, after: &mut Wish, input: &ChangeInput, now: i64) -> CoreResult<()> {
    require_note(input, "reason")?;
    let reason = input.note.clone().unwrap_or_default();
    match input.project_id {
        Some(_) if before.project_id.is_some() => Err(CoreError::conflict(
            "in_project",
            format!("wish {} is already bundled into a live project", before.id),
        )),
        Some(project) => {
            after.project_id = Some(project);
            after.referral = before.referral.clone().or(Some((now, reason)));
            Ok(())
        }
        None if before.referral.is_some() => Err(CoreError::conflict(
            "already_referred",
            format!("wish {} is already referred", before.id),
        )),
        None => {
            after.referral = Some((now, reason));
            Ok(())
        }
    }
}

/// A wish bundled into a live project is served by it: volunteers stay off it.
pub(super) fn open_to_volunteers(wish: &Wish) -> CoreResult<()> {
    match wish.project_id {
        Some(project) => Err(CoreError::conflict(
            "in_project",
            format!("this wish is being served by co-building project {project}"),
        )),
        None => Ok(()),
    }
}

/// The volunteer an assignment names, if they are one and it is not their own wish.
pub(super) async fn assignable(conn: &mut AnyConnection, wish: &Wish, input: &ChangeInput) -> CoreResult<i64> {
    let volunteer = input
        .volunteer_id
        .ok_or_else(|| CoreError::invalid("invalid_field", "volunteer_id: required"))?;
    let roles = user::roles_of(conn, volunteer).await?;
    if !roles.contains(&Role::Volunteer) {
        return Err(CoreError::invalid(
            "not_a_volunteer",
            format!("volunteer_id: user {volunteer} is not a volunteer"),
        ));
    }
    if volunteer == wish.resident_id {
        return Err(CoreError::invalid(
            "not_a_volunteer",
            "volunteer_id: a resident cannot fulfil their own wish",
        ));
    }
    Ok(volunteer)
}

/// Refuses a missing or blank note where the action needs one.
pub(super) fn require_note(input: &ChangeInput, field: &str) -> CoreResult<()> {
    match input.note.as_deref() {
        Some(n) if !n.trim().is_empty() => Ok(()),
        _ => Err(CoreError::invalid("invalid_field", format!("{field}: required"))),
    }
}

/// The caller's error for a refused transition.
pub(super) fn refusal(refusal: Refusal, action: Action, wish: &Wish) -> CoreError {
    match (refusal, action) {
        (Refusal::NotPermitted, Action::Claim) => {
            CoreError::forbidden("not_permitted", "only volunteers may claim wishes, and not their own")
        }
        (Refusal::NotPermitted, _) => {
            CoreError::forbidden("not_permitted", format!("you may not {} this wish", action.as_str()))
        }
        (Refusal::WrongStatus, Action::Claim) => {
            CoreError::conflict("claim_lost", "this wish has already been claimed")
        }
        (Refusal::WrongStatus, _) => CoreError::conflict(
            "invalid_transition",
            format!("cannot {} a wish that is {}", action.as_str(), wish.status.as_str()),
        ),
    }
}

/// Refuses a claim past the configured number of open claims (a slot of a wish for several
/// volunteers counts as one). Touching the volunteer's row first serialises their concurrent
/// claims on both engines, so the count cannot be raced.
pub(super) async fn check_claim_limit(
    conn: &mut AnyConnection,
    volunteer: i64,
    rules: &WishSettings,
) -> CoreResult<()> {
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(volunteer)
        .execute(&mut *conn)
        .await?;
    let held: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {}", HELD_BY.replace("{v}", "$1"))))
        .bind(volunteer)
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    if held >= i64::from(rules.max_open_claims) {
        return Err(CoreError::conflict(
            "claim_limit",
            format!(
                "you already hold {held} open claims (the limit is {}): fulfil or release one first",
                rules.max_open_claims
            ),
        ));
    }
    Ok(())
}
