//! WeChat subscribe messages: one template per kind, values shaped to each key's rules, a deep
//! link to the subject, and quota spent on success (zeroed on 43101 by the worker).

use std::collections::BTreeMap;

use microwish_core::NotificationKind::{self, *};
use microwish_wechat::{Lang, MiniProgram, MiniprogramState, SubscribeMessage, shape_value};

use crate::delivery::Failure;
use crate::queue::Claimed;

/// The keys our subscribe-message templates are created with in the WeChat console.
/// `thing1` what, `phrase2` status, `time3` when, `thing4` a note.
pub const TEMPLATE_KEYS: [&str; 4] = ["thing1", "phrase2", "time3", "thing4"];

/// A status phrase of at most five Chinese characters, as `phrase` values require.
fn phrase(kind: NotificationKind) -> &'static str {
    match kind {
        WishClaimed | WishAssigned => "已认领",
        WishFulfilled => "待确认",
        WishConfirmed => "已完成",
        WishReleased => "重新开放",
        WishCancelled => "已取消",
        WishRejected => "未通过",
        WishApproved => "已发布",
        WishReview => "待审核",
        Alert | GridAlert => "需关注",
        EventInvitation | GridEvent => "邀请",
        EventReminder => "即将开始",
        WishOverdue | WishConfirmReminder | Digest | WeeklyDigest | EventUpdate | EventCancelled | EventPromoted => {
            "通知"
        }
    }
}

/// The mini-program page the message opens.
pub fn page(n: &Claimed) -> String {
    match n.subject_type.as_str() {
        "event" => format!("pages/event/detail?id={}", n.subject_id),
        _ => format!("pages/wish/detail?id={}", n.subject_id),
    }
}

/// Builds the message for `n` (local time already formatted by the caller as `YYYY-MM-DD HH:MM`).
pub fn message(
    n: &Claimed,
    openid: &str,
    template: &str,
    state: &str,
    local_time: &str,
    note: &str,
) -> SubscribeMessage {
    let title = n.payload.get("title").and_then(|t| t.as_str()).unwrap_or("社区通知");
    let mut data = BTreeMap::new();
    data.insert("thing1".to_string(), shape_value("thing1", title));
    data.insert("phrase2".to_string(), shape_value("phrase2", phrase(n.kind)));
    data.insert("time3".to_string(), local_time.to_string());
    data.insert("thing4".to_string(), shape_value("thing4", note));
    SubscribeMessage {
        touser: openid.to_string(),
        template_id: template.to_string(),
        page: Some(page(n)),
        data,
        miniprogram_state: match state {
            "developer" => MiniprogramState::Developer,
            "trial" => MiniprogramState::Trial,
            _ => MiniprogramState::Formal,
        },
        lang: Lang::ZhCn,
    }
}

/// Sends one subscribe message.
pub async fn send(client: &MiniProgram, msg: &SubscribeMessage) -> Result<(), Failure> {
    client
        .send_subscribe_message(msg)
        .await
        .map(|_| ())
        .map_err(|e| super::wechat_failure(&e))
}
