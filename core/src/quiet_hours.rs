//! Quiet hours (`22:00-07:00`) in the community's local time: when non-urgent messages wait.

/// A daily window of local time, possibly wrapping past midnight; `None` = no quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours(Option<(u16, u16)>);

impl QuietHours {
    /// Parses `HH:MM-HH:MM`; an empty string means no quiet hours.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Self(None));
        }
        let (start, end) = text.split_once('-').ok_or("expected HH:MM-HH:MM")?;
        let start = minute_of_day(start)?;
        let end = minute_of_day(end)?;
        if start == end {
            return Err("start and end are the same".into());
        }
        Ok(Self(Some((start, end))))
    }

    /// Whether `minute` (0..1440, local time) falls inside the window.
    pub fn contains(&self, minute: u16) -> bool {
        match self.0 {
            None => false,
            Some((start, end)) if start < end => (start..end).contains(&minute),
            Some((start, end)) => minute >= start || minute < end,
        }
    }

    /// The window as (start, end) minutes of the day, if any.
    pub fn window(&self) -> Option<(u16, u16)> {
        self.0
    }
}

/// Parses `HH:MM` into minutes after midnight.
pub fn minute_of_day(text: &str) -> Result<u16, String> {
    let (h, m) = text.trim().split_once(':').ok_or("expected HH:MM")?;
    let h: u16 = h.parse().map_err(|_| "hour is not a number")?;
    let m: u16 = m.parse().map_err(|_| "minute is not a number")?;
    if h > 23 || m > 59 {
        return Err("time out of range".into());
    }
    Ok(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_wrap_past_midnight() {
        let q = QuietHours::parse("22:00-07:00").unwrap();
        assert!(q.contains(22 * 60));
        assert!(q.contains(3 * 60));
        assert!(!q.contains(7 * 60));
        assert!(!q.contains(12 * 60));
    }

    #[test]
    fn empty_disables_and_garbage_fails() {
        assert!(!QuietHours::parse("").unwrap().contains(0));
        assert!(QuietHours::parse("25:00-07:00").is_err());
        assert!(QuietHours::parse("night").is_err());
        assert!(QuietHours::parse("07:00-07:00").is_err());
    }
}
