//! One-line summaries (about 20 characters) for chat channels that show a headline, not a body.

use super::Lang;

/// A short, fixed summary of notification `kind` — no user text, so it fits any channel's limit
/// and needs no escaping. `alert` says whether the wish is urgent.
pub fn short_text(kind: &str, lang: Lang, payload: &serde_json::Value) -> String {
    let urgent = payload.get("urgency").and_then(|u| u.as_str()) == Some("urgent");
    let (zh, en) = match kind {
        "wish_claimed" => ("您的心愿已被认领", "Your wish was claimed"),
        "wish_assigned" => ("您有一个新指派的心愿", "A wish was assigned to you"),
        "wish_released" => ("心愿已重新开放认领", "A wish is open again"),
        "wish_fulfilled" => ("心愿已完成，请确认", "Wish done — please confirm"),
        "wish_confirmed" => ("居民已确认完成，谢谢您", "Confirmed done — thank you"),
        "wish_cancelled" => ("心愿已取消", "A wish was cancelled"),
        "wish_rejected" => ("心愿未通过审核", "A wish was not approved"),
        "wish_approved" => ("心愿已通过审核", "Your wish was approved"),
        "wish_review" => ("有新心愿待审核", "A wish awaits review"),
        "alert" if urgent => ("紧急心愿，请尽快处理", "Urgent wish — act soon"),
        "alert" => ("有心愿需要您关注", "A wish needs attention"),
        "event_invitation" => ("邀请您参加社区活动", "You are invited to an event"),
        "event_update" => ("活动时间或地点有变", "An event has changed"),
        "event_cancelled" => ("活动已取消", "An event was cancelled"),
        "event_reminder" => ("您报名的活动即将开始", "Your event starts soon"),
        "event_promoted" => ("候补成功，您已获得名额", "You now have a place"),
        _ => ("心愿有新动态", "A wish was updated"),
    };
    match lang {
        Lang::ZhCn => zh.to_string(),
        Lang::En => en.to_string(),
    }
}
