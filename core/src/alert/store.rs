//! Alert records: raise (exactly once per unique key), list for a leader's grids or for admins,
//! acknowledge, resolve; each raise records its notifications in the same transaction.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::model::{Alert, COLUMNS, NewAlert, from_row};
use crate::error::{CoreError, CoreResult, guarded};
use crate::notify::NotificationKind;
use crate::outbox::{self, NewNotification};
use crate::people::Caller;

/// Who hears of an alert: the grid's leader (level 1) or every admin (level 2).
async fn recipients(conn: &mut AnyConnection, level: i64, grid_id: i64) -> CoreResult<Vec<i64>> {
    let sql = if level >= 2 {
        "SELECT user_id FROM user_roles WHERE role = 'admin' ORDER BY user_id"
    } else {
        "SELECT leader_user_id FROM grids WHERE id = $1 AND leader_user_id IS NOT NULL"
    };
    let mut q = sqlx::query(sql);
    if level < 2 {
        q = q.bind(grid_id);
    }
    Ok(q.fetch_all(&mut *conn).await?.iter().map(|r| r.get(0)).collect())
}

/// Raises an alert unless one with the same key exists, and records its notifications (urgent
/// ones ignore quiet hours). Returns the new alert's id, or `None` if it already existed.
pub async fn raise(
    conn: &mut AnyConnection,
    new: &NewAlert,
    urgent: bool,
    title: &str,
    now: i64,
) -> CoreResult<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO alerts (kind, level, wish_id, grid_id, status, unique_key, summary, params, due_at, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, 'open', $5, '', $6, $7, $8, $8) ON CONFLICT (unique_key) DO NOTHING \
         RETURNING id",
    )
    .bind(new.kind)
    .bind(new.level)
    .bind(new.wish_id)
    .bind(new.grid_id)
    .bind(&new.unique_key)
    .bind(new.params.to_string())
    .bind(new.due_at)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = row.map(|r| r.get::<i64, _>(0)) else {
        return Ok(None);
    };
    for recipient in recipients(conn, new.level, new.grid_id).await? {
        let n = NewNotification {
            kind: NotificationKind::Alert,
            recipient_id: recipient,
            subject_type: new.subject(id).0,
            subject_id: new.subject(id).1,
            urgent,
            payload: json!({
                "alert_id": id, "alert_kind": new.kind, "level": new.level, "alert_params": new.params,
                "wish_id": new.wish_id, "title": title, "grid_id": new.grid_id,
                "urgency": if urgent { "urgent" } else { "normal" },
            }),
            dedupe_key: format!("alert:{id}:{recipient}"),
        };
        outbox::record(conn, &n, now).await?;
        if new.level == 1 {
            // The grid's work group hears of it too, through its WeCom robot (if it has one).
            let grid_alert = NewNotification {
                kind: NotificationKind::GridAlert,
                dedupe_key: format!("alert:{id}:{recipient}:robot"),
                ..n
            };
            outbox::record(conn, &grid_alert, now).await?;
        }
    }
    Ok(Some(id))
}

/// Reads one alert.
pub async fn get(conn: &mut AnyConnection, id: i64) -> CoreResult<Alert> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM alerts WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| from_row(&r))
    .ok_or(CoreError::NotFound("alert"))
}

/// Level-1 alerts are the grid leader's (and admins'); level-2 ones, escalated past the
/// leader, are the admins' alone.
fn may_handle(caller: &Caller, alert: &Alert) -> bool {
    caller.is_admin() || (alert.level == 1 && caller.leads(alert.grid_id))
}

/// The alert, when the caller may handle it; 404 otherwise, as if it did not exist.
async fn handled(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<Alert> {
    let alert = get(conn, id).await?;
    if may_handle(caller, &alert) {
        Ok(alert)
    } else {
        Err(CoreError::NotFound("alert"))
    }
}

/// The answer to acknowledging or resolving an alert whose state has moved on.
fn already(message: &str) -> CoreError {
    CoreError::conflict("invalid_transition", message.to_string())
}

/// Alerts the caller is responsible for, newest first: a leader's grids, or all for an admin.
pub async fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    status: Option<&str>,
    grid_id: Option<i64>,
    limit: i64,
) -> CoreResult<Vec<Alert>> {
    if !caller.is_admin() && caller.led_grids.is_empty() {
        return Err(CoreError::forbidden(
            "not_permitted",
            "alerts are for grid leaders and admins",
        ));
    }
    if let Some(g) = grid_id.filter(|g| !caller.is_admin() && !caller.leads(*g)) {
        return Err(CoreError::forbidden(
            "not_permitted",
            format!("you do not lead grid {g}"),
        ));
    }
    let mut sql = format!("SELECT {COLUMNS} FROM alerts WHERE ($1 = '' OR status = $1) AND ($2 = 0 OR grid_id = $2)");
    if let Some(scope) = caller.grid_scope("grid_id").filter(|_| !caller.is_admin()) {
        sql.push_str(&format!(" AND {scope} AND level = 1"));
    }
    sql.push_str(" ORDER BY id DESC LIMIT $3");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(status.unwrap_or(""))
        .bind(grid_id.unwrap_or(0))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(from_row).collect())
}

/// Acknowledges an open alert ("I have seen it and am on it"): stops its escalation.
pub async fn acknowledge(conn: &mut AnyConnection, caller: &Caller, id: i64, now: i64) -> CoreResult<Alert> {
    let alert = handled(conn, caller, id).await?;
    let done = sqlx::query(
        "UPDATE alerts SET status = 'acknowledged', acked_by = $2, acked_at = $3, updated_at = $3 \
         WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(caller.user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    guarded(done, || already(&format!("the alert is already {}", alert.status)))?;
    get(conn, id).await
}

/// Resolves an alert with a note (the outcome of a callback, say).
pub async fn resolve(conn: &mut AnyConnection, caller: &Caller, id: i64, note: &str, now: i64) -> CoreResult<Alert> {
    handled(conn, caller, id).await?;
    let done = sqlx::query(
        "UPDATE alerts SET status = 'resolved', resolved_by = $2, resolved_at = $3, resolution_note = $4, \
         acked_by = COALESCE(acked_by, $2), acked_at = COALESCE(acked_at, $3), updated_at = $3 \
         WHERE id = $1 AND status <> 'resolved'",
    )
    .bind(id)
    .bind(caller.user_id)
    .bind(now)
    .bind(note)
    .execute(&mut *conn)
    .await?;
    guarded(done, || already("the alert is already resolved"))?;
    get(conn, id).await
}

/// Resolves a wish's alerts of these kinds on the system's behalf (a claim ends "unclaimed").
pub async fn resolve_for_wish(
    conn: &mut AnyConnection,
    wish_id: i64,
    kinds: &[&str],
    note: &str,
    now: i64,
) -> CoreResult<u64> {
    let mut total = 0;
    for kind in kinds {
        total += sqlx::query(
            "UPDATE alerts SET status = 'resolved', resolved_at = $3, resolution_note = $4, updated_at = $3 \
             WHERE wish_id = $1 AND kind = $2 AND status <> 'resolved'",
        )
        .bind(wish_id)
        .bind(*kind)
        .bind(now)
        .bind(note)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(total)
}
