//! Who must hear of each change to a wish. Pure: the store turns the answer into outbox rows in
//! the same transaction as the change.

use super::{Action, Wish, WishStatus};
use crate::notify::NotificationKind::{self, *};

/// One notification to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// Notification kind (selects template and channel rules).
    pub kind: NotificationKind,
    /// Who receives it.
    pub recipient_id: i64,
    /// Urgent notifications ignore quiet hours.
    pub urgent: bool,
}

fn to(kind: NotificationKind, recipient_id: i64) -> Announcement {
    Announcement {
        kind,
        recipient_id,
        urgent: false,
    }
}

/// Keeps each (kind, recipient) once and drops the person who acted: nobody is told of their own act.
fn finish(mut list: Vec<Announcement>, actor_id: Option<i64>) -> Vec<Announcement> {
    list.retain(|a| Some(a.recipient_id) != actor_id);
    let mut seen = Vec::new();
    list.retain(|a| {
        let key = (a.kind, a.recipient_id);
        let fresh = !seen.contains(&key);
        seen.push(key);
        fresh
    });
    list
}

/// On creation: the grid leader hears of wishes awaiting review. (Urgent wishes and those of
/// vulnerable residents raise an alert, which notifies the leader itself — but only for verified
/// residents: an unverified resident's urgent wish is an urgent review request instead.)
pub fn on_created(wish: &Wish, leader_id: Option<i64>, actor_id: i64, resident_verified: bool) -> Vec<Announcement> {
    let mut list = Vec::new();
    if let (Some(leader), WishStatus::PendingReview) = (leader_id, wish.status) {
        list.push(Announcement {
            urgent: !resident_verified && wish.urgency == super::Urgency::Urgent,
            ..to(WishReview, leader)
        });
    }
    finish(list, Some(actor_id))
}

/// After an edit: a wish (back) under review goes to the grid leader again.
pub fn on_edited(after: &Wish, leader_id: Option<i64>, actor_id: i64) -> Vec<Announcement> {
    let list = match (leader_id, after.status) {
        (Some(leader), WishStatus::PendingReview) => vec![to(WishReview, leader)],
        _ => Vec::new(),
    };
    finish(list, Some(actor_id))
}

/// After `action` moved `before` to `after`: the other parties hear of it. With several slots
/// the resident hears of claims once the last slot is taken (and of a release once that wish was
/// full), every volunteer of a slot hears of their own assignment or release, and every holder is
/// thanked on confirmation and told of a cancellation.
pub fn on_transition(before: &Wish, after: &Wish, action: Action, actor_id: Option<i64>) -> Vec<Announcement> {
    let resident = before.resident_id;
    let joined = after.holders.iter().filter(|v| !before.holders.contains(v));
    let left = before.holders.iter().filter(|v| !after.holders.contains(v));
    let full = after.status == WishStatus::Claimed;
    let mut list = Vec::new();
    match action {
        Action::Approve => list.push(to(WishApproved, resident)),
        Action::Reject => {
            list.push(to(WishRejected, resident));
            list.push(to(WishRejected, before.created_by));
        }
        Action::Claim if full => list.push(to(WishClaimed, resident)),
        Action::Assign => {
            if full {
                list.push(to(WishClaimed, resident));
            }
            list.extend(joined.map(|v| to(WishAssigned, *v)));
        }
        Action::Release => {
            if before.status == WishStatus::Claimed {
                list.push(to(WishReleased, resident));
            }
            list.extend(left.map(|v| to(WishReleased, *v)));
        }
        Action::Fulfil => list.push(to(WishFulfilled, resident)),
        Action::Confirm | Action::AutoClose => list.extend(before.holders.iter().map(|v| to(WishConfirmed, *v))),
        Action::Cancel => {
            list.push(to(WishCancelled, resident));
            if matches!(before.status, WishStatus::Open | WishStatus::Claimed) {
                list.extend(before.holders.iter().map(|v| to(WishCancelled, *v)));
            }
        }
        Action::Deliver => list.push(to(WishDelivered, resident)),
        // Edits are announced by `on_edited`.
        Action::Claim | Action::Refer | Action::Return | Action::Edit => {}
    }
    finish(list, actor_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wish::Urgency;

    fn wish(status: WishStatus, volunteer: Option<i64>) -> Wish {
        Wish {
            volunteer_id: volunteer,
            holders: volunteer.into_iter().collect(),
            ..Wish::sample(status)
        }
    }

    fn slots(status: WishStatus, holders: &[i64]) -> Wish {
        Wish {
            slots: (3, holders.len() as u32),
            holders: holders.to_vec(),
            ..Wish::sample(status)
        }
    }

    #[test]
    fn the_resident_hears_of_claims_once_every_slot_is_taken() {
        let (none, one, two) = (
            slots(WishStatus::Open, &[]),
            slots(WishStatus::Open, &[20]),
            slots(WishStatus::Open, &[20, 21]),
        );
        assert!(on_transition(&none, &one, Action::Claim, Some(20)).is_empty());
        let full = slots(WishStatus::Claimed, &[20, 21, 22]);
        assert_eq!(
            on_transition(&two, &full, Action::Claim, Some(22)),
            vec![to(WishClaimed, 10)]
        );
        // A leader's assignment tells the volunteer it names; releasing a full wish tells the resident.
        assert_eq!(
            on_transition(&none, &one, Action::Assign, Some(30)),
            vec![to(WishAssigned, 20)]
        );
        let released = on_transition(&full, &two, Action::Release, Some(30));
        assert_eq!(released, vec![to(WishReleased, 10), to(WishReleased, 22)]);
        assert_eq!(on_transition(&two, &one, Action::Release, Some(21)), vec![]);
    }

    #[test]
    fn every_holder_is_thanked_and_a_delivered_wish_tells_its_resident() {
        let done = slots(WishStatus::Fulfilled, &[20, 21]);
        let closed = slots(WishStatus::Closed, &[20, 21]);
        let thanks = on_transition(&done, &closed, Action::Confirm, Some(10));
        assert_eq!(thanks, vec![to(WishConfirmed, 20), to(WishConfirmed, 21)]);
        let open = wish(WishStatus::Open, None);
        let delivered = wish(WishStatus::Closed, None);
        assert_eq!(
            on_transition(&open, &delivered, Action::Deliver, Some(30)),
            vec![to(WishDelivered, 10)]
        );
        assert!(on_transition(&open, &open, Action::Refer, Some(30)).is_empty());
    }

    #[test]
    fn claim_tells_the_resident_only() {
        let before = wish(WishStatus::Open, None);
        let after = wish(WishStatus::Claimed, Some(20));
        assert_eq!(
            on_transition(&before, &after, Action::Claim, Some(20)),
            vec![to(WishClaimed, 10)]
        );
    }

    #[test]
    fn release_by_the_volunteer_tells_the_resident_and_not_the_volunteer() {
        let before = wish(WishStatus::Claimed, Some(20));
        let after = wish(WishStatus::Open, None);
        assert_eq!(
            on_transition(&before, &after, Action::Release, Some(20)),
            vec![to(WishReleased, 10)]
        );
        let by_leader = on_transition(&before, &after, Action::Release, Some(30));
        assert_eq!(by_leader, vec![to(WishReleased, 10), to(WishReleased, 20)]);
    }

    #[test]
    fn cancel_of_a_claimed_wish_tells_the_volunteer() {
        let before = wish(WishStatus::Claimed, Some(20));
        let after = wish(WishStatus::Cancelled, Some(20));
        assert_eq!(
            on_transition(&before, &after, Action::Cancel, Some(10)),
            vec![to(WishCancelled, 20)]
        );
    }

    #[test]
    fn wishes_under_review_go_to_the_leader() {
        let w = wish(WishStatus::PendingReview, None);
        assert_eq!(on_created(&w, Some(30), 10, true), vec![to(WishReview, 30)]);
        assert!(on_created(&w, None, 10, true).is_empty());
        assert!(on_created(&wish(WishStatus::Open, None), Some(30), 10, true).is_empty());
    }

    #[test]
    fn an_unverified_residents_urgent_wish_is_an_urgent_review() {
        let mut w = wish(WishStatus::PendingReview, None);
        w.urgency = Urgency::Urgent;
        let quick = Announcement {
            urgent: true,
            ..to(WishReview, 30)
        };
        assert_eq!(on_created(&w, Some(30), 10, false), vec![quick]);
        // A verified resident's urgent wish raises an alert instead; the review stays ordinary.
        assert_eq!(on_created(&w, Some(30), 10, true), vec![to(WishReview, 30)]);
    }

    #[test]
    fn a_confirmation_thanks_the_volunteer() {
        let before = wish(WishStatus::Fulfilled, Some(20));
        let mut after = wish(WishStatus::Closed, Some(20));
        after.rating = Some(2);
        let list = on_transition(&before, &after, Action::Confirm, Some(10));
        assert_eq!(list, vec![to(WishConfirmed, 20)]);
    }
}
