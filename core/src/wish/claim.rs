//! The claim's fast path: the hottest, most contended transition, written as one guarded
//! `UPDATE … RETURNING` that checks everything the machine and the limit would check — the wish is
//! open, has one slot and no co-building project, the claimer is a volunteer and not its owner,
//! they hold fewer open claims than allowed, it is not offered to someone else just now (a
//! recurring wish's new occurrence: `series`; `offer_until` is NULL for every other wish, so the
//! check costs them nothing) — and answers the claimed wish with its resident's
//! contact columns. When it matches nothing, the general path ([`apply`](super::change::apply))
//! runs and names the refusal (not found, forbidden, lost, over the limit, bundled) or takes a slot
//! of a wish for several volunteers (`slots`); so a refusal costs a round trip more, a win two fewer.
//!
//! On PostgreSQL the statement also writes what [`finish`](super::change) would write after a
//! claim — the timeline row, the resident's `wish_claimed` notification, the resolved
//! "unclaimed" alerts — as data-modifying `WITH` parts, and when it matches nothing it answers the
//! wish as its snapshot saw it, so a claim that lost to one already committed is refused without
//! reading the wish again (`pg.rs`). SQLite has no data-modifying `WITH`: there the trail follows.

use sqlx::{AnyConnection, Executor};

use super::model::{Wish, WishStatus};
use super::query::{from_row, returning_wish, with_holders};
use crate::db::Engine;
use crate::error::CoreResult;
use crate::people::{Caller, Role};

/// What the fast path did.
pub(super) enum Taken {
    /// Claimed; the trail and effects are still to write (SQLite). The wish before and after.
    Claimed(Box<(Wish, Wish)>),
    /// Claimed with its trail and effects in the same statement (PostgreSQL).
    Recorded(Wish),
    /// Not claimed; the general path decides why, from the wish as the statement saw it when
    /// that is already final (not open any more), else from a fresh read.
    Missed(Option<Wish>),
}

/// How many open claims volunteer `{v}` holds (an SQL expression): one-slot wishes claimed by
/// them, and the live slots they hold of wishes for several volunteers. The second count is one
/// probe of the partial index `wish_holders_live`, empty for almost everyone, and reads no wish:
/// joining `wishes` there cost an ordinary claim a third more on PostgreSQL (its plan, not its
/// rows), the live flag a tenth of that.
pub(crate) const HELD_BY: &str = "((SELECT COUNT(*) FROM wishes c WHERE c.volunteer_id = {v} AND c.status = 'claimed') \
     + (SELECT COUNT(*) FROM wish_holders h WHERE h.volunteer_id = {v} AND h.live = 1))";

/// The guarded claim: `$1` the wish, `$2` the volunteer, `$3` now, `$4` the limit.
pub(super) fn guarded_update(returning: &str) -> String {
    format!(
        "UPDATE wishes SET status = 'claimed', volunteer_id = $2, claimed_at = $3, updated_at = $3 \
         WHERE id = $1 AND status = 'open' AND slots = 1 AND project_id IS NULL AND resident_id <> $2 \
         AND created_by <> $2 AND {} < $4 \
         AND (offer_until IS NULL OR offer_until <= $3 \
         OR EXISTS (SELECT 1 FROM wish_offers o WHERE o.wish_id = $1 AND o.volunteer_id = $2)) {}",
        HELD_BY.replace("{v}", "$2"),
        returning
    )
}

/// The statements that lock `volunteer`'s row before their claim counts their open claims, and on
/// PostgreSQL then wish `wish`'s row, with the ids written in (`i64`s, so nothing to inject), so
/// they can ride in one simple query with `BEGIN`. Every path locks the volunteer before the wish,
/// so the two never deadlock.
///
/// Why the wish too: without it, the claims that lose to one in flight wait inside the claim
/// statement, then PostgreSQL re-evaluates the whole statement's plan against the winner's row
/// version (EvalPlanQual), and the statement's own snapshot still shows the wish open, so the
/// refusal needs a second read. Waiting here instead, the claim statement starts after the winner
/// committed: it fails its guard at once and answers the wish as claimed (docs/benchmarks.md, fifth
/// pass). A winner pays one row lock more, in a round trip it makes anyway.
pub(super) fn claim_locks(engine: Engine, volunteer: i64, wish: i64) -> String {
    match engine {
        // Row locks without new row versions.
        Engine::Postgres => format!(
            "SELECT 1 FROM users WHERE id = {volunteer} FOR NO KEY UPDATE; \
             SELECT 1 FROM wishes WHERE id = {wish} FOR NO KEY UPDATE"
        ),
        // SQLite's write transaction is the lock; the update, a no-op, keeps the general path's order.
        Engine::Sqlite => format!("UPDATE users SET updated_at = updated_at WHERE id = {volunteer}"),
    }
}

/// Claims wish `id` for `caller` if every rule allows it at once. When it did not match, the
/// caller's transaction is left as it was apart from the volunteer's row lock.
pub(super) async fn take(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    (note, max_open_claims, locked): (Option<&str>, u32, bool),
    now: i64,
) -> CoreResult<Taken> {
    if !caller.has(Role::Volunteer) {
        return Ok(Taken::Missed(None));
    }
    let postgres = conn.backend_name() == "PostgreSQL";
    // Lock the volunteer's row first (as the general path does, so the two never deadlock): two
    // claims of theirs in flight then count each other's, on PostgreSQL too.
    if !locked {
        let engine = if postgres { Engine::Postgres } else { Engine::Sqlite };
        // A plain string, so not kept as a prepared statement per volunteer.
        let lock = claim_locks(engine, caller.user_id, id);
        conn.execute(sqlx::AssertSqlSafe(lock)).await?;
    }
    if postgres {
        return super::claim_pg::take(conn, caller, id, (note, max_open_claims), now).await;
    }
    let sql = guarded_update(returning_wish());
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(caller.user_id)
        .bind(now)
        .bind(i64::from(max_open_claims))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(row) => {
            let after = from_row(&row);
            Taken::Claimed(Box::new((before_claim(&after), after)))
        }
        None => Taken::Missed(None),
    })
}

/// The wish as it was just before `after`, its claim.
pub(super) fn before_claim(after: &Wish) -> Wish {
    let mut before = after.clone();
    before.status = WishStatus::Open;
    before.volunteer_id = None;
    before.volunteer = None;
    before.holders.clear();
    before.claimed_at = None;
    before
}

/// The wish as a statement that missed saw it, when that already settles the refusal: it is
/// no longer open (a wish still open there may have been claimed since: read it afresh).
pub(super) async fn settled(conn: &mut AnyConnection, row: &sqlx::any::AnyRow) -> CoreResult<Option<Wish>> {
    let mut wish = from_row(row);
    if wish.status == WishStatus::Open {
        return Ok(None);
    }
    with_holders(conn, std::slice::from_mut(&mut wish)).await?;
    Ok(Some(wish))
}
