//! Settings of one microwish installation, as read from `config/default.toml`, an optional file
//! and the environment (the loading itself lives in the binary). Validated once at start: a bad
//! value fails fast with a message naming its key. Secrets never appear in `Debug` output.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// Every section of the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// HTTP listener.
    pub server: ServerSettings,
    /// Database connection.
    pub database: DatabaseSettings,
    /// The community itself.
    pub community: CommunitySettings,
    /// Sessions.
    pub auth: AuthSettings,
    /// WeChat mini-program API.
    pub wechat: WechatSettings,
    /// WeCom group robots.
    pub wecom: WecomSettings,
    /// Email over SMTP.
    pub email: EmailSettings,
    /// The delivery worker.
    pub notifier: NotifierSettings,
    /// Wish rules.
    pub wishes: WishSettings,
    /// Escalation rules.
    pub escalation: EscalationSettings,
    /// Events: reminders and volunteer hours.
    pub events: EventSettings,
    /// Rate limits.
    pub limits: LimitSettings,
    /// The web console.
    pub console: ConsoleSettings,
    /// The population register, care and family.
    pub register: RegisterSettings,
}

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Listen address; port 0 picks a free port (logged).
    pub bind: String,
    /// Largest accepted request body in bytes.
    pub body_limit_bytes: usize,
    /// Proxies (addresses or CIDR blocks) whose `X-Forwarded-For` names the client; from anyone
    /// else the header is ignored.
    pub trusted_proxies: Vec<String>,
}

/// `[database]`
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://…` or `postgres://…`.
    #[serde(deserialize_with = "secret")]
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// `[community]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunitySettings {
    /// Shown in messages and the demo.
    pub name: String,
    /// IANA time zone for quiet hours, reminders and digests.
    pub timezone: String,
}

/// `[auth]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// How long a session token lives.
    pub session_ttl: ConfigDuration,
}

/// `[wechat]`
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatSettings {
    /// Base URL of the mini-program API.
    pub api_base: String,
    /// Mini-program app id.
    pub appid: String,
    /// Mini-program app secret (from the environment in production).
    #[serde(deserialize_with = "secret")]
    pub secret: String,
    /// Check wish text with msg_sec_check before accepting it.
    pub content_check: bool,
    /// `developer`, `trial` or `formal`: which build a subscribe message opens.
    pub miniprogram_state: String,
    /// Subscribe-message template ids per notification kind; empty skips WeChat for that kind.
    pub templates: WechatTemplates,
    /// Templates with long-term subscription (some public-service categories): no quota tracking.
    pub long_term_templates: Vec<String>,
}

impl fmt::Debug for WechatSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WechatSettings")
            .field("api_base", &self.api_base)
            .field("appid", &self.appid)
            .field("secret", &"<hidden>")
            .field("content_check", &self.content_check)
            .field("miniprogram_state", &self.miniprogram_state)
            .field("templates", &self.templates)
            .field("long_term_templates", &self.long_term_templates)
            .finish()
    }
}

/// `[wechat.templates]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatTemplates {
    /// A volunteer claimed the resident's wish.
    pub wish_claimed: String,
    /// The wish was fulfilled: please confirm.
    pub wish_fulfilled: String,
    /// An event invitation.
    pub event_invitation: String,
    /// An event reminder.
    pub event_reminder: String,
    /// An alert for grid leaders.
    pub alert: String,
}

impl WechatTemplates {
    /// The configured template id (empty when WeChat is off for it).
    pub fn id(&self, template: crate::notify::WechatTemplate) -> &str {
        use crate::notify::WechatTemplate::*;
        match template {
            WishClaimed => &self.wish_claimed,
            WishFulfilled => &self.wish_fulfilled,
            EventInvitation => &self.event_invitation,
            EventReminder => &self.event_reminder,
            Alert => &self.alert,
        }
    }
}

/// `[wecom]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WecomSettings {
    /// Base URL for group robots.
    pub api_base: String,
}

/// `[email]`
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// `smtp://host:port`, `smtps://user:pass@host:465`; empty = no email channel.
    #[serde(deserialize_with = "secret")]
    pub smtp_url: String,
    /// Sender mailbox.
    pub from: String,
}

impl fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailSettings")
            .field("smtp_url", &redact_url(&self.smtp_url))
            .field("from", &self.from)
            .finish()
    }
}

/// `[notifier]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifierSettings {
    /// Run the worker inside `serve`.
    pub enabled: bool,
    /// `HH:MM-HH:MM` in the community's time zone; empty disables quiet hours.
    pub quiet_hours: String,
    /// Safety-net poll interval.
    pub poll_interval: ConfigDuration,
    /// Deliveries claimed per batch.
    pub batch_size: u32,
    /// Attempts before a delivery is dead.
    pub max_attempts: u32,
    /// How long a claimed batch is held; a crashed worker's notifications are rescued after it.
    pub lease: ConfigDuration,
    /// First retry delay; later ones double, with jitter, up to `retry_cap`.
    pub retry_base: ConfigDuration,
    /// Longest retry delay.
    pub retry_cap: ConfigDuration,
    /// Where `microwish notifier` serves `/metrics` and `/healthz`; empty serves nothing.
    pub metrics_bind: String,
}

/// `[wishes]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WishSettings {
    /// New wishes wait for a grid leader's approval.
    pub review_required: bool,
    /// Claimed-but-unfulfilled wishes one volunteer may hold at once.
    pub max_open_claims: u32,
    /// How long after closing the volunteer still sees the resident's contact details.
    pub contact_visible_after_close: ConfigDuration,
    /// A fulfilled wish closes by itself when unconfirmed this long.
    pub auto_close_after: ConfigDuration,
    /// The categories residents choose from.
    pub categories: Vec<Category>,
}

/// One wish category.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable code stored with the wish.
    pub code: String,
    /// Chinese label.
    pub label_zh: String,
    /// English label.
    pub label_en: String,
}

/// `[escalation]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationSettings {
    /// An open wish unclaimed this long alerts its grid leader.
    pub unclaimed_after: ConfigDuration,
    /// Per-category overrides of `unclaimed_after`, e.g. `medicine = "4h"`.
    pub category_sla: std::collections::BTreeMap<String, ConfigDuration>,
    /// An unclaimed-wish alert nobody acknowledged this long goes to the admins.
    pub escalate_after: ConfigDuration,
    /// A claim older than this (or past the wish's due time) reminds the volunteer.
    pub claim_overdue_after: ConfigDuration,
    /// Still not fulfilled this long after that: alert the grid leader.
    pub overdue_escalate_after: ConfigDuration,
    /// A fulfilled wish unconfirmed this long reminds the resident once.
    pub confirm_reminder_after: ConfigDuration,
    /// A rating of 2 or less opens a callback (回访) due within this.
    pub callback_within: ConfigDuration,
    /// Local time of the grid leaders' daily digest (and of the volunteers' weekly one, on Mondays).
    pub digest_time: String,
    /// How often the scheduler looks.
    pub scan_interval: ConfigDuration,
}

impl EscalationSettings {
    /// The unclaimed-time limit for a category.
    pub fn sla(&self, category: &str) -> ConfigDuration {
        self.category_sla.get(category).copied().unwrap_or(self.unclaimed_after)
    }

    /// The shortest unclaimed-time limit of any category, in ms: it bounds a scan for unclaimed
    /// wishes, and each found is then held to its own [`sla`](Self::sla).
    pub fn shortest_sla_ms(&self) -> i64 {
        let limits = self.category_sla.values().chain([&self.unclaimed_after]);
        limits.map(|d| d.as_millis_i64()).min().unwrap_or(0)
    }
}

/// `[events]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSettings {
    /// How long before an event's start its registered people are reminded, e.g. `["24h", "2h"]`.
    pub reminder_offsets: Vec<ConfigDuration>,
    /// Minutes credited to the volunteer of a wish its resident confirmed.
    pub confirmed_wish_minutes: u32,
    /// The most an event credits an attendee per day it ran (a 7-day event is not 168 hours).
    pub max_credit_per_day: ConfigDuration,
}

/// Reads a value that may hold a secret. The environment provider types `MICROWISH__WECHAT__SECRET=
/// 123456` as a number, so numbers and booleans are taken as their text; anything else is refused
/// with a message that never repeats the value (serde's own would quote it into the logs).
fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct Visitor;
    impl<'a> serde::de::Visitor<'a> for Visitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<String, E> {
            Err(E::custom("must be a string (quote it; the value is not shown)"))
        }
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<String, E> {
            Err(E::custom("must be a string (quote it; the value is not shown)"))
        }
        fn visit_map<A: serde::de::MapAccess<'a>>(self, _: A) -> Result<String, A::Error> {
            Err(serde::de::Error::custom("must be a string (the value is not shown)"))
        }
        fn visit_seq<A: serde::de::SeqAccess<'a>>(self, _: A) -> Result<String, A::Error> {
            Err(serde::de::Error::custom("must be a string (the value is not shown)"))
        }
    }
    deserializer.deserialize_any(Visitor)
}

/// `[limits]`: rate limits per client IP and per user (429 `rate_limited` with `Retry-After`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// Rate limiting on or off.
    pub enabled: bool,
    /// Requests per minute from one client IP (in each server process).
    pub per_ip_per_minute: u32,
    /// Requests per minute from one signed-in user (in each server process).
    pub per_user_per_minute: u32,
    /// Sign-in attempts per minute from one client IP.
    pub sign_in_per_ip_per_minute: u32,
    /// Wishes one user may post per hour (counted in the database, across servers).
    pub wishes_per_user_per_hour: u32,
    /// Urgent wishes one user may post per day (counted in the database).
    pub urgent_wishes_per_user_per_day: u32,
    /// Invitation requests per user per hour.
    pub invitations_per_user_per_hour: u32,
    /// Wrong check-in codes one person may try for one event…
    pub checkin_wrong_codes: u32,
    /// …within this window, after which they are locked out of it until the window ends.
    pub checkin_lockout: ConfigDuration,
}

/// `[console]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSettings {
    /// The address people reach the server at, for printed sign-in links; empty = `http://{server.bind}`.
    pub public_url: String,
    /// How long a console sign-in lasts.
    pub session_ttl: ConfigDuration,
    /// How long a QR sign-in code can be approved and redeemed.
    pub ticket_ttl: ConfigDuration,
    /// How long a one-time link from `microwish admin console-link` stays valid.
    pub link_ttl: ConfigDuration,
    /// `auto` (Secure cookies when the request came over TLS, directly or per
    /// `X-Forwarded-Proto`), `always`, or `never`.
    pub secure_cookies: String,
}

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

/// A URL with any password replaced by `***`, for logs and `Debug`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_string(),
    }
}

/// A configuration value that cannot be used, with the key it belongs to.
#[derive(Debug, thiserror::Error)]
#[error("configuration key `{key}`: {message}")]
pub struct ConfigError {
    /// Dotted key, e.g. `community.timezone`.
    pub key: &'static str,
    /// What is wrong with it.
    pub message: String,
}

mod register;
mod validate;

pub use register::RegisterSettings;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_unit() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 weeks").is_err());
        assert!(
            parse_duration("18446744073709551615d").is_err(),
            "overflow is refused, not wrapped"
        );
        assert!(parse_duration("99999999999999999999s").is_err());
    }

    #[test]
    fn passwords_never_reach_debug_output() {
        assert_eq!(redact_url("smtps://mail:s3cret@host:465"), "smtps://mail:***@host:465");
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
