//! The mid-year reminder: on `party.midyear_reminder` (a local `MM-DD`; the scheduler catches up
//! for a week if it was down), each in-service member behind their pro-rated yearly target gets a
//! gentle note of what they served and what the target asks by now — once a year per member,
//! however many schedulers scan (the dedupe key is the member and the year).

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;

use super::member::Category;
use super::progress;
use super::target::{self, year_bounds};
use crate::config::Settings;
use crate::db::Db;
use crate::error::CoreResult;
use crate::notify::NotificationKind;
use crate::outbox::NewNotification;
use crate::schedule::Act;

/// How long after the reminder's day a scheduler that was down still sends it.
const CATCH_UP_DAYS: i64 = 7;

/// Whether `today` is the reminder's day of its year or within the week after it.
fn in_window(today: Date, (month, day): (i8, i8)) -> bool {
    let Ok(due) = Date::new(today.year(), month, day) else {
        return false;
    };
    let days = (today - due).get_days();
    today >= due && i64::from(days) < CATCH_UP_DAYS && (today - due).get_months() == 0
}

/// Hours with two decimals.
fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

/// The rule: reminders for in-service members behind on the reminder's day (or the week after).
pub async fn midyear(db: &Db, settings: &Settings, now: i64) -> CoreResult<Vec<Act>> {
    let Some(day) = settings.party.midyear_day() else {
        return Ok(Vec::new());
    };
    let tz = crate::insight::tz(settings);
    let Ok(today) = Timestamp::from_millisecond(now).map(|t| t.to_zoned(tz.clone()).date()) else {
        return Ok(Vec::new());
    };
    if !in_window(today, day) {
        return Ok(Vec::new());
    }
    let year = today.year();
    let span = year_bounds(&tz, year)?;
    let share = target::share_gone(span.0, span.1, now);
    let mut conn = db.pool().acquire().await?;
    let members = progress::of_members(&mut conn, span).await?;
    let mut acts = Vec::new();
    for m in members.iter().filter(|m| m.category == Category::InService) {
        let goal = settings.party.target(m.category.as_str());
        let (minutes, services) = (m.served.minutes(), m.served.services());
        if target::on_track(goal, minutes, services, share) {
            continue;
        }
        let expected = target::expected(goal, share);
        acts.push(Act::Send(NewNotification {
            kind: NotificationKind::PartyReminder,
            recipient_id: m.user_id,
            subject_type: "party",
            subject_id: m.user_id,
            urgent: false,
            payload: json!({ "year": year, "hours": hours(minutes), "services": services,
                "target_hours": goal.hours, "target_services": goal.services,
                "expected_hours": (expected.hours * 10.0).round() / 10.0,
                "expected_services": expected.services.ceil() as i64 }),
            dedupe_key: format!("party_reminder:{}:{year}", m.user_id),
        }));
    }
    Ok(acts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_the_day_and_the_week_after() {
        let d = |m, day| Date::new(2026, m, day).unwrap();
        assert!(!in_window(d(6, 30), (7, 1)));
        assert!(in_window(d(7, 1), (7, 1)));
        assert!(in_window(d(7, 7), (7, 1)));
        assert!(!in_window(d(7, 8), (7, 1)));
        assert!(!in_window(d(12, 31), (7, 1)));
        assert!(in_window(d(1, 3), (1, 1)));
    }
}
