//! The delivery sections of the settings: `[wechat]` (and its subscribe-message templates),
//! `[wecom]`, `[email]` and `[notifier]`. Secrets among them never show in `Debug` output.

use std::fmt;

use serde::Deserialize;

use super::{ConfigDuration, redact_url};

/// `[wechat]`
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatSettings {
    /// Base URL of the mini-program API.
    pub api_base: String,
    /// Mini-program app id.
    pub appid: String,
    /// Mini-program app secret (from the environment in production).
    #[serde(deserialize_with = "super::secret")]
    pub secret: String,
    /// Check wish text with msg_sec_check before accepting it.
    pub content_check: bool,
    /// `developer`, `trial` or `formal`: which build a subscribe message opens.
    pub miniprogram_state: String,
    /// The subscribe-message template of each kind (`templates.rs`); none skips WeChat for it.
    pub templates: super::WechatTemplates,
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
    #[serde(deserialize_with = "super::secret")]
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
