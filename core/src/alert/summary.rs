//! The one line an alert shows people (its `summary` in the API, the console's queue, the work
//! group's message, the leader's email). Alerts are read long after they were raised, by readers
//! of either language, so a raise stores only the facts (kind and `params`) and the line is
//! rendered when read, from `core/templates/{zh-CN,en}/alert_summary.txt`.

use std::sync::OnceLock;

use minijinja::Environment;
use serde_json::{Value, json};

use crate::Lang;
use crate::notify::NotificationKind;

/// Why an alert was raised, with the facts its line needs (the wish's title comes beside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// An urgent wish was posted.
    Urgent,
    /// A wish of a resident the leader marked vulnerable was posted.
    Vulnerable,
    /// Open this many hours without a claim.
    Unclaimed { hours: i64 },
    /// Still unclaimed this many hours, and the leader has not acted.
    UnclaimedEscalated { hours: i64 },
    /// Claimed this many hours ago and not yet fulfilled.
    OverdueClaim { hours: i64 },
    /// Rated this low: the leader should call back (回访).
    Callback { rating: i64 },
    /// The callback's deadline passed.
    CallbackOverdue,
    /// An offline resident without family must be told of `news` about their wish by phone.
    PhoneCall { name: String, news: NotificationKind },
    /// A care visit to resident `name` is this many days overdue.
    VisitOverdue { name: String, days: i64 },
}

impl Reason {
    /// The alert's kind, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::Urgent => "urgent",
            Reason::Vulnerable => "vulnerable",
            Reason::Unclaimed { .. } => "unclaimed",
            Reason::UnclaimedEscalated { .. } => "unclaimed_escalated",
            Reason::OverdueClaim { .. } => "overdue_claim",
            Reason::Callback { .. } => "callback",
            Reason::CallbackOverdue => "callback_overdue",
            Reason::PhoneCall { .. } => "phone_call",
            Reason::VisitOverdue { .. } => "visit_overdue",
        }
    }

    /// The facts the line is rendered from, as stored in `alerts.params`: the wish's `title`
    /// and whatever this reason adds.
    pub fn params(&self, title: &str) -> Value {
        let mut params = match self {
            Reason::Unclaimed { hours } | Reason::UnclaimedEscalated { hours } | Reason::OverdueClaim { hours } => {
                json!({ "hours": hours })
            }
            Reason::Callback { rating } => json!({ "rating": rating }),
            Reason::PhoneCall { name, news } => json!({ "name": name, "news": news.as_str() }),
            Reason::VisitOverdue { name, days } => json!({ "name": name, "days": days }),
            Reason::Urgent | Reason::Vulnerable | Reason::CallbackOverdue => json!({}),
        };
        params["title"] = Value::from(title);
        params
    }
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = crate::lang::template_environment();
        for (lang, source) in [
            (Lang::ZhCn, include_str!("../../templates/zh-CN/alert_summary.txt")),
            (Lang::En, include_str!("../../templates/en/alert_summary.txt")),
        ] {
            // Compiled in and rendered by the tests below: a syntax error is a build-time bug.
            env.add_template(lang.tag(), source).expect("embedded template parses");
        }
        env
    })
}

/// The line for an alert of `kind` with facts `params`, in `lang`; `None` for a kind the
/// templates do not know (the reader then falls back to a stored line, if any).
pub fn render(kind: &str, params: &Value, lang: Lang) -> Option<String> {
    let ctx = minijinja::Value::from_serialize(params);
    let ctx = minijinja::context! { kind => kind, ..ctx };
    let line = env().get_template(lang.tag()).ok()?.render(ctx);
    match line {
        Ok(line) => Some(line.trim().to_string()).filter(|l| !l.is_empty()),
        Err(err) => {
            tracing::warn!(kind, %err, "alert summary did not render");
            None
        }
    }
}

/// The line for an alert notification's payload: rendered from its `alert_kind` and
/// `alert_params`, or the `summary` that notifications queued before the facts were stored carry.
pub fn of_payload(payload: &Value, lang: Lang) -> Option<String> {
    let kind = payload.get("alert_kind").and_then(Value::as_str);
    let rendered = kind
        .zip(payload.get("alert_params"))
        .and_then(|(k, p)| render(k, p, lang));
    rendered.or_else(|| payload.get("summary").and_then(Value::as_str).map(str::to_string))
}

/// Whole hours in `ms`, at least one (an alert never says "0 hours").
pub fn hours(ms: i64) -> i64 {
    (ms / 3_600_000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_reason() -> Vec<Reason> {
        let name = "王奶奶".to_string();
        vec![
            Reason::Urgent,
            Reason::Vulnerable,
            Reason::Unclaimed { hours: 5 },
            Reason::UnclaimedEscalated { hours: 30 },
            Reason::OverdueClaim { hours: 1 },
            Reason::Callback { rating: 2 },
            Reason::CallbackOverdue,
            Reason::PhoneCall {
                name: name.clone(),
                news: NotificationKind::WishClaimed,
            },
            Reason::VisitOverdue { name, days: 3 },
        ]
    }

    #[test]
    fn every_reason_has_a_line_in_both_languages_naming_its_facts() {
        for reason in every_reason() {
            let params = reason.params("修灯");
            for lang in Lang::ALL {
                let line = render(reason.kind(), &params, lang).unwrap_or_default();
                assert!(
                    !line.is_empty() && !line.contains('\n'),
                    "{reason:?} {lang:?}: {line:?}"
                );
                let named = ["title", "name"]
                    .iter()
                    .filter_map(|k| params[k].as_str())
                    .any(|v| line.contains(v));
                assert!(named, "{reason:?} {lang:?}: {line}");
                for number in ["hours", "rating", "days"].iter().filter_map(|k| params[k].as_i64()) {
                    assert!(line.contains(&number.to_string()), "{reason:?} {lang:?}: {line}");
                }
            }
        }
    }

    #[test]
    fn lines_read_as_before_in_chinese_and_count_in_english() {
        let zh = |r: Reason| render(r.kind(), &r.params("修灯"), Lang::ZhCn).unwrap();
        let en = |r: Reason| render(r.kind(), &r.params("Fix the light"), Lang::En).unwrap();
        assert_eq!(zh(Reason::Unclaimed { hours: 5 }), "心愿「修灯」已等待 5 小时无人认领");
        assert_eq!(
            en(Reason::Unclaimed { hours: 1 }),
            "“Fix the light” has waited 1 hour without a volunteer"
        );
        assert_eq!(
            en(Reason::Callback { rating: 2 }),
            "“Fix the light” was rated 2 stars: please call the resident back"
        );
        let news = |news| Reason::PhoneCall {
            name: "王奶奶".into(),
            news,
        };
        assert_eq!(
            zh(news(NotificationKind::WishFulfilled)),
            "请电话告知居民王奶奶（无微信）：心愿「修灯」志愿者已完成，请确认"
        );
        assert!(zh(news(NotificationKind::EventUpdate)).ends_with("有新动态"));
    }

    #[test]
    fn unknown_kinds_fall_back_and_old_payloads_keep_their_line() {
        assert_eq!(render("no_such_kind", &json!({}), Lang::En), None);
        let old = json!({ "alert_kind": "urgent", "summary": "紧急心愿：「旧」" });
        assert_eq!(of_payload(&old, Lang::En).as_deref(), Some("紧急心愿：「旧」"));
        let new = json!({ "alert_kind": "urgent", "alert_params": { "title": "新" } });
        assert_eq!(of_payload(&new, Lang::En).as_deref(), Some("Urgent wish: “新”"));
        assert_eq!(hours(10), 1);
        assert_eq!(hours(7_300_000), 2);
    }
}
