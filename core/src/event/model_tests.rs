//! The event model's pure rules, tested without a database.

use super::*;

const H: i64 = 3_600_000;

fn event() -> Event {
    Event {
        id: 1,
        title: "t".into(),
        description: String::new(),
        location: "l".into(),
        starts_at: 10 * H,
        ends_at: 12 * H,
        capacity: Some(2),
        grid_id: None,
        organiser_id: 1,
        checkin_code: "123456".into(),
        status: EventStatus::Published,
        sequence: 0,
        walk_ins: false,
        created_at: 0,
        updated_at: 0,
    }
}

#[test]
fn answers_are_idempotent_and_respect_places() {
    assert_eq!(answer(Place::Invited, true, true), Some(Place::Registered));
    assert_eq!(answer(Place::Invited, true, false), Some(Place::Waitlisted));
    assert_eq!(answer(Place::Registered, true, false), None);
    assert_eq!(answer(Place::Waitlisted, true, true), None);
    assert_eq!(answer(Place::Declined, false, true), None);
    assert_eq!(answer(Place::Registered, false, true), Some(Place::Declined));
    assert_eq!(answer(Place::Declined, true, true), Some(Place::Registered));
}

#[test]
fn inputs_are_checked() {
    assert!(EventInput::parse("党日活动", "", "活动室", 2, 1, None, None).is_err());
    assert!(EventInput::parse("党日活动", "", "活动室", 1, 2, Some(0), None).is_err());
    assert!(EventInput::parse("党日活动", "", "活动室", 1, 2, Some(-3), None).is_err());
    assert!(EventInput::parse("党日活动", "", " ", 1, 2, None, None).is_err());
    assert!(EventInput::parse("党日活动", "", "活动室", 1, 2, Some(10), None).is_ok());
}

#[test]
fn checkin_window_is_an_hour_either_side() {
    let e = event();
    assert!(checkin_refusal(&e, "123456", 9 * H).is_none());
    assert!(checkin_refusal(&e, "123456", 13 * H).is_none());
    assert!(matches!(
        checkin_refusal(&e, "123456", 9 * H - 1),
        Some(CoreError::Conflict {
            code: "checkin_not_open",
            ..
        })
    ));
    assert!(matches!(
        checkin_refusal(&e, "123456", 13 * H + 1),
        Some(CoreError::Conflict {
            code: "checkin_closed",
            ..
        })
    ));
    assert!(matches!(
        checkin_refusal(&e, "654321", 11 * H),
        Some(CoreError::Invalid { code: "wrong_code", .. })
    ));
}

#[test]
fn leaders_manage_only_their_grid() {
    let leader = Caller {
        user_id: 2,
        roles: vec![crate::people::Role::Resident, crate::people::Role::GridLeader],
        led_grids: vec![7],
    };
    assert!(may_manage(&leader, Some(7)));
    assert!(!may_manage(&leader, Some(8)));
    assert!(!may_manage(&leader, None));
}
