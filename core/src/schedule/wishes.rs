//! Rules about wishes that wait too long: unclaimed past their category's limit (then escalated
//! to the admins), claims overdue (a reminder to the volunteer, then an alert), fulfilments
//! nobody confirms (a reminder, then automatic closing), and callbacks (回访) past their deadline.

use serde_json::json;
use sqlx::Row;

use super::Act;
use crate::alert::NewAlert;
use crate::alert::summary::{Reason, hours};
use crate::config::Settings;
use crate::db::Db;
use crate::error::CoreResult;
use crate::notify::NotificationKind;
use crate::outbox::NewNotification;

fn raise(alert: NewAlert, title: String) -> Act {
    Act::Raise {
        alert,
        urgent: false,
        title,
    }
}

/// A reminder about wish `id` for `recipient`, once per `dedupe_key`.
fn reminder(kind: NotificationKind, recipient: i64, payload: serde_json::Value, dedupe_key: String) -> Act {
    let subject_id = payload["wish_id"].as_i64().unwrap_or_default();
    Act::Send(NewNotification {
        kind,
        recipient_id: recipient,
        subject_type: "wish",
        subject_id,
        urgent: false,
        payload,
        dedupe_key,
    })
}

/// Open wishes unclaimed past their category's limit alert their grid leader — not those referred
/// to co-building (or bundled into a project): no volunteer was going to claim them.
pub(super) async fn unclaimed(db: &Db, settings: &Settings, now: i64) -> CoreResult<Vec<Act>> {
    let esc = &settings.escalation;
    let shortest = esc.shortest_sla_ms();
    let rows = sqlx::query(
        "SELECT id, grid_id, title, category, opened_at FROM wishes WHERE status = 'open' AND project_id IS NULL AND referred_at IS NULL \
         AND opened_at <= $1",
    )
    .bind(now - shortest)
    .fetch_all(db.pool())
    .await?;
    let mut acts = Vec::new();
    for r in rows {
        let (id, grid_id, title, category, opened_at): (i64, i64, String, String, i64) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        if now - opened_at < esc.sla(&category).as_millis_i64() {
            continue;
        }
        let reason = Reason::Unclaimed {
            hours: hours(now - opened_at),
        };
        let alert = NewAlert::new(reason, Some(id), grid_id, &title, format!("unclaimed:{id}:{opened_at}"));
        acts.push(raise(alert, title));
    }
    Ok(acts)
}

/// Unclaimed-wish alerts nobody acknowledged go on to the admins.
pub(super) async fn escalate_unclaimed(db: &Db, settings: &Settings, now: i64) -> CoreResult<Vec<Act>> {
    let rows = sqlx::query(
        "SELECT w.id, w.grid_id, w.title, w.opened_at FROM alerts a JOIN wishes w ON w.id = a.wish_id \
         WHERE a.kind = 'unclaimed' AND a.status = 'open' AND a.created_at <= $1 AND w.status = 'open' AND w.project_id IS NULL \
         AND w.referred_at IS NULL",
    )
    .bind(now - settings.escalation.escalate_after.as_millis_i64())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (id, grid_id, title, opened_at): (i64, i64, String, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
            let reason = Reason::UnclaimedEscalated {
                hours: hours(now - opened_at),
            };
            let key = format!("unclaimed-escalated:{id}:{opened_at}");
            let alert = NewAlert {
                level: 2,
                ..NewAlert::new(reason, Some(id), grid_id, &title, key)
            };
            raise(alert, title)
        })
        .collect())
}

/// Claims past their due time (or too old) remind the volunteer — every holder of a wish for
/// several volunteers; later still, alert the leader (once per wish: the alert's key).
pub(super) async fn overdue_claims(db: &Db, settings: &Settings, now: i64) -> CoreResult<Vec<Act>> {
    let age = settings.escalation.claim_overdue_after.as_millis_i64();
    let further = settings.escalation.overdue_escalate_after.as_millis_i64();
    let rows = sqlx::query(
        "SELECT w.id, w.grid_id, w.title, COALESCE(w.volunteer_id, h.volunteer_id), w.claimed_at, w.due_at, w.slots \
         FROM wishes w LEFT JOIN wish_holders h ON h.wish_id = w.id AND w.slots > 1 \
         WHERE w.status = 'claimed' AND (w.claimed_at <= $1 OR w.due_at <= $2)",
    )
    .bind(now - age)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut acts = Vec::new();
    for r in rows {
        let (id, grid_id, title, volunteer, claimed_at, due_at): (i64, i64, String, Option<i64>, i64, Option<i64>) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
        let overdue_at = due_at.map_or(claimed_at + age, |due| due.min(claimed_at + age));
        if now < overdue_at {
            continue;
        }
        if let Some(volunteer) = volunteer {
            let payload = json!({ "wish_id": id, "title": title, "status": "claimed", "grid_id": grid_id });
            // One reminder per claim; a slot's reminder names its holder too.
            let slots: i64 = r.get(6);
            let key = match slots {
                1 => format!("overdue-remind:{id}:{claimed_at}"),
                _ => format!("overdue-remind:{id}:{claimed_at}:{volunteer}"),
            };
            acts.push(reminder(NotificationKind::WishOverdue, volunteer, payload, key));
        }
        if now >= overdue_at + further {
            let reason = Reason::OverdueClaim {
                hours: hours(now - claimed_at),
            };
            let alert = NewAlert::new(reason, Some(id), grid_id, &title, format!("overdue:{id}:{claimed_at}"));
            acts.push(raise(alert, title));
        }
    }
    Ok(acts)
}

/// Fulfilled wishes the resident has not confirmed: remind once, then close automatically.
pub(super) async fn unconfirmed(db: &Db, settings: &Settings, now: i64) -> CoreResult<Vec<Act>> {
    let remind_after = settings.escalation.confirm_reminder_after.as_millis_i64();
    let close_after = settings.wishes.auto_close_after.as_millis_i64();
    let rows = sqlx::query(
        "SELECT id, resident_id, title, grid_id, fulfilled_at FROM wishes WHERE status = 'fulfilled' AND fulfilled_at <= $1",
    )
    .bind(now - remind_after.min(close_after))
    .fetch_all(db.pool())
    .await?;
    let mut acts = Vec::new();
    for r in rows {
        let (id, resident, title, grid_id, fulfilled_at): (i64, i64, String, i64, i64) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        if now - fulfilled_at >= close_after {
            acts.push(Act::AutoClose(id));
        } else if now - fulfilled_at >= remind_after {
            let payload = json!({ "wish_id": id, "title": title, "status": "fulfilled", "grid_id": grid_id });
            let key = format!("confirm-remind:{id}:{fulfilled_at}");
            acts.push(reminder(NotificationKind::WishConfirmReminder, resident, payload, key));
        }
    }
    Ok(acts)
}

/// Callbacks (回访) past their deadline go on to the admins.
pub(super) async fn overdue_callbacks(db: &Db, now: i64) -> CoreResult<Vec<Act>> {
    let rows = sqlx::query(
        "SELECT a.wish_id, a.grid_id, w.title FROM alerts a JOIN wishes w ON w.id = a.wish_id \
         WHERE a.kind = 'callback' AND a.status <> 'resolved' AND a.due_at <= $1",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (id, grid_id, title): (i64, i64, String) = (r.get(0), r.get(1), r.get(2));
            let key = format!("callback-overdue:{id}");
            let alert = NewAlert {
                level: 2,
                ..NewAlert::new(Reason::CallbackOverdue, Some(id), grid_id, &title, key)
            };
            raise(alert, title)
        })
        .collect())
}
