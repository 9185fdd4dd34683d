//! Ranges in the settings: what would spin a loop, overflow epoch-millisecond arithmetic or
//! exhaust memory is refused at start, naming its key.

use std::time::Duration;

use super::{ConfigError, Settings};

impl Settings {
    /// Ranges: a zero interval would spin a loop, a zero lease would hand every batch to the next
    /// worker, and absurd values overflow arithmetic on epoch milliseconds or exhaust memory.
    pub(super) fn validate_bounds(&self) -> Result<(), ConfigError> {
        const MS: Duration = Duration::from_millis(1);
        const SECOND: Duration = Duration::from_secs(1);
        const MINUTE: Duration = Duration::from_secs(60);
        const HOUR: Duration = Duration::from_secs(3600);
        const DAY: Duration = Duration::from_secs(86_400);
        let (n, e, w) = (&self.notifier, &self.escalation, &self.wishes);
        within(10 * MS, HOUR, &[("notifier.poll_interval", n.poll_interval.0)])?;
        within(10 * MS, DAY, &[("escalation.scan_interval", e.scan_interval.0)])?;
        within(SECOND, DAY, &[("notifier.lease", n.lease.0)])?;
        within(MS, DAY, &[("notifier.retry_base", n.retry_base.0)])?;
        within(MS, 7 * DAY, &[("notifier.retry_cap", n.retry_cap.0)])?;
        within(MINUTE, 366 * DAY, &[("auth.session_ttl", self.auth.session_ttl.0)])?;
        within(Duration::ZERO, MINUTE, &[("server.cache_ttl", self.server.cache_ttl.0)])?;
        within(
            MINUTE,
            DAY,
            &[("events.max_credit_per_day", self.events.max_credit_per_day.0)],
        )?;
        within(
            Duration::ZERO,
            366 * DAY,
            &[
                ("wishes.contact_visible_after_close", w.contact_visible_after_close.0),
                ("wishes.repeat_offer_window", w.repeat_offer_window.0),
            ],
        )?;
        within(
            SECOND,
            366 * DAY,
            &[
                ("escalation.unclaimed_after", e.unclaimed_after.0),
                ("escalation.escalate_after", e.escalate_after.0),
                ("escalation.claim_overdue_after", e.claim_overdue_after.0),
                ("escalation.overdue_escalate_after", e.overdue_escalate_after.0),
                ("escalation.confirm_reminder_after", e.confirm_reminder_after.0),
                ("escalation.callback_within", e.callback_within.0),
                ("wishes.auto_close_after", w.auto_close_after.0),
            ],
        )?;
        let slas: Vec<_> = e
            .category_sla
            .values()
            .map(|d| ("escalation.category_sla", d.0))
            .collect();
        within(SECOND, 366 * DAY, &slas)?;
        if n.retry_base.0 > n.retry_cap.0 {
            return Err(ConfigError {
                key: "notifier.retry_base",
                message: "must not exceed notifier.retry_cap".into(),
            });
        }
        let counts: [(&'static str, u64, u64); 6] = [
            ("server.body_limit_bytes", self.server.body_limit_bytes as u64, 64 << 20),
            (
                "database.max_connections",
                u64::from(self.database.max_connections),
                1000,
            ),
            ("notifier.batch_size", u64::from(n.batch_size), 10_000),
            ("notifier.max_attempts", u64::from(n.max_attempts), 100),
            (
                "wishes.max_open_claims",
                u64::from(self.wishes.max_open_claims),
                1_000_000,
            ),
            (
                "events.confirmed_wish_minutes",
                u64::from(self.events.confirmed_wish_minutes),
                24 * 60,
            ),
        ];
        let l = &self.limits;
        let limits: [(&'static str, u32); 7] = [
            ("limits.per_ip_per_minute", l.per_ip_per_minute),
            ("limits.per_user_per_minute", l.per_user_per_minute),
            ("limits.sign_in_per_ip_per_minute", l.sign_in_per_ip_per_minute),
            ("limits.wishes_per_user_per_hour", l.wishes_per_user_per_hour),
            (
                "limits.urgent_wishes_per_user_per_day",
                l.urgent_wishes_per_user_per_day,
            ),
            ("limits.invitations_per_user_per_hour", l.invitations_per_user_per_hour),
            ("limits.checkin_wrong_codes", l.checkin_wrong_codes),
        ];
        if let Some((key, _)) = limits.iter().find(|(_, v)| *v == 0 || *v > 1_000_000) {
            return Err(ConfigError {
                key,
                message: "must be between 1 and 1000000".into(),
            });
        }
        within(SECOND, DAY, &[("limits.checkin_lockout", l.checkin_lockout.0)])?;
        if let Some(bad) = self.server.trusted_proxies.iter().find(|t| !is_block(t)) {
            return Err(ConfigError {
                key: "server.trusted_proxies",
                message: format!("`{bad}` is not an address or a block like 10.0.0.0/8"),
            });
        }
        for (key, value, max) in counts {
            if value > max {
                return Err(ConfigError {
                    key,
                    message: format!("must be at most {max}"),
                });
            }
        }
        Ok(())
    }
}

/// Refuses the first of `values` outside `min..=max`, naming its key and the range.
fn within(min: Duration, max: Duration, values: &[(&'static str, Duration)]) -> Result<(), ConfigError> {
    match values.iter().find(|(_, v)| *v < min || *v > max) {
        Some(&(key, _)) => Err(ConfigError {
            key,
            message: format!("must be between {} and {}", show(min), show(max)),
        }),
        None => Ok(()),
    }
}

/// Whether `text` is an IP address or a CIDR block.
fn is_block(text: &str) -> bool {
    let (addr, bits) = text.split_once('/').unwrap_or((text, ""));
    match addr.parse::<std::net::IpAddr>() {
        Ok(ip) => {
            bits.is_empty()
                || bits
                    .parse::<u32>()
                    .is_ok_and(|b| b <= if ip.is_ipv4() { 32 } else { 128 })
        }
        Err(_) => false,
    }
}

/// A bound as it is written in the configuration.
fn show(d: Duration) -> String {
    let ms = d.as_millis();
    match ms {
        0 => "0s".into(),
        _ if ms.is_multiple_of(86_400_000) => format!("{}d", ms / 86_400_000),
        _ if ms.is_multiple_of(3_600_000) => format!("{}h", ms / 3_600_000),
        _ if ms.is_multiple_of(60_000) => format!("{}m", ms / 60_000),
        _ if ms.is_multiple_of(1000) => format!("{}s", ms / 1000),
        _ => format!("{ms}ms"),
    }
}
