//! The stub's mini-program APIs behind an access token: content security, phone number, subscribe messages.

use serde_json::{Value, json};

use super::state::{Outcome, StubState, random_id, refuse};
use crate::value_fits;

/// msg_sec_check refuses longer content with 47001.
const MAX_CONTENT_CHARS: usize = 2500;

impl StubState {
    pub(crate) fn msg_sec_check(&mut self, body: &Value) -> Outcome {
        self.sec_check_calls += 1;
        if body.get("version").and_then(Value::as_i64) != Some(2) {
            return Err(refuse(47001, "data format error, version must be 2"));
        }
        let scene = body.get("scene").and_then(Value::as_i64).unwrap_or(0);
        if !(1..=4).contains(&scene) {
            return Err(refuse(40129, "invalid scene"));
        }
        let content = body.get("content").and_then(Value::as_str).unwrap_or("");
        if content.is_empty() {
            return Err(refuse(44002, "empty post data"));
        }
        if content.chars().count() > MAX_CONTENT_CHARS {
            return Err(refuse(47001, "data format error, content too long"));
        }
        let contains_any = |words: &[String]| words.iter().any(|w| content.contains(w.as_str()));
        let (suggest, label) = if contains_any(&self.risky_words) {
            ("risky", 20001)
        } else if contains_any(&self.review_words) {
            ("review", 21000)
        } else {
            ("pass", 100)
        };
        Ok(json!({
            "errcode": 0,
            "errmsg": "ok",
            "result": { "suggest": suggest, "label": label },
            "detail": [{ "strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label }],
            "trace_id": random_id(24),
        }))
    }

    pub(crate) fn issue_phone_code(&mut self, phone: &str) -> String {
        let code = random_id(32);
        self.phone_codes.insert(code.clone(), phone.to_owned());
        code
    }

    pub(crate) fn phone_number(&mut self, body: &Value) -> Outcome {
        let code = body.get("code").and_then(Value::as_str).unwrap_or("");
        let Some(phone) = self.phone_codes.remove(code) else {
            return Err(refuse(40029, "invalid code"));
        };
        Ok(json!({
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": phone,
                "purePhoneNumber": phone,
                // A string, as real answers often carry it; clients must accept numbers too.
                "countryCode": "86",
                "watermark": { "timestamp": unix_now(), "appid": self.appid },
            },
        }))
    }

    pub(crate) fn subscribe_send(&mut self, body: &Value) -> Outcome {
        if self.failing_sends.0 > 0 {
            self.failing_sends.0 -= 1;
            return Err(refuse(self.failing_sends.1, "injected failure"));
        }
        let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or("");
        let (openid, template_id) = (text("touser"), text("template_id"));
        let Some(keys) = self.templates.get(template_id) else {
            return Err(refuse(40037, "invalid template id"));
        };
        if !self.known_openids.contains(openid) {
            return Err(refuse(40003, "invalid openid"));
        }
        let empty = serde_json::Map::new();
        let data = body.get("data").and_then(Value::as_object).unwrap_or(&empty);
        if let Some(extra) = data.keys().find(|k| !keys.contains(k)) {
            return Err(refuse(47003, format!("argument invalid! data.{extra} unknown key")));
        }
        for key in keys {
            let value = data.get(key).and_then(|v| v.get("value")).and_then(Value::as_str);
            if !value.is_some_and(|v| value_fits(key, v)) {
                return Err(refuse(47003, format!("argument invalid! data.{key}.value invalid")));
            }
        }
        let slot = (openid.to_owned(), template_id.to_owned());
        match self.quotas.get_mut(&slot) {
            Some(left) if *left > 0 => *left -= 1,
            _ => return Err(refuse(43101, "user refuse to accept the msg")),
        }
        self.next_msgid += 1;
        self.subscribe_log.push(body.clone());
        Ok(json!({ "errcode": 0, "errmsg": "ok", "msgid": self.next_msgid }))
    }

    pub(crate) fn grant_subscription(&mut self, openid: &str, template_id: &str, count: u32) {
        self.known_openids.insert(openid.to_owned());
        let slot = (openid.to_owned(), template_id.to_owned());
        *self.quotas.entry(slot).or_default() += count;
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
