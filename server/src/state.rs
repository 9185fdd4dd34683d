//! What every handler shares: the database, settings, clock, WeChat client and metrics.

use std::sync::Arc;

use microwish_core::{Db, Settings, SharedClock};
use microwish_wechat::MiniProgram;

use crate::observe::Metrics;

/// Shared application state (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub db: Db,
    /// Validated settings.
    pub settings: Arc<Settings>,
    /// The clock (manual in tests).
    pub clock: SharedClock,
    /// The WeChat mini-program client (login, phone numbers, content checks); its token holder
    /// is shared with the notifier in `serve`.
    pub wechat: MiniProgram,
    /// HTTP metrics.
    pub metrics: Metrics,
    /// Poked after a transaction that recorded notifications commits, so an in-process notifier
    /// delivers at once instead of at its next poll.
    pub outbox_wake: std::sync::Arc<tokio::sync::Notify>,
    /// Rate limits (in memory per process, and the database-backed ones).
    pub limits: Arc<crate::rate::Limits>,
    /// Who is behind which token, cached for `server.cache_ttl`; handlers that end sessions or
    /// change roles or grid leaders tell it.
    pub callers: Arc<crate::callers::Callers>,
    /// Hot pages of the wish list, kept serialized for `server.cache_ttl` or until a write.
    pub pages: Arc<crate::pages::Pages>,
    /// Where photos of wishes are kept (`photos.store`).
    pub photos: microwish_core::photo::Objects,
}

impl AppState {
    /// The subscribe-message template ids configured for any kind.
    pub fn template_ids(&self) -> Vec<&str> {
        self.settings.wechat.templates.ids()
    }

    /// Maps a failed WeChat call made for the caller to an answer: a bad code is the caller's
    /// mistake, busy means retry, anything else is logged (with its rid) as a gateway failure.
    pub fn wechat_error(&self, call: &str, err: microwish_wechat::WechatError) -> crate::ApiError {
        use poem::http::StatusCode;
        match err.errcode() {
            Some(40029 | 40163) => {
                crate::ApiError::invalid("invalid_code", "the code is invalid, expired or already used")
            }
            Some(-1 | 45011 | 45009) => crate::ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "wechat_busy",
                "WeChat is busy: retry in a few seconds",
            ),
            _ => {
                tracing::error!(call, error = %err, "WeChat call failed");
                crate::ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "wechat_error",
                    format!("WeChat {call} failed; it has been logged"),
                )
            }
        }
    }
}
