//! Settings of one microwish installation, as read from `config/default.toml`, an optional file
//! and the environment (the loading itself lives in the binary). Validated once at start: a bad
//! value fails fast with a message naming its key. Secrets never appear in `Debug` output.

use std::fmt;

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
    /// Co-building projects.
    pub cobuild: CobuildSettings,
    /// The party organisation: service posts, yearly targets, visits' hours, the mid-year reminder.
    pub party: PartySettings,
    /// Photos of wishes.
    pub photos: PhotoSettings,
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
    /// How long this instance trusts what it cached (a token's caller, a public list page);
    /// zero turns both caches off.
    pub cache_ttl: ConfigDuration,
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
    /// The most volunteers one wish may ask for (`slots`).
    pub max_slots: u32,
    /// How long a recurring wish's new occurrence is kept for the volunteers who served the last
    /// one before anyone may claim it (0: open to all at once).
    pub repeat_offer_window: ConfigDuration,
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

mod bounds;
mod cobuild;
mod delivery;
mod duration;
mod guard;
mod party;
mod photos;
mod register;
mod templates;
mod validate;

pub use cobuild::CobuildSettings;
pub use delivery::{EmailSettings, NotifierSettings, WechatSettings, WecomSettings};
pub use duration::{ConfigDuration, parse_duration};
pub use guard::{ConsoleSettings, LimitSettings};
pub use party::{PartySettings, Target};
pub use photos::PhotoSettings;
pub use register::RegisterSettings;
pub use templates::WechatTemplates;

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
