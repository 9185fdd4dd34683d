//! When a resident's news finds no channel — an offline resident, or one online with no
//! subscribe quota and no email — it is handed on, never silently skipped: copied to their linked
//! family, or, with nobody linked (or the family copy itself unreachable), made a phone-call task
//! (a `phone_call` alert) for the leader of their grid, listed, acknowledged and resolved like
//! every alert over the API and in the console's queue.

use serde_json::Value;
use sqlx::{AnyConnection, Row};

use crate::alert::NewAlert;
use crate::alert::store as alerts;
use crate::alert::summary::Reason;
use crate::db::Db;
use crate::error::CoreResult;
use crate::notify::{Notification, NotificationKind};
use crate::outbox::{self, NewNotification};

/// The news about a resident that must reach someone (see `family::relayed`).
pub fn must_reach(kind: NotificationKind) -> bool {
    super::family::relayed(kind, true)
}

/// The notification a phone call replaces.
pub(crate) struct Unreached<'a> {
    /// What the news was.
    pub kind: NotificationKind,
    /// Its subject (`wish` → the alert links the wish).
    pub subject_type: &'a str,
    /// The subject's id.
    pub subject_id: i64,
    /// Its payload (the wish's `title`).
    pub payload: &'a Value,
    /// Its dedupe key: one phone call per unreached notification.
    pub dedupe_key: &'a str,
}

/// Raises the phone-call task for the leader of `grid_id` about the resident (id, name).
pub(crate) async fn phone_call(
    conn: &mut AnyConnection,
    n: &Unreached<'_>,
    grid_id: i64,
    (resident_id, name): (i64, &str),
    now: i64,
) -> CoreResult<()> {
    let title = n.payload["title"].as_str().unwrap_or("");
    let reason = Reason::PhoneCall {
        name: name.to_string(),
        news: n.kind,
    };
    let wish_id = (n.subject_type == "wish").then_some(n.subject_id);
    let key = format!("phone_call:{}", n.dedupe_key);
    let alert = NewAlert::new(reason, wish_id, grid_id, title, key).about_resident(resident_id);
    // Boxed: raising records notifications, which may relay again (never for alerts).
    Box::pin(alerts::raise(conn, &alert, false, title, now)).await?;
    Ok(())
}

/// Hands on a notification the notifier could not deliver. Returns what was done, for the row's
/// reason, or `None` when the kind is not a resident's news or the resident has no grid.
pub async fn hand_over(db: &Db, n: &Notification, now: i64) -> CoreResult<Option<String>> {
    if !must_reach(n.kind) {
        return Ok(None);
    }
    let copy_of = n.payload.get("for_resident_id").and_then(Value::as_i64);
    let resident = copy_of.unwrap_or(n.recipient_id);
    let mut tx = db.begin_write().await?;
    let Some(row) = sqlx::query("SELECT grid_id, display_name, offline FROM users WHERE id = $1")
        .bind(resident)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Ok(None);
    };
    let (grid_id, name, offline): (Option<i64>, String, i64) = (row.get(0), row.get(1), row.get(2));
    if offline != 0 && copy_of.is_none() {
        // An offline resident's news was relayed when it was recorded (`family::relay`).
        return Ok(Some("relayed when recorded (offline resident)".into()));
    }
    let key = format!("handoff:{}", n.id);
    let family: Vec<i64> = match copy_of {
        Some(_) => Vec::new(),
        None => sqlx::query("SELECT family_id FROM family_links WHERE resident_id = $1 ORDER BY family_id")
            .bind(resident)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect(),
    };
    let done = if family.is_empty() {
        let Some(grid_id) = grid_id else {
            return Ok(None);
        };
        let unreached = Unreached {
            kind: n.kind,
            subject_type: &n.subject_type,
            subject_id: n.subject_id,
            payload: &n.payload,
            dedupe_key: &key,
        };
        phone_call(&mut tx, &unreached, grid_id, (resident, &name), now).await?;
        "a phone-call task for the grid leader".to_string()
    } else {
        for member in &family {
            let mut payload = n.payload.clone();
            super::family::mark_copy(&mut payload, &name, resident);
            let copy = NewNotification {
                kind: n.kind,
                recipient_id: *member,
                subject_type: subject_type(&n.subject_type),
                subject_id: n.subject_id,
                urgent: n.urgent,
                payload,
                dedupe_key: format!("{key}:family:{member}"),
            };
            outbox::insert(&mut tx, &copy, now).await?;
        }
        format!("handed to {} family member(s)", family.len())
    };
    tx.commit().await?;
    Ok(Some(done))
}

/// The outbox's static subject names (a row read back carries an owned one).
fn subject_type(s: &str) -> &'static str {
    match s {
        "wish" => "wish",
        "resident" => "resident",
        "alert" => "alert",
        "event" => "event",
        "digest" => "digest",
        _ => "other",
    }
}
