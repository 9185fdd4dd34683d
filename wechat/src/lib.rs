//! WeChat mini-program and WeCom robot clients, plus a local protocol stub for tests and the demo.
//!
//! The wire facts these clients follow live in `shared/reference/wechat-protocol.md`: every answer is
//! HTTP 200 with a JSON `errcode`, tokens are shared per process, and failures are classified so callers
//! know whether to retry, back off, fall back or give up.
#![forbid(unsafe_code)]

mod error;
mod http;
mod keyword;
mod miniprogram;
pub mod stub;
mod subscribe;
mod token;
mod wecom;

use std::fmt;

pub use error::{ErrorClass, WechatError};
pub use keyword::{shape_value, shape_value_or, value_fits};
pub use miniprogram::{ContentVerdict, MiniProgram, PhoneInfo, Session, Suggest};
pub use stub::WechatStub;
pub use subscribe::{Lang, MiniprogramState, SubscribeMessage};
pub use token::TokenHolder;
pub use wecom::{MARKDOWN_MAX_BYTES, TEXT_MAX_BYTES, WecomRobot};

/// Installs rustls' ring provider as the process default, once.
///
/// reqwest is built with `rustls-no-provider`, so some provider must be installed before the first
/// client is built; a second install fails harmlessly, which is why the result is ignored.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Where and as whom the mini-program clients talk to WeChat.
#[derive(Clone)]
pub struct WechatConfig {
    /// Base URL without trailing slash, e.g. `https://api.weixin.qq.com` or a stub's `base_url()`.
    pub api_base: String,
    /// The mini-program's AppID.
    pub appid: String,
    /// The mini-program's AppSecret; never printed.
    pub secret: String,
}

impl fmt::Debug for WechatConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WechatConfig")
            .field("api_base", &self.api_base)
            .field("appid", &self.appid)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_debug_hides_secret() {
        let config = WechatConfig {
            api_base: "http://x".into(),
            appid: "wx1".into(),
            secret: "s3cr3t".into(),
        };
        let shown = format!("{config:?}");
        assert!(shown.contains("wx1"));
        assert!(!shown.contains("s3cr3t"));
    }
}
