//! Subscribe messages: the request body (the per-key value rules WeChat enforces are in `keyword`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

/// Which version of the mini-program a tapped notification opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MiniprogramState {
    /// The developer build.
    Developer,
    /// The trial build.
    Trial,
    /// The released build.
    #[default]
    Formal,
}

/// The language the notification is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Lang {
    /// Simplified Chinese.
    #[default]
    #[serde(rename = "zh_CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en_US")]
    EnUs,
    /// Traditional Chinese (Hong Kong).
    #[serde(rename = "zh_HK")]
    ZhHk,
    /// Traditional Chinese (Taiwan).
    #[serde(rename = "zh_TW")]
    ZhTw,
}

/// One subscribe message to one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeMessage {
    /// The recipient's openid.
    pub touser: String,
    /// The template the user subscribed to.
    pub template_id: String,
    /// The mini-program page opened on tap, e.g. `pages/wish/detail?id=42`.
    pub page: Option<String>,
    /// Template key (`thing1`, `time2`, ...) to value; pass values through
    /// [`shape_value`](crate::shape_value) first.
    pub data: BTreeMap<String, String>,
    /// Which build the tap opens.
    pub miniprogram_state: MiniprogramState,
    /// Display language.
    pub lang: Lang,
}

impl SubscribeMessage {
    /// The JSON body WeChat expects, with each value wrapped as `{"value": ...}`.
    pub(crate) fn to_body(&self) -> Value {
        let data: serde_json::Map<String, Value> = self
            .data
            .iter()
            .map(|(key, value)| (key.clone(), json!({ "value": value })))
            .collect();
        let mut body = json!({
            "touser": self.touser,
            "template_id": self.template_id,
            "data": data,
            "miniprogram_state": self.miniprogram_state,
            "lang": self.lang,
        });
        if let Some(page) = &self.page {
            body["page"] = json!(page);
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_wraps_values_and_omits_missing_page() {
        let msg = SubscribeMessage {
            touser: "o1".into(),
            template_id: "T1".into(),
            page: None,
            data: [("thing1".to_owned(), "hi".to_owned())].into(),
            miniprogram_state: MiniprogramState::Trial,
            lang: Lang::ZhCn,
        };
        let body = msg.to_body();
        assert_eq!(body["data"]["thing1"]["value"], "hi");
        assert_eq!(body["miniprogram_state"], "trial");
        assert_eq!(body["lang"], "zh_CN");
        assert!(body.get("page").is_none());
    }
}
