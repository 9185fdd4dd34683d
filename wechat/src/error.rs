//! The one error type of the WeChat clients, and how each failure should be handled.

use thiserror::Error;

/// A failed call to WeChat or WeCom.
#[derive(Debug, Clone, Error)]
pub enum WechatError {
    /// WeChat answered with a non-zero `errcode`.
    #[error("wechat errcode {errcode}: {errmsg}{}", rid.as_deref().map(|r| format!(" (rid {r})")).unwrap_or_default())]
    Api {
        /// The `errcode` field; match on this, never on the message.
        errcode: i64,
        /// The `errmsg` field without its `rid:` suffix.
        errmsg: String,
        /// The request id WeChat appends to errors, useful when asking their support.
        rid: Option<String>,
    },
    /// The request did not get a 200 answer: connect failure, timeout or an HTTP error status.
    #[error("wechat transport error: {0}")]
    Transport(String),
    /// The answer was HTTP 200 but not the JSON we expected.
    #[error("wechat answer could not be decoded: {0}")]
    Decode(String),
}

/// What a caller should do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Temporary trouble (busy, network, concurrent send): retry later with backoff.
    Retryable,
    /// A frequency limit was hit: wait for the window to pass, never retry in a tight loop.
    RateLimited,
    /// The access token was missing, invalid or expired.
    Token,
    /// The user has no subscription quota left: do not retry, use another channel.
    NoQuota,
    /// Retrying will not help.
    Permanent,
}

impl WechatError {
    /// Builds an `Api` error, splitting WeChat's `rid: ...` suffix off the message.
    pub(crate) fn api(errcode: i64, errmsg: &str) -> Self {
        let (errmsg, rid) = split_rid(errmsg);
        WechatError::Api { errcode, errmsg, rid }
    }

    /// The WeChat `errcode`, when WeChat answered at all.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            WechatError::Api { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }

    /// Classifies the failure per the protocol reference.
    pub fn class(&self) -> ErrorClass {
        match self {
            WechatError::Transport(_) => ErrorClass::Retryable,
            WechatError::Decode(_) => ErrorClass::Permanent,
            WechatError::Api { errcode, .. } => match errcode {
                -1 | 43108 => ErrorClass::Retryable,
                45009 | 45011 => ErrorClass::RateLimited,
                40001 | 40014 | 42001 | 41001 => ErrorClass::Token,
                43101 => ErrorClass::NoQuota,
                _ => ErrorClass::Permanent,
            },
        }
    }

    /// True for the codes after which a fresh token and one retry can succeed.
    pub(crate) fn is_stale_token(&self) -> bool {
        matches!(self.errcode(), Some(40001 | 40014 | 42001))
    }
}

/// Splits `"invalid code, rid: 65f0-1"` into `("invalid code", Some("65f0-1"))`.
fn split_rid(errmsg: &str) -> (String, Option<String>) {
    match errmsg.rfind("rid:") {
        Some(at) => {
            let rid = errmsg[at + 4..].trim();
            let head = errmsg[..at].trim_end().trim_end_matches(',').trim_end();
            let rid = (!rid.is_empty()).then(|| rid.to_owned());
            (head.to_owned(), rid)
        }
        None => (errmsg.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rid_is_split_off() {
        let err = WechatError::api(40029, "invalid code, rid: 6523a1-2b");
        let WechatError::Api { errmsg, rid, .. } = &err else {
            panic!("expected Api");
        };
        assert_eq!(errmsg, "invalid code");
        assert_eq!(rid.as_deref(), Some("6523a1-2b"));
        assert!(err.to_string().contains("rid 6523a1-2b"));
    }

    #[test]
    fn message_without_rid_is_kept() {
        let err = WechatError::api(-1, "system error");
        assert_eq!(err.errcode(), Some(-1));
        assert!(matches!(err, WechatError::Api { rid: None, .. }));
    }

    #[test]
    fn classes_follow_the_reference() {
        let class = |code| WechatError::api(code, "x").class();
        assert_eq!(class(-1), ErrorClass::Retryable);
        assert_eq!(class(43108), ErrorClass::Retryable);
        assert_eq!(class(45009), ErrorClass::RateLimited);
        assert_eq!(class(45011), ErrorClass::RateLimited);
        for code in [40001, 40014, 42001, 41001] {
            assert_eq!(class(code), ErrorClass::Token);
        }
        assert_eq!(class(43101), ErrorClass::NoQuota);
        assert_eq!(class(47003), ErrorClass::Permanent);
        assert_eq!(class(93000), ErrorClass::Permanent);
        let transport = WechatError::Transport("timeout".into());
        assert_eq!(transport.class(), ErrorClass::Retryable);
    }
}
