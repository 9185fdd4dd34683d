//! The claim's fast path: the hottest, most contended transition, written as one guarded
//! `UPDATE … RETURNING` that checks everything the machine and the limit would check — the wish is
//! open, has one slot and no co-building project, the claimer is a volunteer and not its owner,
//! they hold fewer open claims than allowed, it is not offered to someone else just now (a
//! recurring wish's new occurrence: `series`; `offer_until` is NULL for every other wish, so the
//! check costs them nothing) — and answers the claimed wish with its resident's
//! contact columns. When it matches nothing, the general path ([`apply`](super::change::apply))
//! runs and names the refusal (not found, forbidden, lost, over the limit, bundled) or takes a slot
//! of a wish for several volunteers (`slots`); so a refusal costs a round trip more, a win two fewer.

use sqlx::AnyConnection;

use super::model::{Wish, WishStatus};
use super::query::{from_row, returning_wish};
use crate::error::CoreResult;
use crate::people::{Caller, Role};

/// How many open claims volunteer `{v}` holds (an SQL expression): one-slot wishes claimed by
/// them, and the live slots they hold of wishes for several volunteers. The second count is one
/// probe of the partial index `wish_holders_live`, empty for almost everyone, and reads no wish:
/// joining `wishes` there cost an ordinary claim a third more on PostgreSQL (its plan, not its
/// rows), the live flag a tenth of that.
pub(crate) const HELD_BY: &str = "((SELECT COUNT(*) FROM wishes c WHERE c.volunteer_id = {v} AND c.status = 'claimed') \
     + (SELECT COUNT(*) FROM wish_holders h WHERE h.volunteer_id = {v} AND h.live = 1))";

/// Claims wish `id` for `caller` if every rule allows it at once; `None` when it did not match,
/// and the caller's transaction is left as it was apart from the volunteer's row lock. Returns
/// the wish as it was before and after.
pub(super) async fn take(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    max_open_claims: u32,
    now: i64,
) -> CoreResult<Option<(Wish, Wish)>> {
    if !caller.has(Role::Volunteer) {
        return Ok(None);
    }
    // Lock the volunteer's row first (as the general path does, so the two never deadlock): two
    // claims of theirs in flight then count each other's, on PostgreSQL too.
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(caller.user_id)
        .execute(&mut *conn)
        .await?;
    let sql = format!(
        "UPDATE wishes SET status = 'claimed', volunteer_id = $2, claimed_at = $3, updated_at = $3 \
         WHERE id = $1 AND status = 'open' AND slots = 1 AND project_id IS NULL AND resident_id <> $2 \
         AND created_by <> $2 AND {} < $4 \
         AND (offer_until IS NULL OR offer_until <= $3 \
         OR EXISTS (SELECT 1 FROM wish_offers o WHERE o.wish_id = $1 AND o.volunteer_id = $2)) {}",
        HELD_BY.replace("{v}", "$2"),
        returning_wish()
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(caller.user_id)
        .bind(now)
        .bind(i64::from(max_open_claims))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|row| {
        let after = from_row(&row);
        let mut before = after.clone();
        before.status = WishStatus::Open;
        before.volunteer_id = None;
        before.volunteer = None;
        before.holders.clear();
        before.claimed_at = None;
        (before, after)
    }))
}
