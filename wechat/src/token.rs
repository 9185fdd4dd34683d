//! The process-wide access-token holder: cached, refreshed ahead of expiry, fetched single-flight.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use crate::{WechatConfig, WechatError, http};

/// How long before WeChat's expiry we stop handing out a token; the stable token rotates
/// 5 minutes ahead too, so both sides agree on when a token is old.
const REFRESH_AHEAD: Duration = Duration::from_secs(300);

/// Holds the mini-program's stable access token. Create one per process and share it via `Arc`:
/// several holders would fetch tokens independently and overwrite each other's work.
pub struct TokenHolder {
    client: reqwest::Client,
    config: WechatConfig,
    cached: Mutex<Option<Cached>>,
    /// Held while fetching, so concurrent callers wait for one fetch instead of stampeding.
    fetching: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

struct Cached {
    token: String,
    refresh_at: Instant,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    expires_in: u64,
}

impl TokenHolder {
    /// Builds a holder with its own HTTP client.
    pub fn new(config: WechatConfig) -> Result<Self, WechatError> {
        Ok(Self::with_client(http::build_client()?, config))
    }

    pub(crate) fn with_client(client: reqwest::Client, config: WechatConfig) -> Self {
        Self {
            client,
            config,
            cached: Mutex::new(None),
            fetching: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
        }
    }

    /// Returns a valid token, fetching one if the cache is empty or near expiry.
    pub async fn token(&self) -> Result<String, WechatError> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _guard = self.fetching.lock().await;
        // Whoever held the lock before us may have fetched already.
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let reply = self.fetch().await?;
        let lifetime = Duration::from_secs(reply.expires_in);
        let ahead = REFRESH_AHEAD.min(lifetime / 2);
        *self.lock() = Some(Cached {
            token: reply.access_token.clone(),
            refresh_at: Instant::now() + lifetime - ahead,
        });
        Ok(reply.access_token)
    }

    /// Drops the cached token, but only if it is still the one that failed: a caller that
    /// saw an old token fail must not throw away the fresh token another caller just fetched.
    pub fn invalidate(&self, failed_token: &str) {
        let mut cached = self.lock();
        if cached.as_ref().is_some_and(|c| c.token == failed_token) {
            *cached = None;
        }
    }

    /// How many times this holder has asked WeChat for a token.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn fresh(&self) -> Option<String> {
        let cached = self.lock();
        let cached = cached.as_ref()?;
        (Instant::now() < cached.refresh_at).then(|| cached.token.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        // The guarded data is a plain cache; a panic elsewhere cannot leave it half-written.
        self.cached.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn fetch(&self) -> Result<TokenReply, WechatError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}/cgi-bin/stable_token", self.config.api_base);
        let body = json!({
            "grant_type": "client_credential",
            "appid": self.config.appid,
            "secret": self.config.secret,
            "force_refresh": false,
        });
        let result = http::send(self.client.post(url).json(&body)).await;
        if let Err(err) = &result {
            tracing::warn!(appid = %self.config.appid, error = %err, "access token fetch failed");
        }
        result
    }
}
