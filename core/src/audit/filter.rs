//! What a reader of the audit log asks for — a kind (contact reveals, one action, or a family of
//! actions), an actor, a subject, a time range — and where the previous page ended. Parsed from
//! the text the API's query string and the console's form send, the same way for both.

use std::fmt;
use std::str::FromStr;

use super::{Action, SubjectFilter};
use crate::clock::parse_rfc3339;
use crate::error::{CoreError, CoreResult};

/// The kind name of a resident's contact details shown (reveals live in `contact_views`).
pub const CONTACT_VIEW: &str = "contact_view";
/// The kind name of a holding volunteer's name and phone shown to the resident's side ("who is
/// coming"; `volunteer_contact_views`).
pub const VOLUNTEER_CONTACT_VIEW: &str = "volunteer_contact_view";

/// Which entries to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Residents' contact details shown.
    ContactView,
    /// Volunteers' contact details shown to the resident's side.
    VolunteerContactView,
    /// One action.
    Action(Action),
    /// Every action of a family (`grid` for `grid.create`, `grid.update`, …).
    Family(&'static str),
}

impl FromStr for Kind {
    type Err = CoreError;

    fn from_str(text: &str) -> CoreResult<Kind> {
        match text {
            CONTACT_VIEW => return Ok(Kind::ContactView),
            VOLUNTEER_CONTACT_VIEW => return Ok(Kind::VolunteerContactView),
            _ => {}
        }
        if let Some(action) = Action::parse(text) {
            return Ok(Kind::Action(action));
        }
        Action::families()
            .into_iter()
            .find(|f| *f == text)
            .map(Kind::Family)
            .ok_or_else(|| {
                CoreError::invalid(
                    "invalid_field",
                    format!("kind: `{text}` is not contact_view, volunteer_contact_view, an action (grid.create) or a family (grid)"),
                )
            })
    }
}

/// Where a page ended: the last entry's time, source (2 the actions, 1 residents' reveals, 0
/// volunteers') and id. The order is newest first, then by source, then the higher id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub(super) at: i64,
    pub(super) source: i64,
    pub(super) id: i64,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.at, self.source, self.id)
    }
}

impl FromStr for Cursor {
    type Err = CoreError;

    fn from_str(text: &str) -> CoreResult<Cursor> {
        let bad = || CoreError::invalid("invalid_cursor", "cursor: use next_cursor from the previous page");
        let mut parts = text.split('.').map(str::parse::<i64>);
        let mut next = || parts.next().and_then(Result::ok).ok_or_else(bad);
        let cursor = Cursor {
            at: next()?,
            source: next()?,
            id: next()?,
        };
        if parts.next().is_some() || !(0..=2).contains(&cursor.source) {
            return Err(bad());
        }
        Ok(cursor)
    }
}

/// A page of the log to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only what this user did (or saw).
    pub actor_id: Option<i64>,
    /// Only entries about this subject (a reveal's subject is the resident, `user:ID`, or its wish).
    pub subject: Option<SubjectFilter>,
    /// From this time on (epoch ms, inclusive).
    pub from: Option<i64>,
    /// Before this time (epoch ms, exclusive).
    pub to: Option<i64>,
    /// After this entry.
    pub cursor: Option<Cursor>,
    /// At most this many (1 to 500).
    pub limit: i64,
}

/// The filter as text, as a query string or a form carries it; empty fields mean "any".
#[derive(Debug, Clone, Default)]
pub struct FilterText<'a> {
    /// `contact_view`, an action or a family.
    pub kind: Option<&'a str>,
    /// A user id.
    pub actor_id: Option<i64>,
    /// `TYPE` or `TYPE:ID`.
    pub subject: Option<&'a str>,
    /// A date (`2026-12-01`, from its start in the community's zone) or an RFC 3339 time.
    pub from: Option<&'a str>,
    /// A date (through its end) or an RFC 3339 time (exclusive).
    pub to: Option<&'a str>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<&'a str>,
    /// 1 to 500; 100 when absent.
    pub limit: Option<i64>,
}

impl FilterText<'_> {
    /// The filter, or a 422 naming the field that is wrong. Dates are days in `tz`.
    pub fn parse(&self, tz: &jiff::tz::TimeZone) -> CoreResult<Filter> {
        let given = |t: Option<&str>| t.map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
        let limit = self.limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(CoreError::invalid("invalid_field", "limit: must be 1 to 500"));
        }
        let (from, to) = (
            given(self.from).map(|t| bound(&t, tz, "from", false)).transpose()?,
            given(self.to).map(|t| bound(&t, tz, "to", true)).transpose()?,
        );
        if let (Some(from), Some(to)) = (from, to)
            && from >= to
        {
            return Err(CoreError::invalid("invalid_field", "to: must be after from"));
        }
        Ok(Filter {
            kind: given(self.kind).map(|k| k.parse()).transpose()?,
            actor_id: self.actor_id,
            subject: given(self.subject).map(|s| SubjectFilter::parse(&s)).transpose()?,
            from,
            to,
            cursor: given(self.cursor).map(|c| c.parse()).transpose()?,
            limit,
        })
    }
}

/// A time bound: an RFC 3339 instant, or a local date — its start, or for an upper bound the start
/// of the next day (so `to=2026-12-01` includes all of that day).
fn bound(text: &str, tz: &jiff::tz::TimeZone, field: &str, upper: bool) -> CoreResult<i64> {
    if let Some(ms) = parse_rfc3339(text) {
        return Ok(ms);
    }
    let day = text.parse::<jiff::civil::Date>().ok();
    let day = if upper {
        day.and_then(|d| d.tomorrow().ok())
    } else {
        day
    };
    day.and_then(|d| d.to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp().as_millisecond())
        .ok_or_else(|| {
            CoreError::invalid(
                "invalid_field",
                format!("{field}: a date (2026-12-01) or an RFC 3339 time"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()
    }

    #[test]
    fn dates_are_local_days_and_the_upper_one_is_included() {
        let text = FilterText {
            from: Some("2026-12-01"),
            to: Some("2026-12-01"),
            ..Default::default()
        };
        let f = text.parse(&shanghai()).unwrap();
        assert_eq!(f.from, parse_rfc3339("2026-12-01T00:00:00+08:00"));
        assert_eq!(f.to, parse_rfc3339("2026-12-02T00:00:00+08:00"));
        let exact = FilterText {
            to: Some("2026-12-01T10:00:00Z"),
            ..Default::default()
        };
        assert_eq!(
            exact.parse(&shanghai()).unwrap().to,
            parse_rfc3339("2026-12-01T10:00:00Z")
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let tz = shanghai();
        let wrong = |t: FilterText| match t.parse(&tz) {
            Err(CoreError::Invalid { message, .. }) => message.split(':').next().unwrap().to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            wrong(FilterText {
                kind: Some("grid.fly"),
                ..Default::default()
            }),
            "kind"
        );
        assert_eq!(
            wrong(FilterText {
                subject: Some("user:me"),
                ..Default::default()
            }),
            "subject"
        );
        assert_eq!(
            wrong(FilterText {
                from: Some("yesterday"),
                ..Default::default()
            }),
            "from"
        );
        assert_eq!(
            wrong(FilterText {
                cursor: Some("1.3.3"),
                ..Default::default()
            }),
            "cursor"
        );
        assert_eq!(
            wrong(FilterText {
                limit: Some(0),
                ..Default::default()
            }),
            "limit"
        );
        let backwards = FilterText {
            from: Some("2026-12-02"),
            to: Some("2026-12-01"),
            ..Default::default()
        };
        assert_eq!(wrong(backwards), "to");
    }

    #[test]
    fn kinds_and_cursors_read_back() {
        assert_eq!("contact_view".parse::<Kind>().unwrap(), Kind::ContactView);
        assert_eq!("grid".parse::<Kind>().unwrap(), Kind::Family("grid"));
        assert_eq!("grid.create".parse::<Kind>().unwrap(), Kind::Action(Action::GridCreate));
        let c = Cursor {
            at: 17,
            source: 1,
            id: 4,
        };
        assert_eq!(c.to_string().parse::<Cursor>().unwrap(), c);
        assert!("17.1".parse::<Cursor>().is_err());
        assert!("17.1.4.5".parse::<Cursor>().is_err());
        assert!("17.3.4".parse::<Cursor>().is_err());
    }
}
