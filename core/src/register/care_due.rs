//! The care schedule's rule: visitors reminded when a visit falls due, the grid's leader alerted
//! when it is overdue — each once per due date, however many schedulers scan.

use serde_json::json;
use sqlx::Row;

use super::care::{ENTRY, Standing, entry, visitors_of};
use crate::alert::NewAlert;
use crate::alert::summary::Reason;
use crate::config::Settings;
use crate::db::Db;
use crate::error::CoreResult;
use crate::notify::NotificationKind;
use crate::outbox::NewNotification;
use crate::schedule::Act;

/// The schedule's rule: a visit due → a reminder to each visitor (once per due date); due longer
/// than `register.visit_overdue_after` → an alert for the grid's leader (once per due date).
pub async fn due(db: &Db, settings: &Settings, now: i64) -> CoreResult<Vec<Act>> {
    let mut conn = db.pool().acquire().await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{ENTRY} WHERE u.grid_id IS NOT NULL")))
        .fetch_all(&mut *conn)
        .await?;
    let grace = settings.register.visit_overdue_after.as_millis_i64();
    let mut acts = Vec::new();
    for r in &rows {
        let e = entry(r);
        let grid_id: i64 = r.get("grid_id");
        let standing = e.standing(now, grace);
        if standing == Standing::Ahead {
            continue;
        }
        let place = e.address.clone().unwrap_or_default();
        for visitor in visitors_of(&mut conn, e.resident_id).await? {
            acts.push(Act::Send(NewNotification {
                kind: NotificationKind::VisitDue,
                recipient_id: visitor,
                subject_type: "resident",
                subject_id: e.resident_id,
                urgent: false,
                payload: json!({ "resident_id": e.resident_id, "resident_name": e.name, "address": place,
                    "title": format!("走访{}", e.name), "due_at": e.next_due_at }),
                dedupe_key: format!("visit_due:{}:{}:{visitor}", e.resident_id, e.next_due_at),
            }));
        }
        if standing == Standing::Overdue {
            let days = (now - e.next_due_at) / 86_400_000;
            let reason = Reason::VisitOverdue {
                name: e.name.clone(),
                days: days.max(1),
            };
            let key = format!("visit_overdue:{}:{}", e.resident_id, e.next_due_at);
            let alert =
                NewAlert::new(reason, None, grid_id, &format!("走访{}", e.name), key).about_resident(e.resident_id);
            acts.push(Act::Raise {
                alert,
                urgent: false,
                title: format!("走访{}", e.name),
            });
        }
    }
    Ok(acts)
}
