//! Digests instead of floods: each grid leader's daily summary at `escalation.digest_time` local
//! time (none when there is nothing to say), and the weekly list of open wishes for volunteers who
//! opted in, on Monday mornings. The words are the templates'; a digest carries its numbers and
//! the few wishes it names (`digest_lists`), each with a link.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use sqlx::Row;

use super::{Act, digest_lists};
use crate::config::Settings;
use crate::db::Db;
use crate::error::{CoreError, CoreResult};
use crate::notify::NotificationKind;
use crate::outbox::NewNotification;

/// Where the community's day stands at `now`.
struct LocalDay {
    today: Date,
    /// Minutes since local midnight.
    minute: u16,
    /// The UTC bounds (epoch ms) of the local day before.
    yesterday: (i64, i64),
}

/// The local day at `now`, if digests are due by the configured time.
fn due_day(settings: &Settings, now: i64) -> CoreResult<Option<LocalDay>> {
    let tz = TimeZone::get(&settings.community.timezone).map_err(|e| CoreError::invalid("config", e.to_string()))?;
    let at = crate::quiet_hours::minute_of_day(&settings.escalation.digest_time).unwrap_or(8 * 60);
    Ok(local_day(&tz, now).filter(|day| day.minute >= at))
}

fn local_day(tz: &TimeZone, now: i64) -> Option<LocalDay> {
    let zoned = Timestamp::from_millisecond(now).ok()?.to_zoned(tz.clone());
    let today = zoned.date();
    let start = |d: Date| Some(d.to_zoned(tz.clone()).ok()?.timestamp().as_millisecond());
    Some(LocalDay {
        today,
        minute: (zoned.hour() as u16) * 60 + zoned.minute() as u16,
        yesterday: (start(today.yesterday().ok()?)?, start(today)?),
    })
}

fn digest(kind: NotificationKind, recipient: i64, payload: Value, dedupe_key: String) -> Act {
    Act::Send(NewNotification {
        kind,
        recipient_id: recipient,
        subject_type: "digest",
        subject_id: 0,
        urgent: false,
        payload,
        dedupe_key,
    })
}

/// Each grid leader's daily summary of yesterday and of what is open now.
pub(super) async fn daily(db: &Db, settings: &Settings, now: i64) -> CoreResult<Vec<Act>> {
    let Some(day) = due_day(settings, now)? else {
        return Ok(Vec::new());
    };
    let leaders = sqlx::query("SELECT DISTINCT leader_user_id FROM grids WHERE leader_user_id IS NOT NULL")
        .fetch_all(db.pool())
        .await?;
    let age = settings.escalation.claim_overdue_after.as_millis_i64();
    let mut acts = Vec::new();
    for leader in leaders.iter().map(|r| r.get::<i64, _>(0)) {
        let key = format!("digest:{leader}:{}", day.today);
        let done = sqlx::query("SELECT 1 FROM notifications WHERE dedupe_key = $1")
            .bind(&key)
            .fetch_optional(db.pool())
            .await?;
        if done.is_some() {
            continue;
        }
        let [new, open, overdue, escalated, closed, rating_sum, rated] =
            grid_totals(db, leader, day.yesterday, now - age, now).await?;
        let (attention, wishes) = digest_lists::needing(db, settings, leader, now).await?;
        if new + open + overdue + escalated + closed + attention == 0 {
            continue;
        }
        let average = (rated > 0).then(|| (rating_sum as f64 / rated as f64 * 10.0).round() / 10.0);
        let payload = json!({
            "date": day.today.to_string(), "new": new, "open": open, "overdue": overdue,
            "escalated": escalated, "closed": closed, "average_rating": average,
            "attention": attention, "wishes": wishes, "more": attention - wishes.len() as i64,
            "link": crate::links::console_queue(settings),
        });
        acts.push(digest(NotificationKind::Digest, leader, payload, key));
    }
    Ok(acts)
}

/// New, open, overdue, escalated and closed wishes of the grids `leader` runs, with the sum and
/// count of yesterday's ratings.
async fn grid_totals(
    db: &Db,
    leader: i64,
    (from, to): (i64, i64),
    claimed_before: i64,
    now: i64,
) -> CoreResult<[i64; 7]> {
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
    .bind(claimed_before)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut totals = [0i64; 7];
    for row in &stats {
        for (i, total) in totals.iter_mut().enumerate() {
            *total += row.get::<i64, _>(i);
        }
    }
    Ok(totals)
}

/// Volunteers who opted in get the open wishes of their grid on Monday mornings.
pub(super) async fn weekly(db: &Db, settings: &Settings, now: i64) -> CoreResult<Vec<Act>> {
    let Some(day) = due_day(settings, now)?.filter(|d| d.today.weekday() == Weekday::Monday) else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(
        "SELECT u.id, u.grid_id, (SELECT COUNT(*) FROM wishes w WHERE w.grid_id = u.grid_id AND w.status = 'open' \
           AND w.project_id IS NULL) \
         FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' \
         WHERE u.weekly_digest = 1 AND u.grid_id IS NOT NULL",
    )
    .fetch_all(db.pool())
    .await?;
    let mut acts = Vec::new();
    for r in rows {
        let (user, grid, open): (i64, i64, i64) = (r.get(0), r.get(1), r.get(2));
        if open > 0 {
            let wishes = digest_lists::open_in(db, settings, grid).await?;
            let link = crate::links::miniprogram(settings, "pages/wish/list", &format!("status=open&grid_id={grid}"));
            let payload = json!({ "open": open, "grid_id": grid, "week_of": day.today.to_string(),
                "wishes": wishes, "more": open - wishes.len() as i64, "link": link });
            acts.push(digest(
                NotificationKind::WeeklyDigest,
                user,
                payload,
                format!("weekly:{user}:{}", day.today),
            ));
        }
    }
    Ok(acts)
}
