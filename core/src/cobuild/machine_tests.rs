//! Every (status, action, actor) triple of the project state machine, checked against a table
//! written out independently of the implementation.

use super::*;
use ProjectAction::*;
use ProjectActor::*;
use ProjectStatus::*;

/// The expected outcome, spelled out by hand: (from, action) -> (to, the capacities allowed).
fn expected(from: ProjectStatus, action: ProjectAction) -> (Option<ProjectStatus>, &'static [ProjectActor]) {
    let who: &'static [ProjectActor] = match action {
        Agree | Decline => &[Contact, Admin],
        Deliver => &[Leader, Contact, Admin],
    };
    let to = match (from, action) {
        (Proposed, Agree) => Some(Agreed),
        (Proposed, Decline) | (Agreed, Decline) => Some(Declined),
        (Agreed, Deliver) => Some(Delivered),
        _ => None,
    };
    (to, who)
}

#[test]
fn every_status_action_actor_triple_matches_the_table() {
    let mut checked = 0;
    for from in ProjectStatus::ALL {
        for action in ProjectAction::ALL {
            let (to, who) = expected(from, action);
            for actor in ProjectActor::ALL {
                let want = if who.contains(&actor) {
                    to.ok_or(Refusal::WrongStatus)
                } else {
                    Err(Refusal::NotPermitted)
                };
                assert_eq!(
                    transition(from, action, actor),
                    want,
                    "{from:?} --{action:?}--> as {actor:?}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 3 * 4);
}

#[test]
fn delivered_and_declined_are_final() {
    for from in [Delivered, Declined] {
        assert!(!from.is_live());
        for action in ProjectAction::ALL {
            for actor in ProjectActor::ALL {
                assert!(transition(from, action, actor).is_err());
            }
        }
    }
    assert!(Proposed.is_live() && Agreed.is_live());
}

#[test]
fn a_leader_delivers_but_never_answers_for_the_unit() {
    assert_eq!(transition_any(Proposed, Agree, &[Leader]), Err(Refusal::NotPermitted));
    assert_eq!(transition_any(Proposed, Deliver, &[Leader]), Err(Refusal::WrongStatus));
    assert_eq!(transition_any(Agreed, Deliver, &[Other, Leader]), Ok(Delivered));
    assert_eq!(transition_any(Agreed, Agree, &[Contact]), Err(Refusal::WrongStatus));
    assert_eq!("agreed".parse::<ProjectStatus>().ok(), Some(Agreed));
    assert!("done".parse::<ProjectStatus>().is_err());
}
