//! The period a supply–demand report covers: this calendar month, quarter or year of the
//! community (in its time zone), or the days from one date to another, both included.

use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::error::{CoreError, CoreResult};

/// The longest span of days a report may cover.
pub const MAX_DAYS: i64 = 3 * 366;

/// A half-open window of epoch milliseconds, `[from, to)`, with the dates it was asked as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first instant, epoch ms.
    pub from: i64,
    /// The first instant after it, epoch ms.
    pub to: i64,
    /// Its first day.
    pub first_day: Date,
    /// Its last day.
    pub last_day: Date,
}

fn bad(message: &'static str) -> CoreError {
    CoreError::invalid("invalid_field", message)
}

fn start(tz: &TimeZone, day: Date) -> CoreResult<i64> {
    let at = day
        .to_zoned(tz.clone())
        .map_err(|_| bad("from: not a day of the community's calendar"))?;
    Ok(at.timestamp().as_millisecond())
}

fn window(tz: &TimeZone, first_day: Date, last_day: Date) -> CoreResult<Window> {
    let after = last_day
        .checked_add(1.day())
        .map_err(|_| bad("to: too far in the future"))?;
    Ok(Window {
        from: start(tz, first_day)?,
        to: start(tz, after)?,
        first_day,
        last_day,
    })
}

/// The window of `period` (`month`, `quarter`, `year`: the calendar one containing `now`) or of
/// the dates `from` to `to` (YYYY-MM-DD, both included; `to` defaults to today). Absent both:
/// this month.
pub fn parse(period: Option<&str>, dates: (Option<&str>, Option<&str>), tz: &TimeZone, now: i64) -> CoreResult<Window> {
    let today = jiff::Timestamp::from_millisecond(now)
        .map_err(|_| bad("now: out of range"))?
        .to_zoned(tz.clone())
        .date();
    let date = |field: &'static str, text: &str| {
        text.parse::<Date>()
            .map_err(|_| CoreError::invalid("invalid_field", format!("{field}: a date like 2026-01-31")))
    };
    match (period, dates) {
        (Some(_), (Some(_), _) | (_, Some(_))) => Err(bad("period: give a period or from/to, not both")),
        (None, (Some(from), to)) => {
            let first = date("from", from)?;
            let last = to.map(|t| date("to", t)).transpose()?.unwrap_or(today);
            let days = first.until(last).map_err(|_| bad("to: out of range"))?.get_days();
            if last < first || i64::from(days) >= MAX_DAYS {
                return Err(bad("to: on or after from, and at most three years after it"));
            }
            window(tz, first, last)
        }
        (None, (None, Some(_))) => Err(bad("from: required with to")),
        (p, (None, None)) => {
            let first = match p.unwrap_or("month") {
                "month" => today.first_of_month(),
                "quarter" => Date::new(today.year(), (today.month() - 1) / 3 * 3 + 1, 1).map_err(|_| bad("period"))?,
                "year" => Date::new(today.year(), 1, 1).map_err(|_| bad("period"))?,
                _ => return Err(bad("period: month, quarter or year")),
            };
            let span = match p.unwrap_or("month") {
                "month" => 1.month(),
                "quarter" => 3.months(),
                _ => 1.year(),
            };
            let last = first
                .checked_add(span)
                .and_then(|d| d.checked_sub(1.day()))
                .map_err(|_| bad("period: out of range"))?;
            window(tz, first, last)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        crate::clock::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn periods_are_the_calendar_ones_of_the_community() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let now = at("2026-05-20T10:00:00+08:00");
        let month = parse(Some("month"), (None, None), &tz, now).unwrap();
        assert_eq!(
            (month.from, month.to),
            (at("2026-05-01T00:00:00+08:00"), at("2026-06-01T00:00:00+08:00"))
        );
        let quarter = parse(Some("quarter"), (None, None), &tz, now).unwrap();
        assert_eq!(
            (quarter.first_day.to_string(), quarter.last_day.to_string()),
            ("2026-04-01".into(), "2026-06-30".into())
        );
        let year = parse(Some("year"), (None, None), &tz, now).unwrap();
        assert_eq!(year.to, at("2027-01-01T00:00:00+08:00"));
        assert_eq!(parse(None, (None, None), &tz, now).unwrap(), month);
        let days = parse(None, (Some("2026-05-03"), Some("2026-05-04")), &tz, now).unwrap();
        assert_eq!(
            (days.from, days.to),
            (at("2026-05-03T00:00:00+08:00"), at("2026-05-05T00:00:00+08:00"))
        );
    }

    #[test]
    fn bad_periods_are_refused() {
        let tz = TimeZone::UTC;
        for (period, from, to) in [
            (Some("week"), None, None),
            (Some("month"), Some("2026-01-01"), None),
            (None, Some("2026-02-01"), Some("2026-01-01")),
            (None, Some("yesterday"), None),
            (None, None, Some("2026-01-01")),
            (None, Some("2020-01-01"), Some("2026-01-01")),
        ] {
            assert!(parse(period, (from, to), &tz, 0).is_err(), "{period:?} {from:?} {to:?}");
        }
    }
}
