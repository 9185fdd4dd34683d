//! The WeCom group robot, which posts to grid leaders' work groups through a webhook key.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::{WechatError, http};

/// WeCom's byte limit for a text message's content.
pub const TEXT_MAX_BYTES: usize = 2048;
/// WeCom's byte limit for a markdown message's content.
pub const MARKDOWN_MAX_BYTES: usize = 4096;

/// A client for WeCom group robots; one client serves every robot key.
#[derive(Debug, Clone)]
pub struct WecomRobot {
    client: reqwest::Client,
    api_base: String,
}

#[derive(Deserialize)]
struct Ack {}

impl WecomRobot {
    /// Builds a client for `api_base`, e.g. `https://qyapi.weixin.qq.com` or a stub's `base_url()`.
    pub fn new(api_base: impl Into<String>) -> Result<Self, WechatError> {
        Ok(Self {
            client: http::build_client()?,
            api_base: api_base.into(),
        })
    }

    /// Posts markdown (mention people with `<@userid>` in the text), cut to 4096 bytes.
    pub async fn send_markdown(&self, key: &str, content: &str) -> Result<(), WechatError> {
        let content = truncate_bytes(content, MARKDOWN_MAX_BYTES);
        let body = json!({ "msgtype": "markdown", "markdown": { "content": content } });
        self.post(key, &body).await
    }

    /// Posts plain text mentioning `mentioned_list` (userids or "@all"), cut to 2048 bytes.
    pub async fn send_text(&self, key: &str, content: &str, mentioned_list: &[String]) -> Result<(), WechatError> {
        let content = truncate_bytes(content, TEXT_MAX_BYTES);
        let body = json!({
            "msgtype": "text",
            "text": { "content": content, "mentioned_list": mentioned_list },
        });
        self.post(key, &body).await
    }

    /// Posts plain text mentioning group members by mobile number (how we can mention a grid
    /// leader without knowing their WeCom userid), cut to 2048 bytes.
    pub async fn send_text_mentioning_mobiles(
        &self,
        key: &str,
        content: &str,
        mobiles: &[String],
    ) -> Result<(), WechatError> {
        let content = truncate_bytes(content, TEXT_MAX_BYTES);
        let body = json!({
            "msgtype": "text",
            "text": { "content": content, "mentioned_mobile_list": mobiles },
        });
        self.post(key, &body).await
    }

    async fn post(&self, key: &str, body: &Value) -> Result<(), WechatError> {
        let url = format!("{}/cgi-bin/webhook/send", self.api_base);
        let request = self.client.post(url).query(&[("key", key)]).json(body);
        let _: Ack = http::send(request).await?;
        Ok(())
    }
}

/// The longest prefix of `text` within `max` bytes that does not split a character.
fn truncate_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        let text = "网格".repeat(1000); // 6000 bytes, 3 per char
        let cut = truncate_bytes(&text, TEXT_MAX_BYTES);
        assert_eq!(cut.len(), 2046);
        assert!(cut.chars().all(|c| c == '网' || c == '格'));
    }

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(truncate_bytes("hi", 4096), "hi");
    }
}
