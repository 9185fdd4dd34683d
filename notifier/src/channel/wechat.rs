//! WeChat subscribe messages: one template per kind, values shaped to each key's rules, a deep
//! link to the subject, and the recipient's one-time quota spent on success (zeroed on 43101).

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use microwish_core::Db;
use microwish_core::NotificationKind::{self, *};
use microwish_core::notify::Notification;
use microwish_core::people::subscription;
use microwish_wechat::{Lang, MiniProgram, MiniprogramState, SubscribeMessage, shape_value};

use super::{Deliver, Job};
use crate::delivery::{Failure, FailureClass};
use crate::render;

/// The keys our subscribe-message templates are created with in the WeChat console.
/// `thing1` what, `phrase2` status, `time3` when, `thing4` a note.
pub const TEMPLATE_KEYS: [&str; 4] = ["thing1", "phrase2", "time3", "thing4"];

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
        let template = job.route.template.clone().unwrap_or_default();
        // Event messages show when the event starts; everything else, when it happened.
        let starts = job.n.payload.get("starts_at").and_then(|v| v.as_str());
        let when = starts.and_then(microwish_core::clock::parse_rfc3339).unwrap_or(job.now);
        let local = crate::quiet::local_time(&self.tz, when);
        let note = render::short_text(job.n.kind, render::Lang::ZhCn, &job.n.payload);
        let mut msg = message(job.n, &job.to.openid, &template, &local, &note);
        msg.miniprogram_state = self.state;
        let result = self
            .client
            .send_subscribe_message(&msg)
            .await
            .map(drop)
            .map_err(|e| super::wechat_failure(&e));
        let pool = self.db.pool();
        let update = match &result {
            Ok(()) if job.route.quota_tracked => subscription::spend(pool, job.to.id, &template, job.now).await,
            Err(f) if f.class == FailureClass::NoQuota => {
                subscription::exhaust(pool, job.to.id, &template, job.now).await
            }
            _ => Ok(()),
        };
        if let Err(err) = update {
            tracing::warn!(error = %err, "could not update subscribe-message quota");
        }
        result
    }
}

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
        VisitDue => "待走访",
        VisitRecorded => "已走访",
        ResidenceRequest => "待审核",
        WishOverdue | WishConfirmReminder | Digest | WeeklyDigest | EventUpdate | EventCancelled | EventPromoted => {
            "通知"
        }
    }
}

/// The mini-program page the message opens.
pub fn page(n: &Notification) -> String {
    match n.subject_type.as_str() {
        "event" => format!("pages/event/detail?id={}", n.subject_id),
        "resident" => format!("pages/resident/detail?id={}", n.subject_id),
        "alert" => format!("pages/alert/detail?id={}", n.subject_id),
        "residence_request" => format!("pages/residence/review?id={}", n.subject_id),
        _ => format!("pages/wish/detail?id={}", n.subject_id),
    }
}

/// Builds the message for `n` (local time already formatted as `YYYY-MM-DD HH:MM`), for the
/// formal build.
pub fn message(n: &Notification, openid: &str, template: &str, local_time: &str, note: &str) -> SubscribeMessage {
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
        miniprogram_state: MiniprogramState::Formal,
        lang: Lang::ZhCn,
    }
}
