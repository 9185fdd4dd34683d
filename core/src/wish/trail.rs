//! A wish's trail: the timeline row each step appends and the notifications it announces, both
//! written in the caller's transaction so they commit with the change itself.

use sqlx::{AnyConnection, Row};

use super::model::{Wish, WishStatus};
use super::notify::Announcement;
use crate::error::CoreResult;
use crate::outbox::{self, NewNotification};

/// One step of a wish's life, as the timeline records it.
pub(super) struct Step<'a> {
    pub wish_id: i64,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub from: Option<WishStatus>,
    pub to: WishStatus,
    pub note: Option<&'a str>,
}

/// Appends `step` to the timeline and records its announcements in the outbox, keyed by the
/// timeline row so that the same step never announces twice.
pub(super) async fn record(
    conn: &mut AnyConnection,
    step: Step<'_>,
    wish: &Wish,
    list: &[Announcement],
    now: i64,
) -> CoreResult<()> {
    let row = sqlx::query(
        "INSERT INTO wish_timeline (wish_id, at, actor_id, action, from_status, to_status, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(step.wish_id)
    .bind(now)
    .bind(step.actor_id)
    .bind(step.action)
    .bind(step.from.map(WishStatus::as_str))
    .bind(step.to.as_str())
    .bind(step.note)
    .fetch_one(&mut *conn)
    .await?;
    let step_id: i64 = row.get(0);
    for a in list {
        let n = NewNotification {
            kind: a.kind,
            recipient_id: a.recipient_id,
            subject_type: "wish",
            subject_id: wish.id,
            urgent: a.urgent,
            payload: payload(wish, &step),
            dedupe_key: format!("wish:{}:step:{step_id}:{}:{}", wish.id, a.kind, a.recipient_id),
        };
        outbox::record(conn, &n, now).await?;
    }
    Ok(())
}

/// What the templates of a wish's notifications read; a rejection, release or cancellation
/// carries the reason given (`reason`).
pub(super) fn payload(wish: &Wish, step: &Step<'_>) -> serde_json::Value {
    let reason = step
        .note
        .filter(|_| matches!(step.action, "reject" | "release" | "cancel"));
    serde_json::json!({
        "wish_id": wish.id,
        "title": wish.title,
        "status": wish.status.as_str(),
        "grid_id": wish.grid_id,
        "urgency": wish.urgency.as_str(),
        "category": wish.category,
        "reason": reason,
    })
}

/// The leader of a grid, if any.
pub(super) async fn leader_of(conn: &mut AnyConnection, grid_id: i64) -> CoreResult<Option<i64>> {
    let row = sqlx::query("SELECT leader_user_id FROM grids WHERE id = $1")
        .bind(grid_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.and_then(|r| r.get("leader_user_id")))
}
