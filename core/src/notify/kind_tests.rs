//! The kinds' names, audiences, addressees, preferences and urgency, checked.

use super::*;

#[test]
fn names_are_unique_and_read_back() {
    for kind in NotificationKind::ALL {
        assert_eq!(kind.as_str().parse::<NotificationKind>(), Ok(kind));
        let same = NotificationKind::ALL.iter().filter(|k| k.as_str() == kind.as_str());
        assert_eq!(same.count(), 1, "{kind}");
    }
    assert!("wish_teleported".parse::<NotificationKind>().is_err());
}

#[test]
fn work_group_kinds_are_not_personal_preferences() {
    assert_eq!(NotificationKind::GridAlert.preference_group(), None);
    assert_eq!(NotificationKind::GridEvent.audience(), Audience::WorkGroup);
    assert_eq!(NotificationKind::Alert.preference_group(), Some("alert"));
    assert_eq!(NotificationKind::preference_groups().count(), 32);
}

#[test]
fn unit_kinds_address_units_and_are_nobodys_preference() {
    for kind in [NotificationKind::ProjectProposed, NotificationKind::UnitProject] {
        assert_eq!(kind.addressee(), Addressee::Unit);
        assert_eq!(kind.preference_group(), None);
    }
    assert_eq!(NotificationKind::UnitProject.audience(), Audience::WorkGroup);
    assert_eq!(NotificationKind::ProjectAgreed.addressee(), Addressee::User);
}

#[test]
fn only_alerts_must_reach() {
    let must: Vec<_> = NotificationKind::ALL
        .into_iter()
        .filter(|k| k.urgency() == KindUrgency::MustReach)
        .collect();
    assert_eq!(must, vec![NotificationKind::Alert]);
}
