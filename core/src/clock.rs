//! Time as a dependency: the system clock in production, a hand-moved clock in tests, so rules
//! that depend on waiting (expiry, escalation, auto-close) are tested without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Something that tells the current time in epoch milliseconds.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The clock the whole process shares.
pub type SharedClock = Arc<dyn Clock>;

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        jiff::Timestamp::now().as_millisecond()
    }
}

/// A clock that only moves when told to; starts at the real time of its creation.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A manual clock reading `now_ms`.
    pub fn at(now_ms: i64) -> Self {
        Self(AtomicI64::new(now_ms))
    }

    /// Moves the clock forward by `ms` milliseconds.
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// Sets the clock to `now_ms`.
    pub fn set_ms(&self, now_ms: i64) {
        self.0.store(now_ms, Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::at(SystemClock.now_ms())
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Formats epoch milliseconds as RFC 3339 in UTC (what the API speaks).
pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Parses an RFC 3339 timestamp into epoch milliseconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    // RFC 3339 offsets run to ±23:59; jiff would take ±25:59 too.
    let offset = text.get(text.len().checked_sub(6)?..)?;
    if let Some(hours) = offset.strip_prefix(['+', '-']).and_then(|o| o.get(..2))
        && hours.parse::<u8>().is_ok_and(|h| h > 23)
    {
        return None;
    }
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        let ms = parse_rfc3339("2026-11-27T15:01:00+08:00").unwrap();
        assert_eq!(rfc3339(ms), "2026-11-27T07:01:00Z");
        assert!(parse_rfc3339("yesterday").is_none());
        assert!(parse_rfc3339("2026-11-27T15:01:00+23:59").is_some());
        assert!(
            parse_rfc3339("2026-11-27T15:01:00+24:00").is_none(),
            "offset beyond ±23:59"
        );
        assert!(parse_rfc3339("2026-11-27T15:01:00-25:30").is_none());
        assert!(parse_rfc3339("2026-11-27T15:01:00Z").is_some());
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::at(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        clock.advance_ms(500);
        assert_eq!(clock.now_ms(), 1_500);
    }
}
