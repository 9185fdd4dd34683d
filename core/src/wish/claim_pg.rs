//! The claim on PostgreSQL as one statement: the guarded update of `claim`, and in data-modifying
//! `WITH` parts what follows a claim everywhere else (`change::finish`) — the timeline row, the
//! resident's `wish_claimed` notification keyed by that row, the wish's "unclaimed" alerts
//! resolved. All parts see one snapshot and commit together with the caller's transaction. A
//! miss answers the wish as the snapshot saw it, so a claim that lost to one already committed is
//! refused without a second read; the claim's `BEGIN` waits for the wish's row lock
//! (`claim::claim_locks`), so by the time this statement runs, every claim that lost did. The
//! relay to family or a phone-call task (`family::relay`) runs after it only when the resident is
//! offline or has family, which the statement tells.

use std::sync::LazyLock;

use sqlx::{AnyConnection, Row};

use super::claim::{Taken, guarded_update, settled};
use super::machine::Action;
use super::model::WishStatus;
use super::query::{from_row, returning_wish, select_wish};
use super::trail::{Step, payload};
use crate::error::CoreResult;
use crate::notify::NotificationKind;
use crate::outbox::NewNotification;
use crate::people::Caller;

/// `$1` wish, `$2` volunteer, `$3` now, `$4` limit, `$5` note, `$6` the notification's kind.
fn sql() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "WITH claimed AS ({update}), \
             step AS (INSERT INTO wish_timeline (wish_id, at, actor_id, action, from_status, to_status, note) \
               SELECT id, $3, $2, 'claim', 'open', 'claimed', $5 FROM claimed RETURNING id), \
             told AS (INSERT INTO notifications (kind, recipient_id, subject_type, subject_id, urgent, payload, \
               dedupe_key, status, attempts, available_at, created_at, updated_at) \
               SELECT $6, c.resident_id, 'wish', c.id, 0, json_build_object('wish_id', c.id, 'title', c.title, \
                 'status', c.status, 'grid_id', c.grid_id, 'urgency', c.urgency, 'category', c.category, \
                 'reason', NULL::TEXT)::TEXT, \
                 'wish:' || c.id || ':step:' || s.id || ':' || $6 || ':' || c.resident_id, 'pending', 0, $3, $3, $3 \
               FROM claimed c CROSS JOIN step s ON CONFLICT (dedupe_key) DO NOTHING), \
             resolved AS (UPDATE alerts SET status = 'resolved', resolved_at = $3, resolution_note = 'claim', \
               updated_at = $3 WHERE wish_id = $1 AND kind IN ('unclaimed', 'unclaimed_escalated') \
               AND status <> 'resolved' AND EXISTS (SELECT 1 FROM claimed)) \
             SELECT c.*, 1::BIGINT AS won, s.id AS step_id, \
               CASE WHEN (SELECT u.offline FROM users u WHERE u.id = c.resident_id) <> 0 \
               OR EXISTS (SELECT 1 FROM family_links f WHERE f.resident_id = c.resident_id) \
               THEN 1 ELSE 0 END::BIGINT AS relay \
             FROM claimed c CROSS JOIN step s \
             UNION ALL \
             SELECT seen.*, 0::BIGINT, NULL::BIGINT, 0::BIGINT FROM ({select} WHERE w.id = $1) seen \
             WHERE NOT EXISTS (SELECT 1 FROM claimed)",
            update = guarded_update(returning_wish()),
            select = select_wish(),
        )
    });
    &SQL
}

/// The claim of `claim::take` after the volunteer's lock, on PostgreSQL.
pub(super) async fn take(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    (note, max_open_claims): (Option<&str>, u32),
    now: i64,
) -> CoreResult<Taken> {
    let kind = NotificationKind::WishClaimed;
    let row = sqlx::query(sqlx::AssertSqlSafe(sql()))
        .bind(id)
        .bind(caller.user_id)
        .bind(now)
        .bind(i64::from(max_open_claims))
        .bind(note)
        .bind(kind.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(Taken::Missed(None));
    };
    if row.get::<i64, _>("won") == 0 {
        return Ok(Taken::Missed(settled(conn, &row).await?));
    }
    let after = from_row(&row);
    if row.get::<i64, _>("relay") != 0 {
        let step_id: i64 = row.get("step_id");
        let step = Step {
            wish_id: after.id,
            actor_id: Some(caller.user_id),
            action: Action::Claim.as_str(),
            from: Some(WishStatus::Open),
            to: WishStatus::Claimed,
            note,
        };
        let n = NewNotification {
            kind,
            recipient_id: after.resident_id,
            subject_type: "wish",
            subject_id: after.id,
            urgent: false,
            payload: payload(&after, &step),
            dedupe_key: format!("wish:{}:step:{step_id}:{kind}:{}", after.id, after.resident_id),
        };
        crate::register::family::relay(conn, &n, now).await?;
    }
    Ok(Taken::Recorded(after))
}
