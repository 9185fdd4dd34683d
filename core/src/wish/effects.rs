//! What a wish's changes do to its alerts: an urgent wish or one of a vulnerable resident raises
//! one at once; a claim, a cancel or a referral ends "unclaimed", a fulfilment ends "overdue", a
//! project's delivery ends them all, and a rating of 2 or less opens a callback (回访) for the leader.

use sqlx::AnyConnection;

use super::machine::Action;
use super::model::{Urgency, Wish, WishStatus};
use crate::alert::NewAlert;
use crate::alert::store as alerts;
use crate::alert::summary::Reason;
use crate::config::Settings;
use crate::error::CoreResult;

/// After posting: alert the leader of an urgent wish, or of a vulnerable resident's.
pub(super) async fn on_posted(conn: &mut AnyConnection, wish: &Wish, vulnerable: bool, now: i64) -> CoreResult<()> {
    let reason = match (wish.urgency, vulnerable) {
        (Urgency::Urgent, _) => Reason::Urgent,
        (_, true) => Reason::Vulnerable,
        _ => return Ok(()),
    };
    let key = format!("{}:{}", reason.kind(), wish.id);
    let alert = NewAlert::new(reason, Some(wish.id), wish.grid_id, &wish.title, key);
    alerts::raise(conn, &alert, true, &wish.title, now).await?;
    Ok(())
}

/// After an edit: a wish sent back to review is no longer waiting for a volunteer (its unclaimed
/// alerts end; they start afresh when it is approved); one made urgent while open alerts now.
pub(super) async fn on_edited(conn: &mut AnyConnection, before: &Wish, after: &Wish, now: i64) -> CoreResult<()> {
    if before.status == WishStatus::Open && after.status == WishStatus::PendingReview {
        alerts::resolve_for_wish(conn, after.id, &["unclaimed", "unclaimed_escalated"], "edit", now).await?;
    }
    if after.status == WishStatus::Open && after.urgency == Urgency::Urgent && before.urgency != Urgency::Urgent {
        on_posted(conn, after, false, now).await?;
    }
    Ok(())
}

/// After `action`: resolve the alerts it settles, open a callback for a low rating.
pub(super) async fn on_changed(
    conn: &mut AnyConnection,
    wish: &Wish,
    action: Action,
    settings: &Settings,
    now: i64,
) -> CoreResult<()> {
    let ends: &[&str] = match action {
        Action::Claim | Action::Assign | Action::Refer => &["unclaimed", "unclaimed_escalated"],
        Action::Fulfil => &["overdue_claim"],
        Action::Cancel | Action::Reject | Action::Deliver => &["unclaimed", "unclaimed_escalated", "overdue_claim"],
        _ => &[],
    };
    if !ends.is_empty() {
        alerts::resolve_for_wish(conn, wish.id, ends, action.as_str(), now).await?;
    }
    if let (Action::Confirm, Some(rating @ ..=2)) = (action, wish.rating) {
        let key = format!("callback:{}", wish.id);
        let mut alert = NewAlert::new(
            Reason::Callback { rating },
            Some(wish.id),
            wish.grid_id,
            &wish.title,
            key,
        );
        alert.due_at = Some(now + settings.escalation.callback_within.as_millis_i64());
        alerts::raise(conn, &alert, false, &wish.title, now).await?;
    }
    Ok(())
}
