//! WeChat subscribe messages: the kind's configured template (`[wechat.templates]`), each keyword
//! filled with the value the mapping names, shaped to the keyword's rules (never empty, never
//! over length), a deep link to the subject, in the reader's language; the recipient's one-time
//! quota spent on success (zeroed on 43101).

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use microwish_core::Db;
use microwish_core::NotificationKind::*;
use microwish_core::notify::template::CLASSIC_KEYWORDS;
use microwish_core::notify::{MessageValue, Notification, TemplateMapping};
use microwish_core::people::subscription;
use microwish_wechat::{Lang as WechatLang, MiniProgram, MiniprogramState, SubscribeMessage, shape_value_or};

use super::{Deliver, Job};
use crate::delivery::{Failure, FailureClass};
use crate::render::Lang;
use crate::render::values::{self, Facts};

/// The keywords of the classic template (a mapping given as a bare id): `thing1` what,
/// `phrase2` status, `time3` when, `thing4` a note.
pub const TEMPLATE_KEYS: [&str; 4] = [
    CLASSIC_KEYWORDS[0].0,
    CLASSIC_KEYWORDS[1].0,
    CLASSIC_KEYWORDS[2].0,
    CLASSIC_KEYWORDS[3].0,
];

/// Sends subscribe messages through the process's shared WeChat client.
pub struct WechatChannel {
    client: MiniProgram,
    db: Db,
    tz: TimeZone,
    state: MiniprogramState,
}

impl WechatChannel {
    /// A channel over `client`; `state` is `developer`, `trial` or `formal` (the build a message
    /// opens); quota updates go to `db`; times show in `tz`.
    pub fn new(client: MiniProgram, db: Db, tz: TimeZone, state: &str) -> Self {
        let state = match state {
            "developer" => MiniprogramState::Developer,
            "trial" => MiniprogramState::Trial,
            _ => MiniprogramState::Formal,
        };
        Self { client, db, tz, state }
    }
}

impl Deliver for WechatChannel {
    async fn deliver(&self, job: &Job<'_>) -> Result<(), Failure> {
        let Some(template) = &job.route.template else {
            return Err(Failure::new(
                FailureClass::Permanent,
                "no WeChat template for this kind",
            ));
        };
        let facts = Facts {
            n: job.n,
            lang: job.to.lang,
            tz: &self.tz,
            community: job.community,
            now: job.now,
        };
        let mut msg = message(template, &job.to.openid, &facts);
        msg.miniprogram_state = self.state;
        let result = self
            .client
            .send_subscribe_message(&msg)
            .await
            .map(drop)
            .map_err(|e| super::wechat_failure(&e));
        let pool = self.db.pool();
        let update = match &result {
            Ok(()) if job.route.quota_tracked => subscription::spend(pool, job.to.id, &template.id, job.now).await,
            Err(f) if f.class == FailureClass::NoQuota => {
                subscription::exhaust(pool, job.to.id, &template.id, job.now).await
            }
            _ => Ok(()),
        };
        if let Err(err) = update {
            tracing::warn!(error = %err, "could not update subscribe-message quota");
        }
        result
    }
}

/// The subject's own page in the mini-program.
fn own_page(n: &Notification) -> String {
    let text = |key: &str| n.payload.get(key).map(plain).unwrap_or_default();
    match (n.kind, n.subject_type.as_str()) {
        (Digest, _) => format!("pages/grid/digest?date={}", text("date")),
        (WeeklyDigest, _) => format!("pages/wish/list?status=open&grid_id={}", text("grid_id")),
        (_, "event") => format!("pages/event/detail?id={}", n.subject_id),
        (_, "resident") => format!("pages/resident/detail?id={}", n.subject_id),
        (_, "alert") => format!("pages/alert/detail?id={}", n.subject_id),
        (_, "residence_request") => format!("pages/residence/review?id={}", n.subject_id),
        (_, "project") => format!("pages/project/detail?id={}", n.subject_id),
        (_, "registration") => format!("pages/party/registration?id={}", n.subject_id),
        (_, "notice") => format!("pages/notice/detail?id={}", n.subject_id),
        (PartyReminder, _) => "pages/party/me".to_string(),
        _ => format!("pages/wish/detail?id={}", n.subject_id),
    }
}

/// A payload value as it may stand in a page's query: numbers and plain words only, so a title
/// can never add parameters or break the path.
fn plain(v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect()
}

/// The page a tap opens: the mapping's own, its `{id}` and `{payload_key}` filled in, else the
/// subject's page.
pub fn page(n: &Notification, template: &TemplateMapping) -> String {
    let Some(pattern) = &template.page else {
        return own_page(n);
    };
    let mut page = pattern.replace("{id}", &n.subject_id.to_string());
    if let Some(map) = n.payload.as_object() {
        for (key, value) in map {
            page = page.replace(&format!("{{{key}}}"), &plain(value));
        }
    }
    page
}

/// Builds the message for `facts.n` to `openid` with `template`, for the formal build: every
/// keyword the mapping names, shaped to its rules (a value that shapes to nothing falls back to
/// the note, then to the community's name).
pub fn message(template: &TemplateMapping, openid: &str, facts: &Facts<'_>) -> SubscribeMessage {
    let note = values::value(MessageValue::Note, facts);
    let data: BTreeMap<String, String> = template
        .data
        .iter()
        .map(|(keyword, value)| {
            let fallback = match value {
                MessageValue::Status => values::status(facts.n.kind).to_string(),
                MessageValue::Count => "1".to_string(),
                MessageValue::Time => values::value(MessageValue::Time, facts),
                _ => format!("{note} {}", facts.community),
            };
            let shaped = shape_value_or(keyword, &values::value(*value, facts), fallback.trim());
            (keyword.clone(), shaped)
        })
        .collect();
    SubscribeMessage {
        touser: openid.to_string(),
        template_id: template.id.clone(),
        page: Some(page(facts.n, template)),
        data,
        miniprogram_state: MiniprogramState::Formal,
        lang: match facts.lang {
            Lang::ZhCn => WechatLang::ZhCn,
            Lang::En => WechatLang::EnUs,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use microwish_core::NotificationKind;
    use microwish_wechat::value_fits;

    #[test]
    fn pages_fill_in_only_plain_values() {
        let n = Notification {
            payload: serde_json::json!({ "grid_id": 7, "title": "a&b=c?d" }),
            ..crate::render::tests::notification(NotificationKind::WeeklyDigest)
        };
        assert_eq!(page(&n, &"T".into()), "pages/wish/list?status=open&grid_id=7");
        let custom = TemplateMapping {
            page: Some("pages/x?id={id}&t={title}&g={grid_id}".into()),
            ..TemplateMapping::classic("T")
        };
        assert_eq!(page(&n, &custom), format!("pages/x?id={}&t=abcd&g=7", n.subject_id));
    }

    #[test]
    fn every_kind_fills_every_keyword_with_something_wechat_takes() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let every = TemplateMapping {
            data: [
                ("thing1", MessageValue::Title),
                ("phrase2", MessageValue::Status),
                ("time3", MessageValue::Time),
                ("thing4", MessageValue::Note),
                ("thing5", MessageValue::Reason),
                ("thing6", MessageValue::Location),
                ("number7", MessageValue::Count),
                ("date8", MessageValue::Time),
                ("thing9", MessageValue::Community),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            ..TemplateMapping::classic("T")
        };
        let long = "社区志愿者帮助独居老人买菜并送到家门口的心愿已经被认领了🙂".repeat(3);
        for kind in NotificationKind::ALL {
            for payload in [
                serde_json::json!({}),
                serde_json::json!({ "title": long, "location": " \n " }),
            ] {
                let n = Notification {
                    payload,
                    ..crate::render::tests::notification(kind)
                };
                for lang in Lang::ALL {
                    let facts = Facts {
                        n: &n,
                        lang,
                        tz: &tz,
                        community: "幸福社区",
                        now: 1_764_547_200_000,
                    };
                    let msg = message(&every, "o1", &facts);
                    for (key, value) in &msg.data {
                        assert!(value_fits(key, value), "{kind} {lang:?} {key}: `{value}`");
                    }
                }
            }
        }
    }
}
