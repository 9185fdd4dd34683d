//! Every (status, action, actor) triple of the wish state machine, checked against a table
//! written out independently of the implementation.

use super::*;
use crate::wish::WishStatus::{self, *};

/// The expected outcome, spelled out by hand: (from, action) -> (to, the capacities allowed).
fn expected(from: WishStatus, action: Action) -> (Option<WishStatus>, &'static [Actor]) {
    use Action::*;
    use Actor::*;
    let who: &'static [Actor] = match action {
        Approve | Reject | Assign => &[Leader, Admin],
        Claim => &[Volunteer],
        Release | Fulfil => &[Holder, Leader, Admin],
        Confirm | Cancel => &[Owner, Leader, Admin],
        AutoClose => &[System],
        Edit => &[Owner],
    };
    let to = match (from, action) {
        (PendingReview, Approve) => Some(Open),
        (PendingReview, Reject) | (Open, Reject) => Some(Rejected),
        (Open, Claim) | (Open, Assign) => Some(Claimed),
        (Claimed, Release) => Some(Open),
        (Claimed, Fulfil) => Some(Fulfilled),
        (Fulfilled, Confirm) | (Fulfilled, AutoClose) => Some(Closed),
        (PendingReview, Cancel) | (Open, Cancel) | (Claimed, Cancel) => Some(Cancelled),
        (PendingReview, Edit) => Some(PendingReview),
        (Open, Edit) => Some(Open),
        _ => None,
    };
    (to, who)
}

#[test]
fn every_status_action_actor_triple_matches_the_table() {
    let mut checked = 0;
    for from in WishStatus::ALL {
        for action in Action::ALL {
            let (to, who) = expected(from, action);
            for actor in Actor::ALL {
                let got = transition(from, action, actor);
                let want = if !who.contains(&actor) {
                    Err(Refusal::NotPermitted)
                } else {
                    to.ok_or(Refusal::WrongStatus)
                };
                assert_eq!(got, want, "{from:?} --{action:?}--> as {actor:?}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 7 * 10 * 7);
}

#[test]
fn terminal_statuses_accept_nothing() {
    for from in [Closed, Rejected, Cancelled] {
        for action in Action::ALL {
            for actor in Actor::ALL {
                assert!(transition(from, action, actor).is_err());
            }
        }
    }
}

#[test]
fn several_capacities_combine() {
    // An admin who is also a volunteer may claim.
    assert_eq!(
        transition_any(Open, Action::Claim, &[Actor::Admin, Actor::Volunteer]),
        Ok(Claimed)
    );
    // A second claimer loses on status, not on permission: that is the 409 of a lost race.
    assert_eq!(
        transition_any(Claimed, Action::Claim, &[Actor::Volunteer]),
        Err(Refusal::WrongStatus)
    );
    // A bystander is refused before the status is even considered.
    assert_eq!(
        transition_any(Claimed, Action::Claim, &[Actor::Other]),
        Err(Refusal::NotPermitted)
    );
    assert_eq!(transition_any(Open, Action::Approve, &[]), Err(Refusal::NotPermitted));
}
