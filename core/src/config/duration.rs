//! Durations in the settings, written like `90s`, `15m`, `2h`, `7d` or `500ms`.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// A duration written like `90s`, `15m`, `2h`, `7d` or `500ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigDuration(pub Duration);

impl ConfigDuration {
    /// The duration in milliseconds, as the store counts time.
    pub fn as_millis_i64(self) -> i64 {
        i64::try_from(self.0.as_millis()).unwrap_or(i64::MAX)
    }
}

impl<'de> Deserialize<'de> for ConfigDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_duration(&text)
            .map(ConfigDuration)
            .map_err(serde::de::Error::custom)
    }
}

/// Parses `90s`, `15m`, `2h`, `7d`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 90s, 15m, 2h or 7d"))?;
    let per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => {
            return Err(format!("`{text}` has an unknown unit (use ms, s, m, h or d)"));
        }
    };
    // Anything past a century is a typo, and beyond it epoch-millisecond arithmetic overflows.
    const CENTURY_MS: u64 = 100 * 366 * 86_400_000;
    match value.checked_mul(per_unit) {
        Some(ms) if ms <= CENTURY_MS => Ok(Duration::from_millis(ms)),
        _ => Err(format!("`{text}` is too long (at most 100 years)")),
    }
}
