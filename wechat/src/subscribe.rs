//! Subscribe messages: the request body and the per-key value rules WeChat enforces (47003).

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
    /// Template key (`thing1`, `time2`, ...) to value; pass values through [`shape_value`] first.
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

/// The longest value a key accepts, in characters, or `None` when the key has no length rule
/// we enforce (time, date, amount, enum).
fn max_chars(key: &str, value: &str) -> Option<usize> {
    match key.trim_end_matches(|c: char| c.is_ascii_digit()) {
        "thing" => Some(20),
        "number" | "letter" | "character_string" => Some(32),
        "symbol" | "phrase" => Some(5),
        "phone_number" => Some(17),
        "car_number" => Some(8),
        // Latin names get 20 letters, anything with Chinese gets 10 characters.
        "name" if value.is_ascii() => Some(20),
        "name" => Some(10),
        _ => None,
    }
}

/// Cuts `value` to fit the rule of the template key's prefix, counting characters, not bytes.
/// `thing` values end in "…" when cut, so the reader sees the text goes on.
pub fn shape_value(key: &str, value: &str) -> String {
    let Some(max) = max_chars(key, value) else {
        return value.to_owned();
    };
    if value.chars().count() <= max {
        return value.to_owned();
    }
    if key.starts_with("thing") {
        let mut cut: String = value.chars().take(max - 1).collect();
        cut.push('…');
        cut
    } else {
        value.chars().take(max).collect()
    }
}

/// Whether WeChat would accept `value` for `key`: non-empty and within the prefix's length.
pub fn value_fits(key: &str, value: &str) -> bool {
    !value.is_empty() && max_chars(key, value).is_none_or(|max| value.chars().count() <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_thing_is_cut_with_ellipsis_within_twenty_chars() {
        let long = "社区志愿者帮助独居老人买菜并送到家门口的心愿已经被认领了";
        let shaped = shape_value("thing1", long);
        assert_eq!(shaped.chars().count(), 20);
        assert!(shaped.ends_with('…'));
        assert!(value_fits("thing1", &shaped));
        assert!(!value_fits("thing1", long));
    }

    #[test]
    fn short_values_are_untouched() {
        assert_eq!(shape_value("thing3", "买菜"), "买菜");
        assert_eq!(shape_value("time2", "2026-11-27 15:01"), "2026-11-27 15:01");
    }

    #[test]
    fn limits_follow_the_key_prefix() {
        let long = "x".repeat(50);
        assert_eq!(shape_value("character_string4", &long).len(), 32);
        assert_eq!(shape_value("number1", &long).len(), 32);
        assert_eq!(shape_value("symbol1", &long).len(), 5);
        assert_eq!(shape_value("phone_number2", &long).len(), 17);
        assert_eq!(shape_value("car_number1", &long).len(), 8);
        assert_eq!(shape_value("phrase5", "一二三四五六七").chars().count(), 5);
    }

    #[test]
    fn names_count_chinese_and_latin_differently() {
        assert_eq!(shape_value("name1", "欧阳张王李赵钱孙周吴郑王").chars().count(), 10);
        let latin = "Alexandria Montgomery-Smith";
        assert_eq!(shape_value("name1", latin).chars().count(), 20);
    }

    #[test]
    fn cutting_counts_chars_not_bytes() {
        let shaped = shape_value("symbol1", "¥¥¥¥¥¥¥");
        assert_eq!(shaped, "¥¥¥¥¥");
    }

    #[test]
    fn empty_values_do_not_fit() {
        assert!(!value_fits("time2", ""));
    }

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
