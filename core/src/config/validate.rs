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
        self.cobuild.validate()?;
        self.party.validate()?;
        self.photos.validate()?;
        if self.wishes.max_open_claims == 0 {
            return fail("wishes.max_open_claims", "must be at least 1".into());
        }
        if !(1..=100).contains(&self.wishes.max_slots) {
            return fail("wishes.max_slots", "must be 1 to 100".into());
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
}
