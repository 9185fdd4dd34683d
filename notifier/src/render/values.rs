//! Our values for chat templates (`core::notify::MessageValue`): what a notification says when a
//! WeChat subscribe message has only a few short keywords — a title, a status word, a time, a note
//! — in the reader's language (a status word is always Chinese: WeChat's `phrase` takes nothing
//! else). Shaping each to its keyword's rules is the WeChat channel's job.

use jiff::tz::TimeZone;
use microwish_core::NotificationKind::{self, *};
use microwish_core::alert::summary;
use microwish_core::notify::{MessageValue, Notification};
use serde_json::Value;

use super::Lang;

/// What a value is worked out from.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The notification.
    pub n: &'a Notification,
    /// The reader's language.
    pub lang: Lang,
    /// The community's time zone.
    pub tz: &'a TimeZone,
    /// The community's name.
    pub community: &'a str,
    /// Now, epoch ms.
    pub now: i64,
}

impl Facts<'_> {
    fn text(&self, key: &str) -> Option<&str> {
        self.n
            .payload
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    fn number(&self, key: &str) -> Option<i64> {
        self.n.payload.get(key).and_then(Value::as_i64)
    }

    fn words(&self, zh: String, en: String) -> String {
        match self.lang {
            Lang::ZhCn => zh,
            Lang::En => en,
        }
    }
}

/// The value `v` of the notification, never empty.
pub fn value(v: MessageValue, f: &Facts<'_>) -> String {
    match v {
        MessageValue::Title => title(f),
        MessageValue::Status => status(f.n.kind).to_string(),
        MessageValue::Time => {
            // Events show when they start, visits when they fall due, the rest when it happened.
            let starts = f.text("starts_at").and_then(microwish_core::clock::parse_rfc3339);
            let at = starts.or_else(|| f.number("due_at")).unwrap_or(f.now);
            crate::quiet::local_time(f.tz, at)
        }
        MessageValue::Note => note(f),
        MessageValue::Reason => f.text("reason").map_or_else(|| note(f), str::to_string),
        MessageValue::Location => f.text("location").unwrap_or(f.community).to_string(),
        MessageValue::Count => {
            let count = match f.n.kind {
                Digest => f.number("attention"),
                WeeklyDigest => f.number("open"),
                _ => None,
            };
            count.unwrap_or(1).max(0).to_string()
        }
        MessageValue::Community => f.community.to_string(),
    }
}

/// What it is about: the wish's, event's or project's title; for care and residence news the
/// resident; for a digest its day.
fn title(f: &Facts<'_>) -> String {
    let name = f.text("resident_name");
    match (f.n.kind, name) {
        (VisitDue | VisitRecorded, Some(name)) => f.words(format!("走访{name}"), format!("Visit to {name}")),
        (ResidenceRequest, Some(name)) => f.words(format!("{name}申请入住"), format!("{name}: residence")),
        (PartyReminder, _) => {
            let year = f.number("year").unwrap_or(0);
            f.words(format!("{year}年度志愿服务"), format!("Your service in {year}"))
        }
        (Digest, _) => {
            let date = f.text("date").unwrap_or("");
            f.words(format!("{date} 网格日报"), format!("Grid digest {date}"))
        }
        (WeeklyDigest, _) => f.words("本周待认领心愿".into(), "Open wishes this week".into()),
        // A project's news: the project's title.
        _ => f
            .text("title")
            .or_else(|| f.text("project_title"))
            .map_or_else(|| note(f), str::to_string),
    }
}

/// One line saying what happened: an alert's own line, a digest's figures, else the kind's.
fn note(f: &Facts<'_>) -> String {
    let count = |key: &str| f.number(key).unwrap_or(0);
    match f.n.kind {
        Alert => summary::of_payload(&f.n.payload, f.lang)
            .unwrap_or_else(|| super::short_text(f.n.kind, f.lang, &f.n.payload)),
        Digest => f.words(
            format!(
                "待认领{}，逾期{}，新增{}",
                count("open"),
                count("overdue"),
                count("new")
            ),
            format!(
                "{} open, {} overdue, {} new",
                count("open"),
                count("overdue"),
                count("new")
            ),
        ),
        WeeklyDigest => f.words(
            format!("网格内{}个心愿等待认领", count("open")),
            format!("{} wishes await a volunteer", count("open")),
        ),
        // A notice's own first words (the channel cuts them to its keyword's length).
        Notice => f
            .text("body")
            .map_or_else(|| super::short_text(Notice, f.lang, &f.n.payload), str::to_string),
        kind => super::short_text(kind, f.lang, &f.n.payload),
    }
}

/// A status word of at most five Chinese characters, as `phrase` values require.
pub fn status(kind: NotificationKind) -> &'static str {
    match kind {
        WishClaimed | WishAssigned => "已认领",
        WishFulfilled | WishConfirmReminder => "待确认",
        WishConfirmed => "已完成",
        WishReleased => "重新开放",
        WishCancelled | EventCancelled => "已取消",
        WishRejected => "未通过",
        WishApproved => "已发布",
        WishReview | ResidenceRequest => "待审核",
        WishOverdue => "已超时",
        WishOffered => "待您认领",
        Alert | GridAlert => "需关注",
        EventInvitation | GridEvent => "邀请",
        EventReminder => "即将开始",
        EventUpdate => "有变更",
        EventPromoted => "候补成功",
        VisitDue => "待走访",
        VisitRecorded => "已走访",
        Digest => "日报",
        WeeklyDigest => "周报",
        WishDelivered => "已完成",
        ProjectProposed | UnitProject => "待回复",
        ProjectAgreed => "已同意",
        ProjectDeclined => "已婉拒",
        ProjectDelivered => "已交付",
        PartyRegistration => "待审批",
        PartyApproved => "已通过",
        PartyRejected => "未通过",
        PartyReminder => "温馨提醒",
        Notice => "通知",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use microwish_wechat::value_fits;

    fn notification(kind: NotificationKind, payload: Value) -> Notification {
        Notification {
            payload,
            ..crate::render::tests::notification(kind)
        }
    }

    #[test]
    fn every_status_word_is_a_phrase_wechat_takes() {
        for kind in NotificationKind::ALL {
            assert!(value_fits("phrase2", status(kind)), "{kind}: {}", status(kind));
        }
    }

    #[test]
    fn every_value_of_every_kind_is_something_in_both_languages() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        for kind in NotificationKind::ALL {
            let n = notification(kind, serde_json::json!({}));
            for lang in Lang::ALL {
                let f = Facts {
                    n: &n,
                    lang,
                    tz: &tz,
                    community: "幸福社区",
                    now: 1_764_547_200_000,
                };
                for v in MessageValue::ALL {
                    assert!(!value(v, &f).trim().is_empty(), "{kind} {v} {lang:?}");
                }
            }
        }
    }

    #[test]
    fn values_come_from_the_message_in_the_readers_language() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let visit = notification(
            VisitDue,
            serde_json::json!({ "resident_name": "王奶奶", "due_at": 1_764_547_200_000_i64 }),
        );
        let en = Facts {
            n: &visit,
            lang: Lang::En,
            tz: &tz,
            community: "Happy",
            now: 0,
        };
        assert_eq!(value(MessageValue::Title, &en), "Visit to 王奶奶");
        assert_eq!(value(MessageValue::Time, &en), "2025-12-01 08:00");
        assert_eq!(value(MessageValue::Location, &en), "Happy");
        let rejected = notification(
            WishRejected,
            serde_json::json!({ "title": "买药", "reason": "请写清楼号" }),
        );
        let zh = Facts {
            n: &rejected,
            lang: Lang::ZhCn,
            tz: &tz,
            community: "幸福社区",
            now: 0,
        };
        assert_eq!(value(MessageValue::Reason, &zh), "请写清楼号");
        assert_eq!(value(MessageValue::Status, &zh), "未通过");
        let digest = notification(
            Digest,
            serde_json::json!({ "date": "2025-12-01", "open": 4, "overdue": 1, "new": 2, "attention": 3 }),
        );
        let zh = Facts { n: &digest, ..zh };
        assert_eq!(value(MessageValue::Count, &zh), "3");
        assert_eq!(value(MessageValue::Note, &zh), "待认领4，逾期1，新增2");
    }
}
