//! A recurring wish's rule (a weekly medicine run): how often, until when, and the date of each
//! occurrence. Pure: the series' store (`series`) and the scheduler ask it.
//!
//! Dates count from the first occurrence's `due_at` (the anchor) in the community's time zone:
//! occurrence `k` is due `k - 1` periods after it. Counting from the anchor, not from the last
//! date, keeps a monthly wish on its day (Jan 31, Feb 28, Mar 31 — not Mar 28) and lets an edit of
//! one occurrence's date move that occurrence only.

use std::fmt;
use std::str::FromStr;

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use crate::error::{CoreError, CoreResult};

/// The furthest a rule's end may lie after its first date: three years. Past that a repeat is a
/// standing arrangement to review, not a wish.
pub const MAX_UNTIL_MS: i64 = 3 * 366 * 86_400_000;

/// How often a wish repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// Every 7 days.
    Week,
    /// Every 14 days.
    TwoWeeks,
    /// On the same day of every month (the month's last day when it is shorter).
    Month,
}

impl Every {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Every::Week => "week",
            Every::TwoWeeks => "2weeks",
            Every::Month => "month",
        }
    }

    /// `n` periods, as a calendar span.
    fn times(self, n: i64) -> Option<Span> {
        match self {
            Every::Week => Span::new().try_days(n.checked_mul(7)?).ok(),
            Every::TwoWeeks => Span::new().try_days(n.checked_mul(14)?).ok(),
            Every::Month => Span::new().try_months(n).ok(),
        }
    }
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Every {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "week" => Ok(Every::Week),
            "2weeks" => Ok(Every::TwoWeeks),
            "month" => Ok(Every::Month),
            _ => Err(CoreError::invalid(
                "invalid_field",
                "repeat: every must be week, 2weeks or month",
            )),
        }
    }
}

/// A validated repeat rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepeatRule {
    /// How often.
    pub every: Every,
    /// No occurrence is due after this (epoch ms); none: until stopped.
    pub until: Option<i64>,
}

impl RepeatRule {
    /// Reads a rule for a wish first due at `first_due`: a repeat needs that date (its
    /// occurrences count from it), and an end after it, at most [`MAX_UNTIL_MS`] later.
    pub fn parse(every: &str, until: Option<i64>, first_due: Option<i64>) -> CoreResult<Self> {
        let every = every.parse()?;
        let Some(first) = first_due else {
            return Err(CoreError::invalid(
                "invalid_field",
                "repeat: needs due_at, the first occurrence's date",
            ));
        };
        match until {
            Some(u) if u <= first => Err(CoreError::invalid(
                "invalid_field",
                "repeat: until must be after due_at",
            )),
            Some(u) if u - first > MAX_UNTIL_MS => Err(CoreError::invalid(
                "invalid_field",
                "repeat: until may be at most three years after due_at",
            )),
            _ => Ok(Self { every, until }),
        }
    }

    /// The rule as stored (`repeat_every`, `repeat_until`); `None` when there is none or it does
    /// not read (a row is never refused for it: it just does not repeat).
    pub fn from_columns(every: Option<String>, until: Option<i64>) -> Option<Self> {
        let every = every?.parse().ok()?;
        Some(Self { every, until })
    }

    /// When occurrence `occurrence` (1 = the first) is due, for a series anchored at `anchor`;
    /// `None` past the rule's end (or out of range).
    pub fn due_of(&self, anchor: i64, occurrence: i64, tz: &TimeZone) -> Option<i64> {
        let span = self.every.times(occurrence.checked_sub(1).filter(|n| *n >= 0)?)?;
        let start = Timestamp::from_millisecond(anchor).ok()?.to_zoned(tz.clone());
        let due = start.checked_add(span).ok()?.timestamp().as_millisecond();
        self.until.is_none_or(|until| due <= until).then_some(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{parse_rfc3339, rfc3339};

    fn at(text: &str) -> i64 {
        parse_rfc3339(text).expect(text)
    }

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    #[test]
    fn each_period_counts_from_the_first_date() {
        let tz = shanghai();
        let anchor = at("2026-01-05T09:00:00+08:00");
        let rule = |every| RepeatRule { every, until: None };
        let due = |r: RepeatRule, k| rfc3339(r.due_of(anchor, k, &tz).unwrap());
        assert_eq!(due(rule(Every::Week), 1), rfc3339(anchor));
        assert_eq!(due(rule(Every::Week), 2), rfc3339(at("2026-01-12T09:00:00+08:00")));
        assert_eq!(due(rule(Every::TwoWeeks), 3), rfc3339(at("2026-02-02T09:00:00+08:00")));
        assert_eq!(due(rule(Every::Month), 13), rfc3339(at("2027-01-05T09:00:00+08:00")));
        assert_eq!(rule(Every::Week).due_of(anchor, 0, &tz), None);
    }

    #[test]
    fn a_monthly_wish_keeps_its_day() {
        let tz = shanghai();
        let rule = RepeatRule {
            every: Every::Month,
            until: None,
        };
        let anchor = at("2026-01-31T10:00:00+08:00");
        let dates: Vec<String> = (1..=3).map(|k| rfc3339(rule.due_of(anchor, k, &tz).unwrap())).collect();
        let expected = [
            "2026-01-31T10:00:00+08:00",
            "2026-02-28T10:00:00+08:00",
            "2026-03-31T10:00:00+08:00",
        ];
        assert_eq!(dates, expected.map(|t| rfc3339(at(t))));
    }

    #[test]
    fn no_occurrence_after_the_end() {
        let tz = shanghai();
        let anchor = at("2026-01-05T09:00:00+08:00");
        let rule = RepeatRule {
            every: Every::Week,
            until: Some(at("2026-01-19T09:00:00+08:00")),
        };
        assert!(rule.due_of(anchor, 3, &tz).is_some(), "the end itself is included");
        assert_eq!(rule.due_of(anchor, 4, &tz), None);
    }

    #[test]
    fn parsing_refuses_what_cannot_repeat() {
        let due = Some(at("2026-01-05T09:00:00+08:00"));
        let ok = RepeatRule::parse("2weeks", None, due).unwrap();
        assert_eq!((ok.every, ok.until), (Every::TwoWeeks, None));
        let refused = |every, until, first| {
            let err = RepeatRule::parse(every, until, first).unwrap_err();
            assert!(
                matches!(&err, CoreError::Invalid { code: "invalid_field", message } if message.starts_with("repeat:"))
            );
        };
        refused("daily", None, due);
        refused("Week", None, due);
        refused("week", None, None);
        refused("week", due, due);
        refused("week", Some(due.unwrap() + MAX_UNTIL_MS + 1), due);
        assert!(RepeatRule::parse("month", Some(due.unwrap() + MAX_UNTIL_MS), due).is_ok());
    }

    #[test]
    fn stored_columns_read_back() {
        let rule = RepeatRule::from_columns(Some("month".into()), Some(5)).unwrap();
        assert_eq!((rule.every.to_string(), rule.until), ("month".into(), Some(5)));
        assert_eq!(RepeatRule::from_columns(None, Some(5)), None);
        assert_eq!(RepeatRule::from_columns(Some("yearly".into()), None), None);
    }
}
