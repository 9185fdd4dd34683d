//! What serde cannot check in the settings — time zones, formats, ranges, URL schemes, references
//! between sections — checked once at start, each failure naming its key.

use std::time::Duration;

use super::{ConfigError, Settings, redact_url};

impl Settings {
    /// Checks what serde cannot: time zones, formats, ranges, URL schemes.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |key, message: String| Err(ConfigError { key, message });
        if self.server.bind.parse::<std::net::SocketAddr>().is_err() {
            return fail(
                "server.bind",
                format!("`{}` is not an address like 127.0.0.1:8080", self.server.bind),
            );
        }
        let probes = &self.notifier.metrics_bind;
        if !probes.is_empty() && probes.parse::<std::net::SocketAddr>().is_err() {
            return fail(
                "notifier.metrics_bind",
                format!("`{probes}` is not an address like 127.0.0.1:9465 (or \"\" for none)"),
            );
        }
        if self.server.body_limit_bytes < 1024 {
            return fail("server.body_limit_bytes", "must be at least 1024".into());
        }
        let url = &self.database.url;
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return fail(
                "database.url",
                format!("`{}` must start with sqlite: or postgres://", redact_url(url)),
            );
        }
        if self.database.max_connections == 0 {
            return fail("database.max_connections", "must be at least 1".into());
        }
        if jiff::tz::TimeZone::get(&self.community.timezone).is_err() {
            return fail(
                "community.timezone",
                format!("`{}` is not an IANA time zone", self.community.timezone),
            );
        }
        if crate::quiet_hours::QuietHours::parse(&self.notifier.quiet_hours).is_err() {
            return fail(
                "notifier.quiet_hours",
                format!("`{}` is not like 22:00-07:00", self.notifier.quiet_hours),
            );
        }
        for (key, base) in [
            ("wechat.api_base", &self.wechat.api_base),
            ("wecom.api_base", &self.wecom.api_base),
        ] {
            if !(base.starts_with("http://") || base.starts_with("https://")) {
                return fail(key, format!("`{base}` must be an http(s) URL"));
            }
        }
        if !["developer", "trial", "formal"].contains(&self.wechat.miniprogram_state.as_str()) {
            return fail("wechat.miniprogram_state", "must be developer, trial or formal".into());
        }
        let smtp = &self.email.smtp_url;
        if !(smtp.is_empty() || smtp.starts_with("smtp://") || smtp.starts_with("smtps://")) {
            return fail(
                "email.smtp_url",
                format!("`{}` must start with smtp:// or smtps://", redact_url(smtp)),
            );
        }
        if !smtp.is_empty() && !self.email.from.contains('@') {
            return fail(
                "email.from",
                "a sender mailbox is required when email.smtp_url is set".into(),
            );
        }
        if self.notifier.batch_size == 0 || self.notifier.max_attempts == 0 {
            return fail(
                "notifier.batch_size",
                "batch_size and max_attempts must be at least 1".into(),
            );
        }
        if crate::quiet_hours::minute_of_day(&self.escalation.digest_time).is_err() {
            return fail(
                "escalation.digest_time",
                format!("`{}` is not a time like 08:00", self.escalation.digest_time),
            );
        }
        if let Some(code) = self
            .escalation
            .category_sla
            .keys()
            .find(|k| !self.wishes.categories.iter().any(|c| &c.code == *k))
        {
            return fail(
                "escalation.category_sla",
                format!("`{code}` is not a configured category"),
            );
        }
        if self
            .events
            .reminder_offsets
            .iter()
            .any(|o| o.0.is_zero() || o.0 > Duration::from_secs(30 * 86_400))
        {
            return fail(
                "events.reminder_offsets",
                "each offset must be more than 0 and at most 30d".into(),
            );
        }
        self.validate_bounds()?;
        let console = &self.console;
        for (key, ttl) in [
            ("console.session_ttl", console.session_ttl),
            ("console.ticket_ttl", console.ticket_ttl),
            ("console.link_ttl", console.link_ttl),
        ] {
            if ttl.0 < Duration::from_secs(10) || ttl.0 > Duration::from_secs(90 * 86_400) {
                return fail(key, "must be at least 10s and at most 90d".into());
            }
        }
        if !["auto", "always", "never"].contains(&console.secure_cookies.as_str()) {
            return fail("console.secure_cookies", "must be auto, always or never".into());
        }
        let public = &console.public_url;
        if !(public.is_empty() || public.starts_with("http://") || public.starts_with("https://")) {
            return fail("console.public_url", format!("`{public}` must be an http(s) URL"));
        }
        self.register.validate()?;
        if self.wishes.max_open_claims == 0 {
            return fail("wishes.max_open_claims", "must be at least 1".into());
        }
        if self.wishes.categories.is_empty() {
            return fail("wishes.categories", "at least one category is required".into());
        }
        let mut codes: Vec<&str> = self.wishes.categories.iter().map(|c| c.code.as_str()).collect();
        codes.sort_unstable();
        if codes.windows(2).any(|w| w[0] == w[1]) || codes.iter().any(|c| c.is_empty()) {
            return fail(
                "wishes.categories",
                "category codes must be non-empty and unique".into(),
            );
        }
        Ok(())
    }

    /// Ranges: a zero interval would spin a loop, a zero lease would hand every batch to the next
    /// worker, and absurd values overflow arithmetic on epoch milliseconds or exhaust memory.
    fn validate_bounds(&self) -> Result<(), ConfigError> {
        const MS: Duration = Duration::from_millis(1);
        const SECOND: Duration = Duration::from_secs(1);
        const MINUTE: Duration = Duration::from_secs(60);
        const HOUR: Duration = Duration::from_secs(3600);
        const DAY: Duration = Duration::from_secs(86_400);
        let n = &self.notifier;
        let durations = [
            ("notifier.poll_interval", n.poll_interval.0, 10 * MS, HOUR),
            ("notifier.lease", n.lease.0, SECOND, DAY),
            ("notifier.retry_base", n.retry_base.0, MS, DAY),
            ("notifier.retry_cap", n.retry_cap.0, MS, 7 * DAY),
            (
                "escalation.scan_interval",
                self.escalation.scan_interval.0,
                10 * MS,
                DAY,
            ),
            ("auth.session_ttl", self.auth.session_ttl.0, MINUTE, 366 * DAY),
            (
                "escalation.unclaimed_after",
                self.escalation.unclaimed_after.0,
                SECOND,
                366 * DAY,
            ),
            (
                "escalation.escalate_after",
                self.escalation.escalate_after.0,
                SECOND,
                366 * DAY,
            ),
            (
                "escalation.claim_overdue_after",
                self.escalation.claim_overdue_after.0,
                SECOND,
                366 * DAY,
            ),
            (
                "escalation.overdue_escalate_after",
                self.escalation.overdue_escalate_after.0,
                SECOND,
                366 * DAY,
            ),
            (
                "escalation.confirm_reminder_after",
                self.escalation.confirm_reminder_after.0,
                SECOND,
                366 * DAY,
            ),
            (
                "escalation.callback_within",
                self.escalation.callback_within.0,
                SECOND,
                366 * DAY,
            ),
            (
                "events.max_credit_per_day",
                self.events.max_credit_per_day.0,
                MINUTE,
                DAY,
            ),
            (
                "wishes.auto_close_after",
                self.wishes.auto_close_after.0,
                SECOND,
                366 * DAY,
            ),
            (
                "wishes.contact_visible_after_close",
                self.wishes.contact_visible_after_close.0,
                Duration::ZERO,
                366 * DAY,
            ),
        ];
        for (key, value, min, max) in durations {
            if value < min || value > max {
                return Err(ConfigError {
                    key,
                    message: format!("must be between {} and {}", show(min), show(max)),
                });
            }
        }
        if self
            .escalation
            .category_sla
            .values()
            .any(|d| d.0 < SECOND || d.0 > 366 * DAY)
        {
            return Err(ConfigError {
                key: "escalation.category_sla",
                message: "each limit must be between 1s and 366d".into(),
            });
        }
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
        if l.checkin_lockout.0 < SECOND || l.checkin_lockout.0 > DAY {
            return Err(ConfigError {
                key: "limits.checkin_lockout",
                message: "must be between 1s and 1d".into(),
            });
        }
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
