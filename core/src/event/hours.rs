//! The volunteer-hours ledger: append-only (the database refuses updates and deletes; an
//! organiser's correction is a new entry). Attendance is credited once the event is over, for the
//! time it ran, capped per day (`events.max_credit_per_day`); a fulfilled wish that closed —
//! confirmed by its resident or closed automatically after the confirmation window — credits
//! `events.confirmed_wish_minutes` to its volunteer; a care visit credits `party.visit_minutes` to
//! its visitor. Each credit has a unique key, so crediting twice credits once.

use sqlx::{AnyConnection, Row};

use crate::error::{CoreError, CoreResult};

/// One credit to record.
#[derive(Debug, Clone)]
pub struct Credit {
    /// Who earns it.
    pub user_id: i64,
    /// Minutes.
    pub minutes: i64,
    /// `event`, `wish`, `visit` or `correction`.
    pub source: &'static str,
    /// The event attended.
    pub event_id: Option<i64>,
    /// The wish fulfilled.
    pub wish_id: Option<i64>,
    /// The care visit made.
    pub visit_id: Option<i64>,
    /// What makes it unique, e.g. `event:7:42`.
    pub unique_key: String,
}

/// Records a credit unless one with its key exists; returns whether it was new.
pub async fn credit(conn: &mut AnyConnection, c: &Credit, now: i64) -> CoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO volunteer_hours (user_id, minutes, source, event_id, wish_id, visit_id, unique_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind(c.user_id)
    .bind(c.minutes)
    .bind(c.source)
    .bind(c.event_id)
    .bind(c.wish_id)
    .bind(c.visit_id)
    .bind(&c.unique_key)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

const DAY_MS: i64 = 86_400_000;

/// What attending an event that ran from `starts_at` to `ran_until` is worth, in minutes: the
/// time it ran, but at most `cap_per_day_ms` for each day (24 h from the start) it ran.
pub fn event_minutes(starts_at: i64, ran_until: i64, cap_per_day_ms: i64) -> i64 {
    let ran = (ran_until - starts_at).max(0);
    let per_day = cap_per_day_ms.clamp(0, DAY_MS);
    ((ran / DAY_MS) * per_day + (ran % DAY_MS).min(per_day)) / 60_000
}

/// The attendance credit's unique key: one per event and person.
pub(crate) fn event_key(event_id: i64, user_id: i64) -> String {
    format!("event:{event_id}:{user_id}")
}

/// Credits everyone who checked in at an event that is over (ended, or cancelled after it
/// began: then for the time until the cancellation) in the last 30 days and has no credit for
/// it yet; returns how many were credited. Run by the scheduler, so nothing is credited before
/// the event has run: checking in early to a long event earns nothing at once.
pub async fn credit_ended_events(conn: &mut AnyConnection, cap_per_day_ms: i64, now: i64) -> CoreResult<u64> {
    let rows = sqlx::query(
        "SELECT a.event_id, a.user_id, e.starts_at, \
         CASE WHEN e.status = 'cancelled' AND e.updated_at < e.ends_at THEN e.updated_at ELSE e.ends_at END AS ran_until \
         FROM event_attendance a JOIN events e ON e.id = a.event_id \
         WHERE e.ends_at >= $2 AND (e.ends_at <= $1 OR (e.status = 'cancelled' AND e.updated_at > e.starts_at)) \
         AND NOT EXISTS (SELECT 1 FROM volunteer_hours h WHERE h.event_id = a.event_id AND h.user_id = a.user_id \
         AND h.source = 'event') ORDER BY a.event_id, a.user_id",
    )
    .bind(now)
    .bind(now - 30 * DAY_MS)
    .fetch_all(&mut *conn)
    .await?;
    let mut credited = 0;
    for row in &rows {
        let (event_id, user_id, starts_at, ran_until): (i64, i64, i64, i64) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        let minutes = event_minutes(starts_at, ran_until, cap_per_day_ms);
        if minutes == 0 {
            continue;
        }
        let c = Credit {
            user_id,
            minutes,
            source: "event",
            event_id: Some(event_id),
            wish_id: None,
            visit_id: None,
            unique_key: event_key(event_id, user_id),
        };
        credited += u64::from(credit(conn, &c, now).await?);
    }
    Ok(credited)
}

/// Credits the volunteers of fulfilled wishes that closed in the last 30 days — confirmed by the
/// resident or closed automatically when nobody confirmed — and have no credit yet (each holder
/// of a wish for several volunteers); returns how many were credited. Run by the scheduler. A
/// closed wish with a volunteer was fulfilled by them: a project's delivery closes only wishes
/// nobody holds.
pub async fn credit_closed_wishes(conn: &mut AnyConnection, minutes: i64, now: i64) -> CoreResult<u64> {
    // The one volunteer of an ordinary wish, and each holder of a wish for several volunteers.
    // (SQLite wants a WHERE before an upsert's ON CONFLICT after a SELECT: `WHERE 1 = 1`.)
    let done = sqlx::query(
        "INSERT INTO volunteer_hours (user_id, minutes, source, event_id, wish_id, unique_key, created_at) \
         SELECT due.volunteer, $1, 'wish', NULL, due.wish, due.k, $2 FROM ( \
           SELECT w.volunteer_id AS volunteer, w.id AS wish, 'wish:' || CAST(w.id AS TEXT) AS k FROM wishes w \
           WHERE w.status = 'closed' AND w.volunteer_id IS NOT NULL AND w.closed_at >= $3 \
           AND NOT EXISTS (SELECT 1 FROM volunteer_hours h WHERE h.wish_id = w.id) \
           UNION ALL \
           SELECT x.volunteer_id, w.id, 'wish:' || CAST(w.id AS TEXT) || ':' || CAST(x.volunteer_id AS TEXT) \
           FROM wishes w JOIN wish_holders x ON x.wish_id = w.id \
           WHERE w.status = 'closed' AND w.slots > 1 AND w.closed_at >= $3 \
           AND NOT EXISTS (SELECT 1 FROM volunteer_hours h WHERE h.wish_id = w.id AND h.user_id = x.volunteer_id) \
         ) due WHERE 1 = 1 ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind(minutes)
    .bind(now)
    .bind(now - 30 * 86_400_000)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Id.
    pub id: i64,
    /// Minutes (negative for a correction downwards).
    pub minutes: i64,
    /// `event`, `wish`, `visit` or `correction`.
    pub source: String,
    /// The event.
    pub event_id: Option<i64>,
    /// The wish.
    pub wish_id: Option<i64>,
    /// The care visit.
    pub visit_id: Option<i64>,
    /// When, epoch ms.
    pub created_at: i64,
}

/// A person's entries, newest first, and their total.
pub async fn of_user(conn: &mut AnyConnection, user_id: i64) -> CoreResult<(i64, Vec<Entry>)> {
    let rows = sqlx::query(
        "SELECT id, minutes, source, event_id, wish_id, visit_id, created_at FROM volunteer_hours WHERE user_id = $1 \
         ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let entries: Vec<Entry> = rows
        .iter()
        .map(|r| Entry {
            id: r.get("id"),
            minutes: r.get("minutes"),
            source: r.get("source"),
            event_id: r.get("event_id"),
            wish_id: r.get("wish_id"),
            visit_id: r.get("visit_id"),
            created_at: r.get("created_at"),
        })
        .collect();
    Ok((entries.iter().map(|e| e.minutes).sum(), entries))
}

/// The ranking's period: the current calendar month or year in the community's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// This month.
    Month,
    /// This year.
    Year,
}

impl Period {
    /// Reads `month` or `year`.
    pub fn parse(s: &str) -> CoreResult<Self> {
        match s {
            "month" => Ok(Self::Month),
            "year" => Ok(Self::Year),
            _ => Err(CoreError::invalid("invalid_field", "period: month or year")),
        }
    }

    /// Where the current period began, epoch ms.
    pub fn start(self, tz: &jiff::tz::TimeZone, now: i64) -> i64 {
        let Ok(ts) = jiff::Timestamp::from_millisecond(now) else {
            return 0;
        };
        let today = ts.to_zoned(tz.clone()).date();
        let first = match self {
            Self::Month => today.first_of_month(),
            Self::Year => today.first_of_year(),
        };
        first
            .to_zoned(tz.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    }
}

/// One line of a grid's ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// The person.
    pub user_id: i64,
    /// Their display name.
    pub display_name: String,
    /// Minutes in the period.
    pub minutes: i64,
}

/// The people of a grid by minutes credited since `since`, most first (top 100).
pub async fn ranking(conn: &mut AnyConnection, grid_id: i64, since: i64) -> CoreResult<Vec<Ranked>> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, CAST(SUM(h.minutes) AS BIGINT) AS minutes FROM volunteer_hours h JOIN users u ON u.id = h.user_id \
         WHERE u.grid_id = $1 AND h.created_at >= $2 GROUP BY u.id, u.display_name HAVING SUM(h.minutes) > 0 \
         ORDER BY minutes DESC, u.id LIMIT 100",
    )
    .bind(grid_id)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ranked {
            user_id: r.get(0),
            display_name: r.get(1),
            minutes: r.get(2),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn events_credit_the_time_they_ran_capped_per_day() {
        let cap = 8 * H;
        assert_eq!(event_minutes(0, 2 * H, cap), 120);
        assert_eq!(event_minutes(0, 12 * H, cap), 480, "one day, capped");
        assert_eq!(
            event_minutes(0, 7 * 24 * H, cap),
            7 * 480,
            "a week is seven capped days"
        );
        assert_eq!(
            event_minutes(0, 24 * H + 30 * 60_000, cap),
            480 + 30,
            "the second day ran 30 minutes"
        );
        assert_eq!(event_minutes(5 * H, 4 * H, cap), 0, "cancelled before it began");
    }
}
