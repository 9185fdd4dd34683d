//! Changing a wish: the pure machine decides, the change's own checks run (claim limits, who may
//! be assigned, required reasons, wishes bundled into a project), a guarded update writes it —
//! the slots of a wish for several volunteers through `slots` — and the trail and effects
//! follow, all in the caller's transaction.

use sqlx::AnyConnection;

use super::access::{can_see, capacities};
use super::claim::{self, Taken};
use super::machine::{Action, Actor, Refusal, transition_any};
use super::model::Wish;
use super::query::load;
use super::rules::{assignable, changed, check_claim_limit, open_to_volunteers, refusal};
use super::trail::{self, Step};
use super::{audited, effects, notify, series, slots};
use crate::config::Settings;
use crate::error::{CoreError, CoreResult};
use crate::people::{Caller, Role};

/// What a transition carries besides its action.
#[derive(Debug, Clone, Default)]
pub struct ChangeInput {
    /// Reason, note or comment.
    pub note: Option<String>,
    /// Rating 1–5 (confirm).
    pub rating: Option<i64>,
    /// The volunteer to assign (assign), or whose slot a leader releases (release, several slots).
    pub volunteer_id: Option<i64>,
    /// The co-building project a referral bundles the wish into.
    pub project_id: Option<i64>,
    /// The transaction already holds the claiming volunteer's row lock (and on PostgreSQL the
    /// wish's): [`begin`] took them, on PostgreSQL in the `BEGIN`'s own round trip.
    pub volunteer_locked: bool,
}

/// Begins the write transaction of `caller`'s `action` on wish `id`. A volunteer's claim begins
/// with their row already locked (the lock every claim takes first), and on PostgreSQL the wish's
/// row after it (`claim::claim_locks`): `BEGIN` and the locks travel as one simple query, one round
/// trip fewer on the hottest write. The flag says whether it did so; pass it on as
/// [`ChangeInput::volunteer_locked`].
pub async fn begin(
    db: &crate::Db,
    caller: &Caller,
    id: i64,
    action: Action,
) -> CoreResult<(sqlx::Transaction<'static, sqlx::Any>, bool)> {
    if action == Action::Claim && caller.has(Role::Volunteer) {
        let lock = claim::claim_locks(db.engine(), caller.user_id, id);
        Ok((db.begin_write_with(&lock).await?, true))
    } else {
        Ok((db.begin_write().await?, false))
    }
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
    let actor_id = caller.map(|c| c.user_id);
    let mut seen = None;
    if let (Action::Claim, Some(c)) = (action, caller) {
        let note = input.note.as_deref().filter(|n| !n.is_empty());
        let rules = (note, settings.wishes.max_open_claims, input.volunteer_locked);
        match claim::take(conn, c, id, rules, now).await? {
            Taken::Claimed(claimed) => {
                let (before, after) = *claimed;
                return finish(conn, actor_id, &before, after, action, &input, settings).await;
            }
            Taken::Recorded(after) => return Ok(after),
            Taken::Missed(wish) => seen = wish,
        }
    }
    let before = match seen {
        Some(wish) => wish,
        None => load(conn, id).await?,
    };
    let actors = match caller {
        Some(c) if !can_see(c, &before) => return Err(CoreError::NotFound("wish")),
        Some(c) => capacities(c, &before),
        None => vec![Actor::System],
    };
    let after = decide_and_write(conn, caller, &before, action, &actors, &input, settings, now).await?;
    let decision = audited::staff_decision(before.status, action, &actors, before.slot_state());
    if let Some((c, decision)) = caller.zip(decision) {
        audited::record(conn, c, decision, (&before, &after), input.note.as_deref()).await?;
    }
    finish(conn, actor_id, &before, after, action, &input, settings).await
}

/// Applies a transition the system makes for a co-building project (deliver, return) on the
/// wishes it bundles, recording `actor_id` — the person who delivered or declined the project —
/// on the timeline. `None` when the wish has moved on (cancelled, rejected) or left the project:
/// the project passes it by.
pub async fn follow_project(
    conn: &mut AnyConnection,
    (project_id, actor_id): (i64, i64),
    id: i64,
    action: Action,
    input: ChangeInput,
    settings: &Settings,
    now: i64,
) -> CoreResult<Option<Wish>> {
    let before = load(conn, id).await?;
    if before.project_id != Some(project_id) {
        return Ok(None);
    }
    let system = [Actor::System];
    match decide_and_write(conn, None, &before, action, &system, &input, settings, now).await {
        Ok(after) => Ok(Some(
            finish(conn, Some(actor_id), &before, after, action, &input, settings).await?,
        )),
        Err(CoreError::Conflict {
            code: "invalid_transition",
            ..
        }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Decides the transition and writes it: the slots of a wish for several volunteers change
/// through `slots`; everything else is one guarded update of the wish's row.
#[allow(clippy::too_many_arguments)]
async fn decide_and_write(
    conn: &mut AnyConnection,
    caller: Option<&Caller>,
    before: &Wish,
    action: Action,
    actors: &[Actor],
    input: &ChangeInput,
    settings: &Settings,
    now: i64,
) -> CoreResult<Wish> {
    let to =
        transition_any(before.status, action, actors, before.slot_state()).map_err(|r| refusal(r, action, before))?;
    if matches!(action, Action::Claim | Action::Assign) {
        open_to_volunteers(before)?;
    }
    if let (Action::Claim, Some(c)) = (action, caller) {
        series::check_offer(conn, before, c.user_id, now).await?;
    }
    if before.is_multi_slot() && matches!(action, Action::Claim | Action::Assign | Action::Release) {
        return slots::change(conn, caller, before, (action, actors), input, settings, now).await;
    }
    let volunteer = match action {
        Action::Claim => Some(caller.map(|c| c.user_id).unwrap_or_default()),
        Action::Assign => Some(assignable(conn, before, input).await?),
        _ => None,
    };
    if let Some(volunteer) = volunteer {
        check_claim_limit(conn, volunteer, &settings.wishes).await?;
    }
    let mut after = changed(before, action, input, volunteer, now)?;
    after.status = to;
    write(conn, before, &after, action).await?;
    if before.is_multi_slot() {
        slots::settle(conn, &after).await?;
    }
    if volunteer.is_some() {
        // Who is coming: the assigned volunteer's name and phone, as a read would join them.
        after.volunteer = load(conn, before.id).await?.volunteer;
    }
    Ok(after)
}

/// What follows every written change: its timeline row, its notifications, its alerts, all
/// stamped with the change's own time (`after.updated_at`).
async fn finish(
    conn: &mut AnyConnection,
    actor_id: Option<i64>,
    before: &Wish,
    after: Wish,
    action: Action,
    input: &ChangeInput,
    settings: &Settings,
) -> CoreResult<Wish> {
    let now = after.updated_at;
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
    series::after_change(conn, &after, action, settings).await?;
    Ok(after)
}

/// Writes `after` only if the wish is still as `before` found it; otherwise someone else changed
/// it between our read and our write — a lost race.
async fn write(conn: &mut AnyConnection, before: &Wish, after: &Wish, action: Action) -> CoreResult<()> {
    let (referred_at, referral_reason) = after.referral.clone().unzip();
    let updated = sqlx::query(
        "UPDATE wishes SET status = $3, volunteer_id = $4, claimed_at = $5, fulfilled_at = $6, fulfil_note = $7, \
         closed_at = $8, rating = $9, rating_comment = $10, status_reason = $11, updated_at = $12, \
         referred_at = $13, referral_reason = $14, project_id = $15, \
         opened_at = CASE WHEN $3 = 'open' AND $2 <> 'open' THEN $12 ELSE opened_at END WHERE id = $1 AND status = $2",
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
    .bind(referred_at)
    .bind(referral_reason)
    .bind(after.project_id)
    .execute(&mut *conn)
    .await?;
    crate::error::guarded(updated, || refusal(Refusal::WrongStatus, action, after))
}
