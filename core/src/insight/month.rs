//! A calendar month of the community (`YYYY-MM`) and where it begins and ends in its time zone.

use std::fmt;

use crate::error::{CoreError, CoreResult};

/// A month, e.g. 2026-11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i16,
    month: i8,
}

impl Month {
    /// Reads `YYYY-MM` (years 2000 to 2999).
    pub fn parse(text: &str) -> CoreResult<Self> {
        let bad = || CoreError::invalid("invalid_month", "month: YYYY-MM, e.g. 2026-11");
        let (y, m) = text.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i16 = y.parse().map_err(|_| bad())?;
        let month: i8 = m.parse().map_err(|_| bad())?;
        if !(2000..=2999).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }

    /// The month that contains `ms` in `tz`.
    pub fn containing(tz: &jiff::tz::TimeZone, ms: i64) -> Self {
        let date = jiff::Timestamp::from_millisecond(ms)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(tz.clone())
            .date();
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The month before.
    pub fn previous(self) -> Self {
        match self.month {
            1 => Self {
                year: self.year - 1,
                month: 12,
            },
            m => Self { month: m - 1, ..self },
        }
    }

    /// The month after.
    pub fn next(self) -> Self {
        match self.month {
            12 => Self {
                year: self.year + 1,
                month: 1,
            },
            m => Self { month: m + 1, ..self },
        }
    }

    /// Where the month begins in `tz`, epoch ms.
    pub fn start(self, tz: &jiff::tz::TimeZone) -> i64 {
        jiff::civil::date(self.year, self.month, 1)
            .to_zoned(tz.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    }

    /// `[start, end)` of the month in `tz`, epoch ms.
    pub fn range(self, tz: &jiff::tz::TimeZone) -> (i64, i64) {
        (self.start(tz), self.next().start(tz))
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::Month;

    #[test]
    fn parses_and_steps_over_the_year() {
        let jan = Month::parse("2026-01").unwrap();
        assert_eq!(jan.previous().to_string(), "2025-12");
        assert_eq!(jan.previous().next(), jan);
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", "", "1999-12", "2026-00"] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_month_is_bounded_by_local_midnights() {
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        let nov = Month::parse("2026-11").unwrap();
        let (start, end) = nov.range(&tz);
        // 2026-11-01T00:00+08:00 and 2026-12-01T00:00+08:00.
        assert_eq!(start, 1_793_462_400_000);
        assert_eq!(end - start, 30 * 86_400_000);
        assert_eq!(Month::containing(&tz, start), nov);
        assert_eq!(Month::containing(&tz, start - 1), nov.previous());
    }
}
