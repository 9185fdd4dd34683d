//! Changing a wish: the pure machine decides, the change's own checks run (claim limits, who may
//! be assigned, required reasons), a guarded update writes it, and the trail and effects follow —
//! all in the caller's transaction.

use sqlx::{AnyConnection, Row};

use super::access::{can_see, capacities};
use super::machine::{Action, Actor, Refusal, transition_any};
use super::model::Wish;
use super::query::load;
use super::trail::{self, Step};
use super::{audited, claim, effects, notify};
use crate::config::{Settings, WishSettings};
use crate::error::{CoreError, CoreResult};
use crate::people::{Caller, Role, user};

/// What a transition carries besides its action.
#[derive(Debug, Clone, Default)]
pub struct ChangeInput {
    /// Reason, note or comment.
    pub note: Option<String>,
    /// Rating 1–5 (confirm).
    pub rating: Option<i64>,
    /// The volunteer to assign (assign).
    pub volunteer_id: Option<i64>,
}

/// Applies one transition on behalf of `caller` (`None` = the system): decides it with the pure
/// state machine, writes it with a guarded update, appends the timeline and records the outbox
/// rows. Run it inside a write transaction.
pub async fn apply(
    conn: &mut AnyConnection,
    caller: Option<&Caller>,
    id: i64,
    action: Action,
    input: ChangeInput,
    settings: &Settings,
    now: i64,
) -> CoreResult<Wish> {
    if let (Action::Claim, Some(c)) = (action, caller)
        && let Some((before, after)) = claim::take(conn, c, id, settings.wishes.max_open_claims, now).await?
    {
        return finish(conn, caller, &before, after, action, &input, settings).await;
    }
    let before = load(conn, id).await?;
    let actors = match caller {
        Some(c) if !can_see(c, &before) => return Err(CoreError::NotFound("wish")),
        Some(c) => capacities(c, &before),
        None => vec![Actor::System],
    };
    let to = transition_any(before.status, action, &actors).map_err(|r| refusal(r, action, &before))?;
    let volunteer = match action {
        Action::Claim => Some(caller.map(|c| c.user_id).unwrap_or_default()),
        Action::Assign => Some(assignable(conn, &before, &input).await?),
        _ => None,
    };
    if let Some(volunteer) = volunteer {
        check_claim_limit(conn, volunteer, &settings.wishes).await?;
    }
    let mut after = changed(&before, action, &input, volunteer, now)?;
    after.status = to;
    write(conn, &before, &after, action).await?;
    if volunteer.is_some() {
        // Who is coming: the assigned volunteer's name and phone, as a read would join them.
        after.volunteer = load(conn, id).await?.volunteer;
    }
    if let Some((c, decision)) = caller.zip(audited::staff_decision(before.status, action, &actors)) {
        audited::record(conn, c, decision, (&before, &after), input.note.as_deref()).await?;
    }
    finish(conn, caller, &before, after, action, &input, settings).await
}

/// What follows every written change: its timeline row, its notifications, its alerts, all
/// stamped with the change's own time (`after.updated_at`).
async fn finish(
    conn: &mut AnyConnection,
    caller: Option<&Caller>,
    before: &Wish,
    after: Wish,
    action: Action,
    input: &ChangeInput,
    settings: &Settings,
) -> CoreResult<Wish> {
    let now = after.updated_at;
    let actor_id = caller.map(|c| c.user_id);
    let step = Step {
        wish_id: after.id,
        actor_id,
        action: action.as_str(),
        from: Some(before.status),
        to: after.status,
        note: input.note.as_deref().filter(|n| !n.is_empty()),
    };
    let announced = notify::on_transition(before, &after, action, actor_id);
    trail::record(conn, step, &after, &announced, now).await?;
    effects::on_changed(conn, &after, action, settings, now).await?;
    Ok(after)
}

/// The wish after `action`, before its status is set: who holds it, when, and with what note,
/// rating or reason. Pure; refuses input the action requires but lacks.
fn changed(before: &Wish, action: Action, input: &ChangeInput, volunteer: Option<i64>, now: i64) -> CoreResult<Wish> {
    let mut after = before.clone();
    after.updated_at = now;
    match action {
        Action::Claim | Action::Assign => {
            after.volunteer_id = volunteer;
            after.claimed_at = Some(now);
        }
        Action::Release => {
            require_note(input, "reason")?;
            after.volunteer_id = None;
            after.volunteer = None;
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
        // Edits have their own path (`edit`), which never comes here.
        Action::Approve | Action::Cancel | Action::Edit => {}
    }
    if matches!(action, Action::Reject | Action::Release | Action::Cancel) {
        after.status_reason = input.note.clone();
    }
    Ok(after)
}

/// Writes `after` only if the wish is still as `before` found it; otherwise someone else changed
/// it between our read and our write — a lost race.
async fn write(conn: &mut AnyConnection, before: &Wish, after: &Wish, action: Action) -> CoreResult<()> {
    let updated = sqlx::query(
        "UPDATE wishes SET status = $3, volunteer_id = $4, claimed_at = $5, fulfilled_at = $6, fulfil_note = $7, \
         closed_at = $8, rating = $9, rating_comment = $10, status_reason = $11, updated_at = $12, \
         opened_at = CASE WHEN $3 = 'open' THEN $12 ELSE opened_at END WHERE id = $1 AND status = $2",
    )
    .bind(before.id)
    .bind(before.status.as_str())
    .bind(after.status.as_str())
    .bind(after.volunteer_id)
    .bind(after.claimed_at)
    .bind(after.fulfilled_at)
    .bind(after.fulfil_note.clone())
    .bind(after.closed_at)
    .bind(after.rating)
    .bind(after.rating_comment.clone())
    .bind(after.status_reason.clone())
    .bind(after.updated_at)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(refusal(Refusal::WrongStatus, action, after));
    }
    Ok(())
}

/// The volunteer an assignment names, if they are one and it is not their own wish.
async fn assignable(conn: &mut AnyConnection, wish: &Wish, input: &ChangeInput) -> CoreResult<i64> {
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

fn require_note(input: &ChangeInput, field: &str) -> CoreResult<()> {
    match input.note.as_deref() {
        Some(n) if !n.trim().is_empty() => Ok(()),
        _ => Err(CoreError::invalid("invalid_field", format!("{field}: required"))),
    }
}

/// The error a refused transition answers: 403 for who, 409 for when.
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

/// Refuses a claim past the configured number of open claims. Touching the volunteer's row
/// first serialises their concurrent claims on both engines, so the count cannot be raced.
async fn check_claim_limit(conn: &mut AnyConnection, volunteer: i64, rules: &WishSettings) -> CoreResult<()> {
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(volunteer)
        .execute(&mut *conn)
        .await?;
    let held: i64 = sqlx::query("SELECT COUNT(*) FROM wishes WHERE volunteer_id = $1 AND status = 'claimed'")
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
