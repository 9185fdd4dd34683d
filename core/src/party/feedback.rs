//! Year-end feedback to a member's work unit (反馈评价): the community's comment on each party
//! member for a year, and the letter that carries it — what they served by source, their hours,
//! the ratings residents gave the wishes they fulfilled, their target and whether they met it.
//! The letter's words are the server's (a printable page); here are its facts.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::progress::{self, Progress};
use super::registration::{self, RegistrationStatus};
use crate::audit::{self, Action, Subject};
use crate::config::Settings;
use crate::console::export::cell;
use crate::error::{CoreError, CoreResult};
use crate::fields::Comment;
use crate::people::Caller;

/// Residents' ratings of the wishes a member fulfilled in a year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ratings {
    /// How many were rated.
    pub count: i64,
    /// Their mean, 1 to 5 (`None` when none was rated).
    pub average: Option<f64>,
}

/// The community's comment on a member for a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// The comment.
    pub comment: String,
    /// Who wrote it.
    pub written_by: i64,
    /// Last written.
    pub updated_at: i64,
}

/// Everything a year-end letter says about one member.
#[derive(Debug, Clone, PartialEq)]
pub struct Letter {
    /// Their year: membership, target, what they served.
    pub progress: Progress,
    /// Their work unit and its party organisation, from their approved 双报到 registration
    /// (community members have none).
    pub work_unit: Option<(String, String)>,
    /// Residents' ratings.
    pub ratings: Ratings,
    /// The community's comment, once written.
    pub feedback: Option<Feedback>,
}

/// Writes (or rewrites) the community's comment on party member `user_id` for `year`: admins
/// only, audited.
pub async fn write(
    conn: &mut AnyConnection,
    by: &Caller,
    user_id: i64,
    year: i16,
    comment: Comment,
    now: i64,
) -> CoreResult<Feedback> {
    if !by.is_admin() {
        return Err(CoreError::forbidden(
            "not_permitted",
            "year-end feedback is written by admins",
        ));
    }
    super::member::of_user(conn, user_id)
        .await?
        .ok_or(CoreError::NotFound("party membership"))?;
    sqlx::query(
        "INSERT INTO party_feedback (user_id, year, comment, written_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (user_id, year) DO UPDATE \
         SET comment = excluded.comment, written_by = excluded.written_by, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(i64::from(year))
    .bind(comment.as_str())
    .bind(by.user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let fact = Action::FeedbackWrite.on(Subject::User(user_id));
    audit::record(
        conn,
        Some(by),
        fact.with(json!({ "year": year, "comment": comment.as_str() })),
        now,
    )
    .await?;
    of(conn, user_id, year).await?.ok_or(CoreError::NotFound("feedback"))
}

/// The comment on `user_id` for `year`, if written.
pub async fn of(conn: &mut AnyConnection, user_id: i64, year: i16) -> CoreResult<Option<Feedback>> {
    let row =
        sqlx::query("SELECT comment, written_by, updated_at FROM party_feedback WHERE user_id = $1 AND year = $2")
            .bind(user_id)
            .bind(i64::from(year))
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|r| Feedback {
        comment: r.get(0),
        written_by: r.get(1),
        updated_at: r.get(2),
    }))
}

/// Residents' ratings of the wishes `user_id` was credited for over `span`.
async fn ratings(conn: &mut AnyConnection, user_id: i64, span: (i64, i64)) -> CoreResult<Ratings> {
    let row = sqlx::query(
        "SELECT CAST(COUNT(w.rating) AS BIGINT), CAST(SUM(w.rating) AS BIGINT) FROM volunteer_hours h \
         JOIN wishes w ON w.id = h.wish_id \
         WHERE h.user_id = $1 AND h.source = 'wish' AND h.created_at >= $2 AND h.created_at < $3",
    )
    .bind(user_id)
    .bind(span.0)
    .bind(span.1)
    .fetch_one(&mut *conn)
    .await?;
    let count: i64 = row.get(0);
    let sum: Option<i64> = row.get(1);
    Ok(Ratings {
        count,
        average: sum.filter(|_| count > 0).map(|s| s as f64 / count as f64),
    })
}

/// The letter on party member `user_id` for `year`, as of `now`.
pub async fn letter(
    conn: &mut AnyConnection,
    settings: &Settings,
    user_id: i64,
    year: i16,
    now: i64,
) -> CoreResult<Letter> {
    let progress = progress::of_year(conn, settings, user_id, year, now).await?;
    let span = super::target::year_bounds(&crate::insight::tz(settings), year)?;
    let work_unit = registration::latest_of(conn, user_id)
        .await?
        .filter(|r| r.status == RegistrationStatus::Approved)
        .map(|r| (r.work_unit, r.unit_branch));
    Ok(Letter {
        work_unit,
        ratings: ratings(conn, user_id, span).await?,
        feedback: of(conn, user_id, year).await?,
        progress,
    })
}

/// Every party member's letter for `year` (in-service members only when `in_service_only`),
/// by user id — the rows of the CSV a unit receives.
pub async fn letters(
    conn: &mut AnyConnection,
    settings: &Settings,
    year: i16,
    in_service_only: bool,
    now: i64,
) -> CoreResult<Vec<Letter>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT user_id FROM party_members WHERE ($1 = 0 OR category = 'in_service') ORDER BY user_id",
    )
    .bind(i64::from(in_service_only))
    .fetch_all(&mut *conn)
    .await?;
    let mut all = Vec::with_capacity(ids.len());
    for id in ids {
        all.push(letter(conn, settings, id, year, now).await?);
    }
    Ok(all)
}

fn csv_failed(e: impl std::fmt::Display) -> CoreError {
    CoreError::Storage(format!("feedback csv: {e}"))
}

/// The CSV a unit receives: one line a member (the rows of [`letters()`]), a BOM first so
/// spreadsheet programs read it as UTF-8.
pub fn csv(letters: &[Letter]) -> CoreResult<Vec<u8>> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let header = [
        "user_id",
        "name",
        "work_unit",
        "unit_branch",
        "branch",
        "category",
        "year",
        "hours",
        "services",
        "wishes",
        "wish_hours",
        "events",
        "event_hours",
        "visits",
        "visit_hours",
        "ratings",
        "rating_average",
        "target_hours",
        "target_services",
        "target_met",
        "comment",
    ];
    out.write_record(header).map_err(csv_failed)?;
    for l in letters {
        let p = &l.progress;
        let (unit, unit_branch) = l.work_unit.clone().unwrap_or_default();
        let s = &p.served;
        let met = super::target::on_track(p.target, s.minutes(), s.services(), 1.0);
        let record = [
            p.member.user_id.to_string(),
            cell(&p.member.display_name),
            cell(&unit),
            cell(&unit_branch),
            cell(&p.branch_name),
            p.member.category.to_string(),
            p.year.to_string(),
            crate::printable::hours(s.minutes()),
            s.services().to_string(),
            s.wishes.services.to_string(),
            crate::printable::hours(s.wishes.minutes),
            s.events.services.to_string(),
            crate::printable::hours(s.events.minutes),
            s.visits.services.to_string(),
            crate::printable::hours(s.visits.minutes),
            l.ratings.count.to_string(),
            l.ratings.average.map(|a| format!("{a:.2}")).unwrap_or_default(),
            p.target.hours.to_string(),
            p.target.services.to_string(),
            if met { "yes" } else { "no" }.to_string(),
            cell(&l.feedback.as_ref().map(|f| f.comment.clone()).unwrap_or_default()),
        ];
        out.write_record(record).map_err(csv_failed)?;
    }
    out.into_inner().map_err(csv_failed)
}
