//! Renders a notification into words: a subject, a plain-text body and an HTML body from the
//! template files under `notifier/templates/` (zh-CN by default, English on request), plus a
//! one-line summary for the chat channels.

mod calendar;
mod short;
pub mod values;

use std::sync::OnceLock;

use microwish_core::NotificationKind;
use microwish_core::alert::summary;
use minijinja::{Environment, Value, context};

/// The language a recipient reads (core's: the alert lines it renders share it).
pub use microwish_core::Lang;

pub use calendar::event_calendar;
pub use short::short_text;

/// One notification in words, ready for a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line, no markup.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body; user text in it is escaped.
    pub html: String,
}

/// A template failed to render (a bug in a template file, never in the payload).
#[derive(Debug, thiserror::Error)]
#[error("rendering template `{name}`: {source}")]
pub struct RenderError {
    name: String,
    #[source]
    source: minijinja::Error,
}

/// `(name, source)` for every template of one language, embedded at compile time so the binary
/// needs no files beside it.
macro_rules! templates {
    ($lang:literal: $($kind:literal),* $(,)?) => {
        [
            (concat!($lang, "/base.txt"), include_str!(concat!("../../templates/", $lang, "/base.txt"))),
            (concat!($lang, "/base.html"), include_str!(concat!("../../templates/", $lang, "/base.html"))),
            (concat!($lang, "/event.html"), include_str!(concat!("../../templates/", $lang, "/event.html"))),
            $(
                (concat!($lang, "/", $kind, "/subject.txt"),
                 include_str!(concat!("../../templates/", $lang, "/", $kind, "/subject.txt"))),
                (concat!($lang, "/", $kind, "/body.txt"),
                 include_str!(concat!("../../templates/", $lang, "/", $kind, "/body.txt"))),
                (concat!($lang, "/", $kind, "/body.html"),
                 include_str!(concat!("../../templates/", $lang, "/", $kind, "/body.html"))),
            )*
        ]
    };
}

macro_rules! all_kinds {
    ($lang:literal) => {
        templates!($lang: "wish_claimed", "wish_assigned", "wish_released", "wish_fulfilled", "wish_confirmed",
            "wish_cancelled", "wish_rejected", "wish_approved", "wish_review", "alert", "event_invitation", "event_update",
            "event_cancelled", "event_reminder", "event_promoted", "digest", "weekly_digest", "visit_due", "visit_recorded",
            "residence_request", "wish_delivered", "project_proposed", "project_agreed", "project_declined",
            "project_delivered", "wish_overdue", "wish_confirm_reminder", "wish_offered", "party_registration",
            "party_approved", "party_rejected", "party_reminder", "notice", "generic")
    };
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = microwish_core::lang::template_environment();
        for (name, source) in all_kinds!("zh-CN").into_iter().chain(all_kinds!("en")) {
            // The sources are compiled in and covered by tests; a syntax error is a build-time bug.
            env.add_template(name, source).expect("embedded template parses");
        }
        env
    })
}

/// Renders notification `kind` for a recipient reading `lang` from the templates under its
/// [`template_key`](NotificationKind::template_key). The payload's keys (`wish_id`, `title`,
/// `status`, `grid_id`, `urgency`, `category`, …) are the templates' variables; missing or null
/// keys render as empty. An alert's one line, rendered from its facts, is `summary`.
pub fn render(
    kind: NotificationKind,
    lang: Lang,
    payload: &serde_json::Value,
    community: &str,
) -> Result<Rendered, RenderError> {
    let line = summary::of_payload(payload, lang);
    let ctx = context! { kind => kind.as_str(), community => community, summary => line, ..payload_value(payload) };
    let one = |part: &str| -> Result<String, RenderError> {
        let name = format!("{}/{}/{part}", lang.tag(), kind.template_key());
        let render = || env().get_template(&name)?.render(&ctx);
        render().map_err(|source| RenderError {
            name: name.clone(),
            source,
        })
    };
    Ok(Rendered {
        subject: one_line(&one("subject.txt")?),
        text: one("body.txt")?,
        html: one("body.html")?,
    })
}

/// The payload's object without its nulls, so a missing and a null key read the same.
fn payload_value(payload: &serde_json::Value) -> Value {
    let map: serde_json::Map<String, serde_json::Value> = match payload {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        _ => serde_json::Map::new(),
    };
    Value::from_serialize(map)
}

/// Subjects are headers: a title with line breaks in it must not split them.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A claimed notification of `kind` about wish 3, with an empty payload.
    pub(crate) fn notification(kind: NotificationKind) -> microwish_core::notify::Notification {
        microwish_core::notify::Notification {
            id: 1,
            kind,
            recipient_id: 2,
            subject_type: "wish".into(),
            subject_id: 3,
            urgent: false,
            payload: serde_json::json!({}),
            status: microwish_core::notify::Status::Sending,
            attempts: 0,
            claims: 1,
            last_error: None,
            channel: None,
            channels_failed: Vec::new(),
            history: Vec::new(),
            created_at: 0,
        }
    }

    #[test]
    fn every_kind_has_its_templates_in_both_languages() {
        for kind in NotificationKind::ALL {
            for lang in [Lang::ZhCn, Lang::En] {
                for part in ["subject.txt", "body.txt", "body.html"] {
                    let name = format!("{}/{}/{part}", lang.tag(), kind.template_key());
                    assert!(env().get_template(&name).is_ok(), "{kind}: {name} is missing");
                }
            }
        }
    }

    #[test]
    fn family_copies_name_the_relative() {
        let copy = serde_json::json!({ "title": "买药", "for_resident_name": "王奶奶" });
        let zh = render(NotificationKind::WishClaimed, Lang::ZhCn, &copy, "幸福社区").unwrap();
        assert!(zh.subject.contains("王奶奶的心愿「买药」"), "{}", zh.subject);
        let own = render(
            NotificationKind::WishClaimed,
            Lang::ZhCn,
            &serde_json::json!({ "title": "买药" }),
            "幸福社区",
        );
        assert!(own.unwrap().subject.contains("您的心愿"));
        let en = render(NotificationKind::WishFulfilled, Lang::En, &copy, "Happy").unwrap();
        assert!(en.text.contains("王奶奶's wish"), "{}", en.text);
        let visit = serde_json::json!({ "resident_name": "王奶奶", "outcome_text": "需要帮助", "note": "水管漏了", "wish_id": 7 });
        let told = render(NotificationKind::VisitRecorded, Lang::ZhCn, &visit, "幸福社区").unwrap();
        assert!(told.subject.contains("王奶奶：需要帮助"), "{}", told.subject);
        assert!(
            told.text.contains("水管漏了") && told.text.contains("登记了一个心愿"),
            "{}",
            told.text
        );
    }

    #[test]
    fn an_alert_email_says_what_is_wrong_in_the_readers_language() {
        let payload = serde_json::json!({
            "alert_kind": "callback", "alert_params": { "title": "买药", "rating": 1 }, "title": "买药",
        });
        let zh = render(NotificationKind::Alert, Lang::ZhCn, &payload, "幸福社区").unwrap();
        assert!(
            zh.text.contains("心愿「买药」获得 1 星评价，请回访。请及时跟进。"),
            "{}",
            zh.text
        );
        let en = render(NotificationKind::Alert, Lang::En, &payload, "Happy").unwrap();
        assert!(
            en.html
                .contains("“买药” was rated 1 star: please call the resident back."),
            "{}",
            en.html
        );
    }
}
