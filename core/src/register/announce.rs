//! The grid leader hears of a residence request that waits for them (`residence_request`,
//! through the notifier), and a request decided before its news went out is not announced after
//! all: the pending announcement is withdrawn with the request's decision, in the same
//! transaction.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::requests::pending_of;
use crate::error::CoreResult;
use crate::notify::NotificationKind;
use crate::outbox::{self, NewNotification};

/// Brings `user_id`'s announcements in line with their requests: withdraws those of requests no
/// longer pending (still unsent), and announces the pending one to its grid's leader (once).
pub async fn sync(conn: &mut AnyConnection, user_id: i64, now: i64) -> CoreResult<()> {
    sqlx::query(
        "DELETE FROM notifications WHERE kind = 'residence_request' AND status = 'pending' \
         AND subject_type = 'residence_request' AND subject_id IN \
         (SELECT id FROM residence_requests WHERE user_id = $1 AND status <> 'pending') \
         AND id NOT IN (SELECT id FROM notification_queue WHERE lease_owner IS NOT NULL)",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    let Some(request) = pending_of(conn, user_id).await? else {
        return Ok(());
    };
    let Some(row) = sqlx::query(
        "SELECT g.leader_user_id, g.name, u.display_name FROM grids g, users u \
         WHERE g.id = $1 AND u.id = $2 AND g.leader_user_id IS NOT NULL",
    )
    .bind(request.grid_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let (leader, grid_name, name): (i64, String, String) = (row.get(0), row.get(1), row.get(2));
    let place = [request.unit.as_deref(), request.room.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let n = NewNotification {
        kind: NotificationKind::ResidenceRequest,
        recipient_id: leader,
        subject_type: "residence_request",
        subject_id: request.id,
        urgent: false,
        payload: json!({ "request_id": request.id, "resident_name": name, "grid_name": grid_name,
            "place": place, "title": format!("{name}申请入住") }),
        dedupe_key: format!("residence_request:{}", request.id),
    };
    outbox::record(conn, &n, now).await?;
    Ok(())
}
