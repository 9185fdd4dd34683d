//! The slots of a wish for several volunteers (a move, a clean-up day): claiming or being assigned
//! takes one, a release gives one back. The wish's row is the lock: the guarded
//! `UPDATE … SET slots_taken = slots_taken ± 1 … WHERE slots_taken < slots` lets exactly as many
//! claims through as there are slots however many arrive at once (on PostgreSQL the others wait
//! for the row and then find it full; on SQLite writers are serialised), and the machine then
//! decides, from the count as it now stands, whether the wish is full (`claimed`) or still open.
//!
//! A slot's row is live while its wish is open or claimed (`settle` clears it); the open-claims
//! limit counts live rows.
//!
//! A claim of a slot costs the fast path's failed attempt, a read of the wish and its holders,
//! the volunteer's lock and count, the guarded update, the holder's row and a read back; a
//! one-slot claim never comes here.

use sqlx::{AnyConnection, Row};

use super::access::holds_now;
use super::change::ChangeInput;
use super::machine::{Action, Actor, Slots, transition_any};
use super::model::{Wish, WishStatus};
use super::query::load;
use super::rules::{assignable, check_claim_limit, refusal, require_note};
use crate::config::Settings;
use crate::error::{CoreError, CoreResult, on_constraint};
use crate::people::Caller;

/// Claims, assigns or releases one slot of `before` and answers the wish as it now is.
pub(super) async fn change(
    conn: &mut AnyConnection,
    caller: Option<&Caller>,
    before: &Wish,
    (action, actors): (Action, &[Actor]),
    input: &ChangeInput,
    settings: &Settings,
    now: i64,
) -> CoreResult<Wish> {
    match action {
        Action::Release => {
            require_note(input, "reason")?;
            let volunteer = releasing(caller, before, input)?;
            give_back(conn, before, volunteer, input, now).await?;
        }
        _ => {
            let volunteer = match action {
                Action::Assign => assignable(conn, before, input).await?,
                _ => caller.map(|c| c.user_id).unwrap_or_default(),
            };
            if before.holders.contains(&volunteer) {
                return Err(already_holding());
            }
            check_claim_limit(conn, volunteer, &settings.wishes).await?;
            take(conn, before, (action, actors), volunteer, now).await?;
        }
    }
    let mut after = load(conn, before.id).await?;
    after.updated_at = now;
    Ok(after)
}

/// Whose slot a release gives back: the caller's own, or — for a leader or an admin — the holder
/// the body names.
fn releasing(caller: Option<&Caller>, wish: &Wish, input: &ChangeInput) -> CoreResult<i64> {
    if let Some(c) = caller.filter(|c| holds_now(c, wish)) {
        return Ok(c.user_id);
    }
    match input.volunteer_id {
        Some(v) if wish.holders.contains(&v) => Ok(v),
        Some(v) => Err(CoreError::invalid(
            "not_a_holder",
            format!("volunteer_id: user {v} holds no slot of this wish"),
        )),
        None => Err(CoreError::invalid(
            "invalid_field",
            "volunteer_id: required to release one of the slots of a wish for several volunteers",
        )),
    }
}

/// Takes a slot for `volunteer` under the wish's row lock, then sets the status the machine
/// decides from the count as it stands now.
async fn take(
    conn: &mut AnyConnection,
    before: &Wish,
    (action, actors): (Action, &[Actor]),
    volunteer: i64,
    now: i64,
) -> CoreResult<()> {
    let row = sqlx::query(
        "UPDATE wishes SET slots_taken = slots_taken + 1, claimed_at = COALESCE(claimed_at, $2), updated_at = $2 \
         WHERE id = $1 AND status = 'open' AND slots_taken < slots AND project_id IS NULL RETURNING slots, slots_taken",
    )
    .bind(before.id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| refusal(super::machine::Refusal::WrongStatus, Action::Claim, before))?;
    let (total, taken): (i64, i64) = (row.get(0), row.get(1));
    let slots = Slots {
        total: u32::try_from(total).unwrap_or(u32::MAX),
        held: u32::try_from(taken - 1).unwrap_or(0),
    };
    let to = transition_any(WishStatus::Open, action, actors, slots).map_err(|r| refusal(r, action, before))?;
    if to == WishStatus::Claimed {
        sqlx::query("UPDATE wishes SET status = 'claimed' WHERE id = $1")
            .bind(before.id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("INSERT INTO wish_holders (wish_id, volunteer_id, claimed_at) VALUES ($1, $2, $3)")
        .bind(before.id)
        .bind(volunteer)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(|e| on_constraint(e, |c| c.contains("wish_holders").then(already_holding)))?;
    Ok(())
}

/// Gives `volunteer`'s slot back under the wish's row lock; the wish is open again.
async fn give_back(
    conn: &mut AnyConnection,
    before: &Wish,
    volunteer: i64,
    input: &ChangeInput,
    now: i64,
) -> CoreResult<()> {
    let updated = sqlx::query(
        "UPDATE wishes SET slots_taken = slots_taken - 1, status = 'open', status_reason = $3, updated_at = $2, \
         claimed_at = CASE WHEN slots_taken = 1 THEN NULL ELSE claimed_at END, \
         opened_at = CASE WHEN status = 'claimed' THEN $2 ELSE opened_at END \
         WHERE id = $1 AND status IN ('open', 'claimed') AND slots_taken > 0",
    )
    .bind(before.id)
    .bind(now)
    .bind(input.note.clone())
    .execute(&mut *conn)
    .await?;
    crate::error::guarded(updated, || {
        refusal(super::machine::Refusal::WrongStatus, Action::Release, before)
    })?;
    let gone = sqlx::query("DELETE FROM wish_holders WHERE wish_id = $1 AND volunteer_id = $2")
        .bind(before.id)
        .bind(volunteer)
        .execute(&mut *conn)
        .await?;
    crate::error::guarded(gone, || {
        CoreError::conflict(
            "not_a_holder",
            format!("user {volunteer} no longer holds a slot of this wish"),
        )
    })
}

/// Once a wish for several volunteers is fulfilled or cancelled its slots no longer count towards
/// their holders' open claims: the rows stay, as the record of who served, but not live.
pub(super) async fn settle(conn: &mut AnyConnection, after: &Wish) -> CoreResult<()> {
    if matches!(after.status, WishStatus::Open | WishStatus::Claimed) {
        return Ok(());
    }
    sqlx::query("UPDATE wish_holders SET live = 0 WHERE wish_id = $1 AND live = 1")
        .bind(after.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn already_holding() -> CoreError {
    CoreError::conflict("already_holding", "you already hold a slot of this wish")
}
