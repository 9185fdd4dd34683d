//! Every (status, action, actor, slots) combination of the wish state machine, checked against a
//! table written out independently of the implementation; and the one-slot wish checked against
//! the machine as it was before slots existed.

use super::*;
use crate::wish::WishStatus::{self, *};

/// The capacities allowed each action, spelled out by hand.
fn allowed(action: Action) -> &'static [Actor] {
    use Action::*;
    use Actor::*;
    match action {
        Approve | Reject | Assign | Refer => &[Leader, Admin],
        Claim => &[Volunteer],
        Release | Fulfil => &[Holder, Leader, Admin],
        Confirm | Cancel => &[Owner, Leader, Admin],
        AutoClose | Deliver | Return => &[System],
        Edit => &[Owner],
    }
}

/// The expected outcome, spelled out by hand: (from, action, slots) -> to.
fn expected(from: WishStatus, action: Action, s: Slots) -> Option<WishStatus> {
    use Action::*;
    let nobody = s.held == 0;
    let room = s.held < s.total;
    let last = s.held + 1 == s.total;
    match (from, action) {
        (PendingReview, Approve) => Some(Open),
        (PendingReview, Reject) | (Open, Reject) if nobody => Some(Rejected),
        (Open, Claim) | (Open, Assign) if room && last => Some(Claimed),
        (Open, Claim) | (Open, Assign) if room => Some(Open),
        (Open, Release) | (Claimed, Release) if !nobody => Some(Open),
        (Open, Fulfil) | (Claimed, Fulfil) if !nobody => Some(Fulfilled),
        (Fulfilled, Confirm) | (Fulfilled, AutoClose) => Some(Closed),
        (PendingReview, Cancel) | (Open, Cancel) | (Claimed, Cancel) => Some(Cancelled),
        (PendingReview, Edit) | (Open, Edit) if nobody => Some(from),
        (PendingReview, Refer) | (Open, Refer) if nobody => Some(from),
        (PendingReview, Return) | (Open, Return) if nobody => Some(from),
        (PendingReview, Deliver) | (Open, Deliver) if nobody => Some(Closed),
        _ => None,
    }
}

/// Every slot configuration worth telling apart: one slot free or held; three slots with none,
/// some or all held.
fn configurations() -> Vec<Slots> {
    let mut all = vec![Slots::one(false), Slots::one(true)];
    all.extend((0..=3).map(|held| Slots { total: 3, held }));
    all
}

#[test]
fn every_status_action_actor_and_slots_matches_the_table() {
    let mut checked = 0;
    for slots in configurations() {
        for from in WishStatus::ALL {
            for action in Action::ALL {
                for actor in Actor::ALL {
                    let want = if allowed(action).contains(&actor) {
                        expected(from, action, slots).ok_or(Refusal::WrongStatus)
                    } else {
                        Err(Refusal::NotPermitted)
                    };
                    let got = transition(from, action, actor, slots);
                    assert_eq!(got, want, "{from:?} --{action:?}--> as {actor:?} with {slots:?}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 6 * 7 * 13 * 7);
}

/// The machine before slots existed, for the actions it had (and the owner's edit): a one-slot wish is held exactly
/// when it is claimed, and must behave as it always did.
#[test]
fn a_one_slot_wish_behaves_as_before_slots() {
    use Action::*;
    let before = |from: WishStatus, action: Action| match (from, action) {
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
    for from in WishStatus::ALL {
        for action in [
            Approve, Reject, Claim, Assign, Release, Fulfil, Confirm, Cancel, AutoClose, Edit,
        ] {
            for actor in Actor::ALL {
                let got = transition(from, action, actor, Slots::one(from == Claimed));
                let want = if allowed(action).contains(&actor) {
                    before(from, action).ok_or(Refusal::WrongStatus)
                } else {
                    Err(Refusal::NotPermitted)
                };
                assert_eq!(got, want, "{from:?} --{action:?}--> as {actor:?}");
            }
        }
    }
}

#[test]
fn three_slots_fill_one_by_one_and_free_again() {
    let slots = |held| Slots { total: 3, held };
    let claim = |from, held| transition(from, Action::Claim, Actor::Volunteer, slots(held));
    assert_eq!(claim(Open, 0), Ok(Open));
    assert_eq!(claim(Open, 1), Ok(Open));
    assert_eq!(claim(Open, 2), Ok(Claimed), "the third slot fills it");
    assert_eq!(
        claim(Claimed, 3),
        Err(Refusal::WrongStatus),
        "the fourth loses: claim_lost"
    );
    assert_eq!(transition(Claimed, Action::Release, Actor::Holder, slots(3)), Ok(Open));
    assert_eq!(transition(Open, Action::Release, Actor::Holder, slots(2)), Ok(Open));
    // Done with two of three hands; nobody can report done for nobody.
    assert_eq!(transition(Open, Action::Fulfil, Actor::Holder, slots(2)), Ok(Fulfilled));
    assert_eq!(
        transition(Open, Action::Fulfil, Actor::Leader, slots(0)),
        Err(Refusal::WrongStatus)
    );
    // A wish someone serves is not referred, delivered by a project or rejected behind their back.
    for action in [Action::Refer, Action::Reject] {
        assert_eq!(
            transition(Open, action, Actor::Leader, slots(1)),
            Err(Refusal::WrongStatus)
        );
    }
    assert_eq!(
        transition(Open, Action::Deliver, Actor::System, slots(1)),
        Err(Refusal::WrongStatus)
    );
}

#[test]
fn terminal_statuses_accept_nothing() {
    for slots in configurations() {
        for from in [Closed, Rejected, Cancelled] {
            for action in Action::ALL {
                for actor in Actor::ALL {
                    assert!(transition(from, action, actor, slots).is_err());
                }
            }
        }
    }
}

#[test]
fn several_capacities_combine() {
    let free = Slots::one(false);
    let held = Slots::one(true);
    // An admin who is also a volunteer may claim.
    assert_eq!(
        transition_any(Open, Action::Claim, &[Actor::Admin, Actor::Volunteer], free),
        Ok(Claimed)
    );
    // A second claimer loses on status, not on permission: that is the 409 of a lost race.
    assert_eq!(
        transition_any(Claimed, Action::Claim, &[Actor::Volunteer], held),
        Err(Refusal::WrongStatus)
    );
    // A bystander is refused before the status is even considered.
    assert_eq!(
        transition_any(Claimed, Action::Claim, &[Actor::Other], held),
        Err(Refusal::NotPermitted)
    );
    assert_eq!(
        transition_any(Open, Action::Approve, &[], free),
        Err(Refusal::NotPermitted)
    );
}
