//! The mini-program server API: login, content security, phone number and subscribe messages.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use crate::{SubscribeMessage, TokenHolder, WechatConfig, WechatError, http};

/// A client for one mini-program; cheap to clone, clones share the token holder.
#[derive(Clone)]
pub struct MiniProgram {
    client: reqwest::Client,
    config: WechatConfig,
    tokens: Arc<TokenHolder>,
}

/// The result of code2Session: who the user is, and the session key WeChat shares with us.
#[derive(Clone, Deserialize)]
pub struct Session {
    /// The user's id within this mini-program.
    pub openid: String,
    /// The user's id across the Open Platform account, when one is bound.
    pub unionid: Option<String>,
    session_key: String,
}

impl Session {
    /// The key for decrypting data the mini-program sends us; a secret, never log or return it.
    pub fn session_key(&self) -> &str {
        &self.session_key
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("openid", &self.openid)
            .field("unionid", &self.unionid)
            .field("session_key", &"<redacted>")
            .finish()
    }
}

/// What msg_sec_check advises for a piece of user text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Suggest {
    /// Publish it.
    Pass,
    /// Refuse it.
    Risky,
    /// Hold it for a human. Unknown future verdicts land here too, the cautious side.
    #[serde(other)]
    Review,
}

/// The verdict on a piece of user text; errcode 0 alone does not mean it passed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ContentVerdict {
    /// The advice to act on.
    pub suggest: Suggest,
    /// Why: 100 normal, 10001 ad, 20001 politics, ... 21000 other.
    pub label: i64,
}

/// A user's phone number as WeChat reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneInfo {
    /// With the country code for numbers outside mainland China.
    pub phone_number: String,
    /// Without the country code.
    pub pure_phone_number: String,
    /// The country code, e.g. "86"; WeChat sends it as a string or a number.
    #[serde(deserialize_with = "string_or_number")]
    pub country_code: String,
}

fn string_or_number<'de, D: Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(match Either::deserialize(de)? {
        Either::Text(text) => text,
        Either::Number(number) => number.to_string(),
    })
}

#[derive(Deserialize)]
struct SecCheckReply {
    result: ContentVerdict,
}

#[derive(Deserialize)]
struct PhoneReply {
    phone_info: PhoneInfo,
}

#[derive(Deserialize)]
struct SendReply {
    msgid: i64,
}

impl MiniProgram {
    /// Builds a client with its own token holder; clone the client to share it.
    pub fn new(config: WechatConfig) -> Result<Self, WechatError> {
        let client = http::build_client()?;
        let tokens = Arc::new(TokenHolder::with_client(client.clone(), config.clone()));
        Ok(Self::with_tokens(client, config, tokens))
    }

    /// Builds a client around an existing token holder, so several clients share one token.
    /// Call [`crate::install_crypto_provider`] before building `client` yourself.
    pub fn with_tokens(client: reqwest::Client, config: WechatConfig, tokens: Arc<TokenHolder>) -> Self {
        Self { client, config, tokens }
    }

    /// The shared token holder.
    pub fn tokens(&self) -> &Arc<TokenHolder> {
        &self.tokens
    }

    /// Exchanges a login code from `wx.login` for the user's openid and session key.
    pub async fn code2session(&self, code: &str) -> Result<Session, WechatError> {
        let url = format!("{}/sns/jscode2session", self.config.api_base);
        let query = [
            ("appid", self.config.appid.as_str()),
            ("secret", self.config.secret.as_str()),
            ("js_code", code),
            ("grant_type", "authorization_code"),
        ];
        http::send(self.client.get(url).query(&query)).await
    }

    /// Asks WeChat whether user text may be published; `scene` is 1 profile, 2 comment,
    /// 3 forum, 4 social log.
    pub async fn msg_sec_check(&self, openid: &str, scene: u8, content: &str) -> Result<ContentVerdict, WechatError> {
        let body = json!({ "version": 2, "openid": openid, "scene": scene, "content": content });
        let reply: SecCheckReply = self.call_with_token("/wxa/msg_sec_check", &body).await?;
        Ok(reply.result)
    }

    /// Exchanges a `getPhoneNumber` code for the user's phone number.
    pub async fn phone_number(&self, code: &str) -> Result<PhoneInfo, WechatError> {
        let body = json!({ "code": code });
        let path = "/wxa/business/getuserphonenumber";
        let reply: PhoneReply = self.call_with_token(path, &body).await?;
        Ok(reply.phone_info)
    }

    /// Sends one subscribe message and returns WeChat's msgid.
    pub async fn send_subscribe_message(&self, msg: &SubscribeMessage) -> Result<i64, WechatError> {
        let path = "/cgi-bin/message/subscribe/send";
        let reply: SendReply = self.call_with_token(path, &msg.to_body()).await?;
        Ok(reply.msgid)
    }

    /// Calls an access-token API; when the token turns out stale, drops exactly that token,
    /// fetches a fresh one and retries once — never more, so a broken secret cannot loop.
    async fn call_with_token<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, WechatError> {
        let token = self.tokens.token().await?;
        match self.post_with(path, &token, body).await {
            Err(err) if err.is_stale_token() => {
                tracing::info!(path, errcode = ?err.errcode(), "access token stale, refreshing once");
                self.tokens.invalidate(&token);
                let fresh = self.tokens.token().await?;
                self.post_with(path, &fresh, body).await
            }
            other => other,
        }
    }

    async fn post_with<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        body: &B,
    ) -> Result<T, WechatError> {
        let url = format!("{}{}", self.config.api_base, path);
        let request = self.client.post(url).query(&[("access_token", token)]);
        http::send(request.json(body)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_code_accepts_string_and_number() {
        for raw in [r#""86""#, "86"] {
            let json = format!(r#"{{"phoneNumber":"138","purePhoneNumber":"138","countryCode":{raw}}}"#);
            let info: PhoneInfo = serde_json::from_str(&json).unwrap();
            assert_eq!(info.country_code, "86");
        }
    }

    #[test]
    fn unknown_suggest_is_review() {
        let verdict: ContentVerdict = serde_json::from_str(r#"{"suggest":"maybe","label":21000}"#).unwrap();
        assert_eq!(verdict.suggest, Suggest::Review);
    }
}
