//! HTTP plumbing shared by every client: the reqwest client and the `{errcode, errmsg}` decoding.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::WechatError;

/// Builds the reqwest client every WeChat client uses, with bounded timeouts so a slow
/// WeChat cannot hold a request handler or a notification job forever.
pub(crate) fn build_client() -> Result<reqwest::Client, WechatError> {
    crate::install_crypto_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(3))
        .build()
        .map_err(transport)
}

/// Turns a reqwest error into a transport error without the URL, which carries the
/// AppSecret, access token or robot key in its query string.
pub(crate) fn transport(err: reqwest::Error) -> WechatError {
    WechatError::Transport(err.without_url().to_string())
}

/// Sends a request and decodes the answer, turning a non-zero `errcode` into `WechatError::Api`.
pub(crate) async fn send<T: DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T, WechatError> {
    let response = request.send().await.map_err(transport)?;
    let status = response.status();
    if !status.is_success() {
        return Err(WechatError::Transport(format!("HTTP status {status}")));
    }
    let bytes = response.bytes().await.map_err(transport)?;
    decode(&bytes)
}

/// Decodes a WeChat body: a missing `errcode` counts as 0, as in a successful code2Session.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WechatError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| WechatError::Decode(e.to_string()))?;
    let errcode = value.get("errcode").and_then(|c| c.as_i64()).unwrap_or(0);
    if errcode != 0 {
        let errmsg = value.get("errmsg").and_then(|m| m.as_str()).unwrap_or("");
        return Err(WechatError::api(errcode, errmsg));
    }
    serde_json::from_value(value).map_err(|e| WechatError::Decode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Ok {
        openid: String,
    }

    #[test]
    fn missing_errcode_is_success() {
        let ok: Ok = decode(br#"{"openid":"o1","session_key":"k"}"#).unwrap();
        assert_eq!(ok.openid, "o1");
    }

    #[test]
    fn nonzero_errcode_is_api_error() {
        let err = decode::<Ok>(br#"{"errcode":40029,"errmsg":"invalid code, rid: r1"}"#);
        assert_eq!(err.err().and_then(|e| e.errcode()), Some(40029));
    }

    #[test]
    fn garbage_is_decode_error() {
        let err = decode::<Ok>(b"<html>").err();
        assert!(matches!(err, Some(WechatError::Decode(_))));
    }
}
