//! Which changes of a wish are staff decisions — possible only by the power of a grid leader or
//! an admin, not as the resident, the holder or a volunteer — and their entry in the audit log.
//! The timeline records every change; the audit log lists these beside the other staff actions.

use serde_json::json;
use sqlx::AnyConnection;

use super::machine::{Action, Actor, Slots, transition_any};
use super::model::{Wish, WishStatus};
use crate::audit::{self, Subject};
use crate::error::CoreResult;
use crate::people::Caller;

/// The audit action of `action` from `from` (with `slots`), if only the staff capacities among
/// `actors` allow it.
pub fn staff_decision(from: WishStatus, action: Action, actors: &[Actor], slots: Slots) -> Option<audit::Action> {
    let own: Vec<Actor> = actors
        .iter()
        .copied()
        .filter(|a| !matches!(a, Actor::Leader | Actor::Admin))
        .collect();
    if transition_any(from, action, &own, slots).is_ok() {
        return None;
    }
    match action {
        Action::Approve => Some(audit::Action::WishApprove),
        Action::Reject => Some(audit::Action::WishReject),
        Action::Assign => Some(audit::Action::WishAssign),
        Action::Release => Some(audit::Action::WishRelease),
        Action::Fulfil => Some(audit::Action::WishFulfil),
        Action::Confirm => Some(audit::Action::WishConfirm),
        Action::Cancel => Some(audit::Action::WishCancel),
        Action::Refer => Some(audit::Action::WishRefer),
        // The resident's own, the volunteer's own and the system's (a project's delivery and
        // decline are audited as the project's).
        Action::Claim | Action::AutoClose | Action::Edit | Action::Deliver | Action::Return => None,
    }
}

/// Records a staff decision on `before` (now `after`), with its reason or note.
pub(super) async fn record(
    conn: &mut AnyConnection,
    caller: &Caller,
    decision: audit::Action,
    (before, after): (&Wish, &Wish),
    note: Option<&str>,
) -> CoreResult<()> {
    let detail = json!({
        "title": after.title, "from": before.status.as_str(), "to": after.status.as_str(),
        "volunteer_id": after.volunteer_id.or(before.volunteer_id), "note": note,
    });
    let fact = decision.on(Subject::Wish(after.id)).in_grid(after.grid_id);
    audit::record(conn, Some(caller), fact.with(detail), after.updated_at).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use Actor::*;

    /// An ordinary wish's slots: held exactly when claimed.
    fn one(from: WishStatus) -> Slots {
        Slots::one(from == WishStatus::Claimed)
    }

    #[test]
    fn only_what_needs_staff_power_is_a_decision() {
        use WishStatus::*;
        let wish = audit::Action::WishApprove;
        assert_eq!(
            staff_decision(PendingReview, Action::Approve, &[Leader], one(PendingReview)),
            Some(wish)
        );
        assert_eq!(
            staff_decision(Open, Action::Assign, &[Admin, Volunteer], one(Open)),
            Some(audit::Action::WishAssign)
        );
        assert_eq!(
            staff_decision(Claimed, Action::Release, &[Holder, Leader], one(Claimed)),
            None,
            "the holder's own"
        );
        assert_eq!(
            staff_decision(Claimed, Action::Release, &[Leader], one(Claimed)),
            Some(audit::Action::WishRelease)
        );
        assert_eq!(
            staff_decision(Open, Action::Cancel, &[Owner, Leader], one(Open)),
            None,
            "the owner's own"
        );
        assert_eq!(
            staff_decision(Fulfilled, Action::Confirm, &[Admin], one(Fulfilled)),
            Some(audit::Action::WishConfirm)
        );
        assert_eq!(
            staff_decision(Open, Action::Claim, &[Volunteer, Leader], one(Open)),
            None
        );
        assert_eq!(
            staff_decision(Fulfilled, Action::AutoClose, &[System], one(Fulfilled)),
            None
        );
    }

    #[test]
    fn every_action_a_leader_may_take_alone_is_audited() {
        for action in Action::ALL {
            for from in WishStatus::ALL {
                if transition_any(from, action, &[Leader], one(from)).is_ok() {
                    assert!(
                        staff_decision(from, action, &[Leader], one(from)).is_some(),
                        "{action:?} from {from:?}"
                    );
                }
            }
        }
    }
}
