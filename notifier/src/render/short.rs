//! One-line summaries for chat channels that show a headline, not a body: at most 20 characters
//! in either language, what a WeChat `thing` keyword holds uncut.

use microwish_core::NotificationKind::{self, *};

use super::Lang;

/// A short, fixed summary of notification `kind` — no user text, so it fits any channel's limit
/// and needs no escaping. `alert` says whether the wish is urgent.
pub fn short_text(kind: NotificationKind, lang: Lang, payload: &serde_json::Value) -> String {
    let urgent = payload.get("urgency").and_then(|u| u.as_str()) == Some("urgent");
    let (zh, en) = match kind {
        WishClaimed => ("您的心愿已被认领", "Your wish is claimed"),
        WishAssigned => ("您有一个新指派的心愿", "New wish assigned"),
        WishReleased => ("心愿已重新开放认领", "A wish is open again"),
        WishFulfilled => ("心愿已完成，请确认", "Done: please confirm"),
        WishConfirmed => ("居民已确认完成，谢谢您", "Confirmed: thank you"),
        WishCancelled => ("心愿已取消", "A wish was cancelled"),
        WishRejected => ("心愿未通过审核", "Wish not approved"),
        WishApproved => ("心愿已通过审核", "Wish approved"),
        WishReview => ("有新心愿待审核", "A wish awaits review"),
        Alert | GridAlert if urgent => ("紧急心愿，请尽快处理", "Urgent: act soon"),
        Alert | GridAlert => ("有心愿需要您关注", "A wish needs you"),
        EventInvitation | GridEvent => ("邀请您参加社区活动", "You're invited"),
        EventUpdate => ("活动时间或地点有变", "An event has changed"),
        EventCancelled => ("活动已取消", "Event cancelled"),
        EventReminder => ("您报名的活动即将开始", "Event starts soon"),
        EventPromoted => ("候补成功，您已获得名额", "You now have a place"),
        VisitDue => ("有一次关爱走访到期", "A care visit is due"),
        VisitRecorded => ("您的家人已被走访", "Relative visited"),
        ResidenceRequest => ("有居民申请入住待审核", "Residence request"),
        WishDelivered => ("您的心愿已由共建项目完成", "Met by a project"),
        ProjectProposed | UnitProject => ("有新的共建项目提议", "Project proposed"),
        ProjectAgreed => ("共建单位已同意项目", "Unit agreed"),
        ProjectDeclined => ("共建单位婉拒了项目", "Unit declined"),
        ProjectDelivered => ("共建项目已交付", "Project delivered"),
        PartyRegistration => ("有党员双报到待审批", "双报到 awaits you"),
        PartyApproved => ("您的双报到已通过", "双报到 approved"),
        PartyRejected => ("您的双报到未通过", "双报到 not approved"),
        PartyReminder => ("您的年度服务进度待加油", "Your year so far"),
        Notice => ("社区有新通知", "A community notice"),
        WishOverdue => ("您认领的心愿已超时，请尽快完成", "Claim overdue"),
        WishConfirmReminder => ("请确认心愿是否已完成", "Please confirm"),
        WishOffered => ("新一期心愿先留给您认领", "Offered to you first"),
        Digest => ("网格日报：请查看待办心愿", "Grid daily digest"),
        WeeklyDigest => ("本周网格内有心愿等待认领", "Open wishes nearby"),
    };
    match lang {
        Lang::ZhCn => zh.to_string(),
        Lang::En => en.to_string(),
    }
}
