//! The scheduler's rules. Each looks at the store as of `now`, and raises alerts or records
//! reminders through the outbox — idempotently: every alert and reminder carries a unique key for
//! its subject and period, so several schedulers scanning at once still create each exactly once.

use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use serde_json::json;
use sqlx::Row;

use super::store::{self, NewAlert};
use crate::config::Settings;
use crate::db::Db;
use crate::error::CoreResult;
use crate::notify::NotificationKind;
use crate::outbox::{self, NewNotification};
use crate::wish::{Action, store as wishes};

const HOUR: i64 = 3_600_000;

/// What one scan did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    /// Alerts raised.
    pub alerts: usize,
    /// Reminders and digests recorded.
    pub messages: usize,
    /// Wishes closed automatically.
    pub auto_closed: usize,
}

/// Runs every rule once.
pub async fn scan(db: &Db, settings: &Settings, now: i64) -> CoreResult<ScanReport> {
    let mut report = ScanReport::default();
    // Each rule runs even if an earlier one failed: one broken rule must not silence the rest.
    // The first failure is returned after all have run (the scheduler logs it).
    let mut first_error = None;
    let mut note = |result: CoreResult<()>| {
        if let Err(err) = result {
            tracing::warn!(error = %err, "a scheduler rule failed");
            first_error.get_or_insert(err);
        }
    };
    note(unclaimed(db, settings, now).await.map(|n| report.alerts += n));
    note(escalate_unclaimed(db, settings, now).await.map(|n| report.alerts += n));
    note(overdue_claims(db, settings, now).await.map(|(m, a)| {
        report.messages += m;
        report.alerts += a;
    }));
    note(unconfirmed(db, settings, now).await.map(|(m, c)| {
        report.messages += m;
        report.auto_closed += c;
    }));
    note(overdue_callbacks(db, now).await.map(|n| report.alerts += n));
    note(daily_digests(db, settings, now).await.map(|n| report.messages += n));
    note(weekly_digests(db, settings, now).await.map(|n| report.messages += n));
    note(
        crate::event::reminders::scan(db, settings, now)
            .await
            .map(|n| report.messages += n),
    );
    match first_error {
        Some(err) => Err(err),
        None => Ok(report),
    }
}

async fn raise(db: &Db, alert: NewAlert, urgent: bool, title: &str, now: i64) -> CoreResult<usize> {
    let mut tx = db.begin_write().await?;
    let raised = store::raise(&mut tx, &alert, urgent, title, now).await?;
    tx.commit().await?;
    Ok(usize::from(raised.is_some()))
}

async fn remind(db: &Db, n: NewNotification, now: i64) -> CoreResult<usize> {
    let mut tx = db.begin_write().await?;
    let fresh = outbox::record(&mut tx, &n, now).await?;
    tx.commit().await?;
    Ok(usize::from(fresh))
}

fn hours(ms: i64) -> i64 {
    (ms / HOUR).max(1)
}

/// Open wishes unclaimed past their category's limit alert their grid leader.
async fn unclaimed(db: &Db, settings: &Settings, now: i64) -> CoreResult<usize> {
    let esc = &settings.escalation;
    let shortest = esc
        .category_sla
        .values()
        .chain([&esc.unclaimed_after])
        .map(|d| d.as_millis_i64())
        .min()
        .unwrap_or(0);
    let rows = sqlx::query(
        "SELECT id, grid_id, title, category, opened_at FROM wishes WHERE status = 'open' AND opened_at <= $1",
    )
    .bind(now - shortest)
    .fetch_all(db.pool())
    .await?;
    let mut raised = 0;
    for r in rows {
        let (id, grid_id, title, category, opened_at): (i64, i64, String, String, i64) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        if now - opened_at < esc.sla(&category).as_millis_i64() {
            continue;
        }
        let alert = NewAlert {
            kind: "unclaimed",
            level: 1,
            wish_id: Some(id),
            grid_id,
            unique_key: format!("unclaimed:{id}:{opened_at}"),
            summary: format!("心愿「{title}」已等待 {} 小时无人认领", hours(now - opened_at)),
            due_at: None,
        };
        raised += raise(db, alert, false, &title, now).await?;
    }
    Ok(raised)
}

/// Unclaimed-wish alerts nobody acknowledged go on to the admins.
async fn escalate_unclaimed(db: &Db, settings: &Settings, now: i64) -> CoreResult<usize> {
    let rows = sqlx::query(
        "SELECT w.id, w.grid_id, w.title, w.opened_at FROM alerts a JOIN wishes w ON w.id = a.wish_id \
         WHERE a.kind = 'unclaimed' AND a.status = 'open' AND a.created_at <= $1 AND w.status = 'open'",
    )
    .bind(now - settings.escalation.escalate_after.as_millis_i64())
    .fetch_all(db.pool())
    .await?;
    let mut raised = 0;
    for r in rows {
        let (id, grid_id, title, opened_at): (i64, i64, String, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
        let alert = NewAlert {
            kind: "unclaimed_escalated",
            level: 2,
            wish_id: Some(id),
            grid_id,
            unique_key: format!("unclaimed-escalated:{id}:{opened_at}"),
            summary: format!("心愿「{title}」已等待 {} 小时，网格长尚未处理", hours(now - opened_at)),
            due_at: None,
        };
        raised += raise(db, alert, false, &title, now).await?;
    }
    Ok(raised)
}

/// Claims past their due time (or too old) remind the volunteer; later still, alert the leader.
async fn overdue_claims(db: &Db, settings: &Settings, now: i64) -> CoreResult<(usize, usize)> {
    let age = settings.escalation.claim_overdue_after.as_millis_i64();
    let further = settings.escalation.overdue_escalate_after.as_millis_i64();
    let rows = sqlx::query(
        "SELECT id, grid_id, title, volunteer_id, claimed_at, due_at FROM wishes \
         WHERE status = 'claimed' AND (claimed_at <= $1 OR due_at <= $2)",
    )
    .bind(now - age)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let (mut reminders, mut alerts) = (0, 0);
    for r in rows {
        let (id, grid_id, title, volunteer, claimed_at, due_at): (i64, i64, String, Option<i64>, i64, Option<i64>) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
        let overdue_at = due_at.map_or(claimed_at + age, |due| due.min(claimed_at + age));
        if now < overdue_at {
            continue;
        }
        if let Some(volunteer) = volunteer {
            let n = NewNotification {
                kind: NotificationKind::WishOverdue,
                recipient_id: volunteer,
                subject_type: "wish",
                subject_id: id,
                urgent: false,
                payload: json!({ "wish_id": id, "title": title, "status": "claimed", "grid_id": grid_id }),
                dedupe_key: format!("overdue-remind:{id}:{claimed_at}"),
            };
            reminders += remind(db, n, now).await?;
        }
        if now >= overdue_at + further {
            let alert = NewAlert {
                kind: "overdue_claim",
                level: 1,
                wish_id: Some(id),
                grid_id,
                unique_key: format!("overdue:{id}:{claimed_at}"),
                summary: format!("心愿「{title}」认领后 {} 小时仍未完成", hours(now - claimed_at)),
                due_at: None,
            };
            alerts += raise(db, alert, false, &title, now).await?;
        }
    }
    Ok((reminders, alerts))
}

/// Fulfilled wishes the resident has not confirmed: remind once, then close automatically.
async fn unconfirmed(db: &Db, settings: &Settings, now: i64) -> CoreResult<(usize, usize)> {
    let remind_after = settings.escalation.confirm_reminder_after.as_millis_i64();
    let close_after = settings.wishes.auto_close_after.as_millis_i64();
    let rows = sqlx::query(
        "SELECT id, resident_id, title, grid_id, fulfilled_at FROM wishes WHERE status = 'fulfilled' AND fulfilled_at <= $1",
    )
    .bind(now - remind_after.min(close_after))
    .fetch_all(db.pool())
    .await?;
    let (mut reminders, mut closed) = (0, 0);
    for r in rows {
        let (id, resident, title, grid_id, fulfilled_at): (i64, i64, String, i64, i64) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        if now - fulfilled_at >= close_after {
            let mut tx = db.begin_write().await?;
            // Another scheduler may have closed it a moment ago: its guarded update then refuses ours.
            match wishes::apply(&mut tx, None, id, Action::AutoClose, Default::default(), settings, now).await {
                Ok(_) => {
                    tx.commit().await?;
                    closed += 1;
                }
                Err(crate::CoreError::Conflict { .. }) => {}
                Err(other) => return Err(other),
            }
        } else if now - fulfilled_at >= remind_after {
            let n = NewNotification {
                kind: NotificationKind::WishConfirmReminder,
                recipient_id: resident,
                subject_type: "wish",
                subject_id: id,
                urgent: false,
                payload: json!({ "wish_id": id, "title": title, "status": "fulfilled", "grid_id": grid_id }),
                dedupe_key: format!("confirm-remind:{id}:{fulfilled_at}"),
            };
            reminders += remind(db, n, now).await?;
        }
    }
    Ok((reminders, closed))
}

/// Callbacks (回访) past their deadline go on to the admins.
async fn overdue_callbacks(db: &Db, now: i64) -> CoreResult<usize> {
    let rows = sqlx::query(
        "SELECT a.wish_id, a.grid_id, w.title FROM alerts a JOIN wishes w ON w.id = a.wish_id \
         WHERE a.kind = 'callback' AND a.status <> 'resolved' AND a.due_at <= $1",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut raised = 0;
    for r in rows {
        let (id, grid_id, title): (i64, i64, String) = (r.get(0), r.get(1), r.get(2));
        let alert = NewAlert {
            kind: "callback_overdue",
            level: 2,
            wish_id: Some(id),
            grid_id,
            unique_key: format!("callback-overdue:{id}"),
            summary: format!("心愿「{title}」差评回访已超期"),
            due_at: None,
        };
        raised += raise(db, alert, false, &title, now).await?;
    }
    Ok(raised)
}

/// The local date and minute of day at `now`, and the UTC bounds of the local day before.
fn local_day(tz: &TimeZone, now: i64) -> Option<(jiff::civil::Date, u16, i64, i64)> {
    let zoned = Timestamp::from_millisecond(now).ok()?.to_zoned(tz.clone());
    let today = zoned.date();
    let start_today = today.to_zoned(tz.clone()).ok()?.timestamp().as_millisecond();
    let start_yesterday = today
        .yesterday()
        .ok()?
        .to_zoned(tz.clone())
        .ok()?
        .timestamp()
        .as_millisecond();
    Some((
        today,
        (zoned.hour() as u16) * 60 + zoned.minute() as u16,
        start_yesterday,
        start_today,
    ))
}

/// Each grid leader's daily summary at the configured local time — and none when there is
/// nothing to say.
async fn daily_digests(db: &Db, settings: &Settings, now: i64) -> CoreResult<usize> {
    let tz =
        TimeZone::get(&settings.community.timezone).map_err(|e| crate::CoreError::invalid("config", e.to_string()))?;
    let at = crate::quiet_hours::minute_of_day(&settings.escalation.digest_time).unwrap_or(8 * 60);
    let Some((today, minute, from, to)) = local_day(&tz, now) else {
        return Ok(0);
    };
    if minute < at {
        return Ok(0);
    }
    let leaders = sqlx::query("SELECT DISTINCT leader_user_id FROM grids WHERE leader_user_id IS NOT NULL")
        .fetch_all(db.pool())
        .await?;
    let age = settings.escalation.claim_overdue_after.as_millis_i64();
    let mut sent = 0;
    for leader in leaders.iter().map(|r| r.get::<i64, _>(0)) {
        let key = format!("digest:{leader}:{today}");
        let done = sqlx::query("SELECT 1 FROM notifications WHERE dedupe_key = $1")
            .bind(&key)
            .fetch_optional(db.pool())
            .await?;
        if done.is_some() {
            continue;
        }
        let stats = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM wishes w WHERE w.grid_id = g.id AND w.created_at >= $2 AND w.created_at < $3), \
               (SELECT COUNT(*) FROM wishes w WHERE w.grid_id = g.id AND w.status = 'open'), \
               (SELECT COUNT(*) FROM wishes w WHERE w.grid_id = g.id AND w.status = 'claimed' \
                  AND (w.claimed_at <= $4 OR w.due_at <= $5)), \
               (SELECT COUNT(*) FROM alerts a WHERE a.grid_id = g.id AND a.level = 2 AND a.status <> 'resolved'), \
               (SELECT COUNT(*) FROM wishes w WHERE w.grid_id = g.id AND w.status = 'closed' \
                  AND w.closed_at >= $2 AND w.closed_at < $3), \
               (SELECT CAST(COALESCE(SUM(w.rating), 0) AS BIGINT) FROM wishes w WHERE w.grid_id = g.id AND w.status = 'closed' \
                  AND w.closed_at >= $2 AND w.closed_at < $3 AND w.rating IS NOT NULL), \
               (SELECT COUNT(*) FROM wishes w WHERE w.grid_id = g.id AND w.status = 'closed' \
                  AND w.closed_at >= $2 AND w.closed_at < $3 AND w.rating IS NOT NULL) \
             FROM grids g WHERE g.leader_user_id = $1",
        )
        .bind(leader)
        .bind(from)
        .bind(to)
        .bind(now - age)
        .bind(now)
        .fetch_all(db.pool())
        .await?;
        let mut totals = [0i64; 7];
        for row in &stats {
            for (i, total) in totals.iter_mut().enumerate() {
                *total += row.get::<i64, _>(i);
            }
        }
        let [new, open, overdue, escalated, closed, rating_sum, rated] = totals;
        if new + open + overdue + escalated + closed == 0 {
            continue;
        }
        let average = (rated > 0).then(|| (rating_sum as f64 / rated as f64 * 10.0).round() / 10.0);
        let n = NewNotification {
            kind: NotificationKind::Digest,
            recipient_id: leader,
            subject_type: "digest",
            subject_id: 0,
            urgent: false,
            payload: json!({
                "title": format!("{today} 网格日报"), "date": today.to_string(), "new": new, "open": open,
                "overdue": overdue, "escalated": escalated, "closed": closed, "average_rating": average,
            }),
            dedupe_key: key,
        };
        sent += remind(db, n, now).await?;
    }
    Ok(sent)
}

/// Volunteers who opted in get the open wishes of their grid on Monday mornings.
async fn weekly_digests(db: &Db, settings: &Settings, now: i64) -> CoreResult<usize> {
    let tz =
        TimeZone::get(&settings.community.timezone).map_err(|e| crate::CoreError::invalid("config", e.to_string()))?;
    let at = crate::quiet_hours::minute_of_day(&settings.escalation.digest_time).unwrap_or(8 * 60);
    let Some((today, minute, _, _)) = local_day(&tz, now) else {
        return Ok(0);
    };
    if today.weekday() != Weekday::Monday || minute < at {
        return Ok(0);
    }
    let rows = sqlx::query(
        "SELECT u.id, u.grid_id, (SELECT COUNT(*) FROM wishes w WHERE w.grid_id = u.grid_id AND w.status = 'open') \
         FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' \
         WHERE u.weekly_digest = 1 AND u.grid_id IS NOT NULL",
    )
    .fetch_all(db.pool())
    .await?;
    let mut sent = 0;
    for r in rows {
        let (user, grid, open): (i64, i64, i64) = (r.get(0), r.get(1), r.get(2));
        if open == 0 {
            continue;
        }
        let n = NewNotification {
            kind: NotificationKind::WeeklyDigest,
            recipient_id: user,
            subject_type: "digest",
            subject_id: 0,
            urgent: false,
            payload: json!({ "title": format!("本周有 {open} 个心愿等待认领"), "open": open, "grid_id": grid, "week_of": today.to_string() }),
            dedupe_key: format!("weekly:{user}:{today}"),
        };
        sent += remind(db, n, now).await?;
    }
    Ok(sent)
}
