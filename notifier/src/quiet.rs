//! Quiet hours in the community's time zone: is it quiet now, and when does it end?

use jiff::Timestamp;
use jiff::tz::TimeZone;

use microwish_core::quiet_hours::QuietHours;

/// If `now_ms` falls in the quiet window, the end of that window (epoch ms); otherwise `None`.
pub fn quiet_until(quiet: &QuietHours, tz: &TimeZone, now_ms: i64) -> Option<i64> {
    let (_, end) = quiet.window()?;
    let now = Timestamp::from_millisecond(now_ms).ok()?.to_zoned(tz.clone());
    let minute = (now.hour() as u16) * 60 + now.minute() as u16;
    if !quiet.contains(minute) {
        return None;
    }
    let end_today = now
        .date()
        .at((end / 60) as i8, (end % 60) as i8, 0, 0)
        .to_zoned(tz.clone())
        .ok()?;
    let end = if end_today.timestamp() > now.timestamp() {
        end_today
    } else {
        end_today.tomorrow().ok()?
    };
    Some(end.timestamp().as_millisecond())
}

/// `YYYY-MM-DD HH:MM` in the community's time zone (what subscribe messages show).
pub fn local_time(tz: &TimeZone, now_ms: i64) -> String {
    Timestamp::from_millisecond(now_ms)
        .map(|t| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn quiet_windows_end_at_local_morning() {
        let q = QuietHours::parse("22:00-07:00").unwrap();
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        // 23:30 in Shanghai is 15:30 UTC; quiet until 07:00 Shanghai = 23:00 UTC.
        assert_eq!(
            quiet_until(&q, &tz, at("2026-11-27T15:30:00Z")),
            Some(at("2026-11-27T23:00:00Z"))
        );
        // 03:00 Shanghai (19:00 UTC the day before): same morning.
        assert_eq!(
            quiet_until(&q, &tz, at("2026-11-27T19:00:00Z")),
            Some(at("2026-11-27T23:00:00Z"))
        );
        // Noon is not quiet.
        assert_eq!(quiet_until(&q, &tz, at("2026-11-27T04:00:00Z")), None);
        // Another zone: 23:30 in New York.
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(
            quiet_until(&q, &ny, at("2026-11-28T04:30:00Z")),
            Some(at("2026-11-28T12:00:00Z"))
        );
        assert_eq!(
            quiet_until(&QuietHours::parse("").unwrap(), &tz, at("2026-11-27T15:30:00Z")),
            None
        );
    }

    #[test]
    fn local_time_is_formatted_for_templates() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        assert_eq!(local_time(&tz, at("2026-11-27T07:01:00Z")), "2026-11-27 15:01");
    }
}
