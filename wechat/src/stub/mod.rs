//! A local stand-in for WeChat's and WeCom's servers, speaking their protocol over real HTTP.
//!
//! Tests point the clients at [`WechatStub::base_url`]; so does the `demo` command, whose users drive
//! it with curl through the `/__stub/*` control routes (`login_code`, `phone_code`, `grant`, `messages`).
//! The behaviour follows `shared/reference/wechat-protocol.md`; nothing here ever calls the real hosts.

mod miniprogram;
mod robot;
mod routes;
mod state;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::Server;
use poem::listener::TcpAcceptor;
use serde_json::Value;

use routes::{Shared, lock};
use state::{StubState, TokenState};

/// A running stub server; it stops when this value is dropped.
pub struct WechatStub {
    base_url: String,
    state: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl WechatStub {
    /// Binds 127.0.0.1 on a free port and serves in a spawned task, accepting only this
    /// appid and secret. Must be called from within a Tokio runtime.
    pub fn start(appid: &str, secret: &str) -> std::io::Result<WechatStub> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| std::io::Error::other(format!("WechatStub needs a Tokio runtime: {e}")))?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let _entered = runtime.enter();
        let acceptor = TcpAcceptor::from_std(listener)?;
        let state: Shared = Arc::new(Mutex::new(StubState::new(appid, secret)));
        let app = routes::app(state.clone());
        let server = runtime.spawn(async move {
            if let Err(err) = Server::new_with_acceptor(acceptor).run(app).await {
                tracing::error!(error = %err, "wechat stub stopped");
            }
        });
        Ok(WechatStub {
            base_url: format!("http://127.0.0.1:{port}"),
            state,
            server,
        })
    }

    /// The base URL for both `wechat.api_base` and `wecom.api_base`, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Issues a fresh single-use login code for `openid`, as `wx.login` would.
    pub fn issue_login_code(&self, openid: &str) -> String {
        lock(&self.state).issue_login_code(openid, None)
    }

    /// Issues a login code (for a random openid) whose first code2session answers `errcode`;
    /// later uses behave normally, so a retry after -1 can succeed.
    pub fn fail_next_login(&self, errcode: i64) -> String {
        lock(&self.state).issue_login_code(&state::random_id(28), Some(errcode))
    }

    /// How long login codes live (5 minutes by default).
    pub fn set_login_code_ttl(&self, ttl: Duration) {
        lock(&self.state).code_ttl = ttl;
    }

    /// How many access tokens were fetched, through either token route.
    pub fn token_fetches(&self) -> u64 {
        lock(&self.state).token_fetches
    }

    /// Delays every stable_token answer, so concurrent callers overlap with one fetch.
    pub fn set_token_delay(&self, delay: Duration) {
        lock(&self.state).token_delay = delay;
    }

    /// Every token issued so far answers 42001 from now on; the next fetch issues a fresh one.
    pub fn expire_all_tokens(&self) {
        lock(&self.state).age_tokens(TokenState::Expired);
    }

    /// Every token issued so far answers 40001 from now on; the next fetch issues a fresh one.
    pub fn revoke_all_tokens(&self) {
        lock(&self.state).age_tokens(TokenState::Revoked);
    }

    /// Words that make msg_sec_check answer "risky" (label 20001).
    pub fn set_risky_words(&self, words: &[&str]) {
        lock(&self.state).risky_words = words.iter().map(|w| (*w).to_owned()).collect();
    }

    /// Words that make msg_sec_check answer "review" (label 21000).
    pub fn set_review_words(&self, words: &[&str]) {
        lock(&self.state).review_words = words.iter().map(|w| (*w).to_owned()).collect();
    }

    /// How many msg_sec_check calls got past the token check.
    pub fn sec_check_calls(&self) -> u64 {
        lock(&self.state).sec_check_calls
    }

    /// Issues a single-use `getPhoneNumber` code for `phone`.
    pub fn issue_phone_code(&self, phone: &str) -> String {
        lock(&self.state).issue_phone_code(phone)
    }

    /// Registers a subscribe template and the data keys it requires.
    pub fn register_template(&self, template_id: &str, keys: &[&str]) {
        let keys = keys.iter().map(|k| (*k).to_owned()).collect();
        lock(&self.state).templates.insert(template_id.to_owned(), keys);
    }

    /// Records `count` more "accept" taps by `openid` for `template_id`.
    pub fn grant_subscription(&self, openid: &str, template_id: &str, count: u32) {
        lock(&self.state).grant_subscription(openid, template_id, count);
    }

    /// The sends `openid` has left for `template_id`.
    pub fn subscription_quota(&self, openid: &str, template_id: &str) -> u32 {
        let slot = (openid.to_owned(), template_id.to_owned());
        lock(&self.state).quotas.get(&slot).copied().unwrap_or(0)
    }

    /// Makes the next `count` subscribe sends answer `errcode` (e.g. -1 or 43108).
    pub fn fail_next_sends(&self, count: u32, errcode: i64) {
        lock(&self.state).failing_sends = (count, errcode);
    }

    /// The bodies of every subscribe message sent successfully, oldest first.
    pub fn subscribe_messages(&self) -> Vec<Value> {
        lock(&self.state).subscribe_log.clone()
    }

    /// Registers a robot webhook key.
    pub fn register_robot(&self, key: &str) {
        lock(&self.state).robots.entry(key.to_owned()).or_default();
    }

    /// Shortens the robot's 20-message sliding window (60 s by default) so tests need not wait.
    pub fn set_robot_window(&self, window: Duration) {
        lock(&self.state).robot_window = window;
    }

    /// The bodies of every message posted through robot `key`, oldest first.
    pub fn robot_messages(&self, key: &str) -> Vec<Value> {
        let state = lock(&self.state);
        state.robots.get(key).map(|r| r.messages.clone()).unwrap_or_default()
    }
}

impl Drop for WechatStub {
    fn drop(&mut self) {
        self.server.abort();
    }
}
