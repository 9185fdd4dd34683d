//! A member's yearly service target, pure: the calendar year in the community's time zone, the
//! share of it gone, and whether what was served so far is on track — every target that is on
//! (hours, services) met pro rata for the part of the year gone. No database, no clock.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::config::Target;
use crate::error::{CoreError, CoreResult};

/// The calendar year `at` falls in, in `tz`.
pub fn year_of(tz: &TimeZone, at: i64) -> i16 {
    jiff::Timestamp::from_millisecond(at)
        .map(|t| t.to_zoned(tz.clone()).year())
        .unwrap_or(1970)
}

/// Where `year` begins and the next begins in `tz`, epoch ms.
pub fn year_bounds(tz: &TimeZone, year: i16) -> CoreResult<(i64, i64)> {
    let start = |y: i16| -> CoreResult<i64> {
        let date = Date::new(y, 1, 1).map_err(|_| CoreError::invalid("invalid_field", "year: out of range"))?;
        let zoned = date
            .to_zoned(tz.clone())
            .map_err(|_| CoreError::invalid("invalid_field", "year: out of range"))?;
        Ok(zoned.timestamp().as_millisecond())
    };
    Ok((start(year)?, start(year + 1)?))
}

/// Reads a `?year=` for a report at `now`: this year when absent; 2000 up to this year.
pub fn parse_year(tz: &TimeZone, year: Option<i64>, now: i64) -> CoreResult<i16> {
    let this = year_of(tz, now);
    match year {
        None => Ok(this),
        Some(y) if (2000..=i64::from(this)).contains(&y) => Ok(y as i16),
        Some(_) => Err(CoreError::invalid("invalid_field", format!("year: 2000 to {this}"))),
    }
}

/// How much of `[start, end)` has gone by at `at`, from 0 to 1.
pub fn share_gone(start: i64, end: i64, at: i64) -> f64 {
    if end <= start {
        return 1.0;
    }
    ((at - start) as f64 / (end - start) as f64).clamp(0.0, 1.0)
}

/// What a member should have served by now: the target times the share of the year gone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expected {
    /// Hours.
    pub hours: f64,
    /// Services.
    pub services: f64,
}

/// The target pro rata for `share` of the year.
pub fn expected(target: Target, share: f64) -> Expected {
    Expected {
        hours: f64::from(target.hours) * share,
        services: f64::from(target.services) * share,
    }
}

/// Whether `minutes` and `services` so far meet every target that is on, pro rata for `share`
/// of the year gone. No target at all is always on track.
pub fn on_track(target: Target, minutes: i64, services: i64, share: f64) -> bool {
    let due = expected(target, share);
    let hours_ok = target.hours == 0 || minutes as f64 / 60.0 + 1e-9 >= due.hours;
    let services_ok = target.services == 0 || services as f64 + 1e-9 >= due.services;
    hours_ok && services_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Target = Target {
        hours: 24,
        services: 12,
    };

    #[test]
    fn on_track_means_every_target_pro_rata() {
        assert!(on_track(T, 12 * 60, 6, 0.5), "exactly half way at mid-year");
        assert!(!on_track(T, 12 * 60 - 1, 6, 0.5), "a minute short");
        assert!(!on_track(T, 20 * 60, 5, 0.5), "hours ahead do not make up for services");
        assert!(on_track(T, 0, 0, 0.0), "nothing is due on New Year's day");
        assert!(!on_track(T, 24 * 60, 11, 1.0), "the year is over: the whole target");
        assert!(on_track(T, 24 * 60, 12, 1.0));
    }

    #[test]
    fn a_target_that_is_off_is_never_behind() {
        let hours_only = Target { hours: 10, services: 0 };
        assert!(on_track(hours_only, 5 * 60, 0, 0.5));
        assert!(!on_track(hours_only, 4 * 60, 99, 0.5));
        assert!(on_track(Target { hours: 0, services: 0 }, 0, 0, 1.0));
    }

    #[test]
    fn years_are_local_and_shares_bounded() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let (start, end) = year_bounds(&tz, 2026).unwrap();
        // 2026-01-01T00:00+08:00 is 2025-12-31T16:00Z.
        assert_eq!(start, 1_767_196_800_000);
        assert_eq!(end - start, 365 * 86_400_000);
        assert_eq!(year_of(&tz, start), 2026);
        assert_eq!(year_of(&tz, start - 1), 2025);
        assert_eq!(share_gone(start, end, start - 5), 0.0);
        assert_eq!(share_gone(start, end, end + 5), 1.0);
        assert!((share_gone(start, end, start + (end - start) / 2) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn report_years_are_bounded_by_this_one() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let (start, _) = year_bounds(&tz, 2026).unwrap();
        assert_eq!(parse_year(&tz, None, start).unwrap(), 2026);
        assert_eq!(parse_year(&tz, Some(2025), start).unwrap(), 2025);
        assert!(parse_year(&tz, Some(2027), start).is_err());
        assert!(parse_year(&tz, Some(1999), start).is_err());
    }
}
