//! What the audit log records: each action with power as one variant with its stable name
//! (`family.verb`, e.g. `grid.create`; the family is what the log is filtered by), and the subject
//! it acted on. A new action is one line in `actions!`; its words go in the console's catalogs.

use std::fmt;

use serde_json::Value;

use crate::error::{CoreError, CoreResult};

macro_rules! actions {
    ($($variant:ident => $name:literal,)*) => {
        /// An admin's or leader's action with power, as the audit log names it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $(#[doc = $name] $variant,)*
        }

        impl Action {
            /// Every action, in the order the console lists them.
            pub const ALL: &[Action] = &[$(Action::$variant,)*];

            /// The stable name stored in the log and sent over the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }
        }
    };
}

actions! {
    GridCreate => "grid.create",
    GridUpdate => "grid.update",
    GridLeader => "grid.leader",
    RolesSet => "roles.set",
    RolesGrant => "roles.grant",
    SessionsRevoke => "sessions.revoke",
    NotificationRetry => "notification.retry",
    BuildingCreate => "building.create",
    HouseholdCreate => "household.create",
    HouseholdRemove => "household.remove",
    PersonAdd => "person.add",
    PersonUpdate => "person.update",
    PersonRemove => "person.remove",
    RegisterImport => "register.import",
    ResidentRegister => "resident.register",
    FamilyCodeIssue => "family_code.issue",
    CareSet => "care.set",
    VulnerableSet => "vulnerable.set",
    ResidenceApprove => "residence.approve",
    ResidenceReject => "residence.reject",
    WishPostFor => "wish.post_for",
    WishApprove => "wish.approve",
    WishReject => "wish.reject",
    WishAssign => "wish.assign",
    WishRelease => "wish.release",
    WishFulfil => "wish.fulfil",
    WishConfirm => "wish.confirm",
    WishCancel => "wish.cancel",
    WishRefer => "wish.refer",
    EventCreate => "event.create",
    EventUpdate => "event.update",
    EventCancel => "event.cancel",
    EventInvite => "event.invite",
    HoursCorrect => "hours.correct",
    BranchCreate => "branch.create",
    BranchUpdate => "branch.update",
    MemberPut => "member.put",
    MemberRemove => "member.remove",
    RegistrationApprove => "registration.approve",
    RegistrationReject => "registration.reject",
    FeedbackWrite => "feedback.write",
    NoticePublish => "notice.publish",
    UnitCreate => "unit.create",
    UnitUpdate => "unit.update",
    UnitContact => "unit.contact",
    ResourceCreate => "resource.create",
    ResourceUpdate => "resource.update",
    ProjectPropose => "project.propose",
    ProjectAgree => "project.agree",
    ProjectDecline => "project.decline",
    ProjectDeliver => "project.deliver",
}

impl Action {
    /// The family: the part before the dot (`grid` of `grid.create`).
    pub fn family(self) -> &'static str {
        self.as_str()
            .split_once('.')
            .map_or(self.as_str(), |(family, _)| family)
    }

    /// The action with this name, if there is one.
    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == name)
    }

    /// The families, in the order of [`ALL`](Self::ALL), each once.
    pub fn families() -> Vec<&'static str> {
        let mut families: Vec<&'static str> = Vec::new();
        for family in Action::ALL.iter().map(|a| a.family()) {
            if !families.contains(&family) {
                families.push(family);
            }
        }
        families
    }

    /// This action on `subject`, to pass to [`record`](super::record).
    pub fn on(self, subject: Subject) -> Fact {
        Fact {
            action: self,
            subject,
            grid_id: None,
            detail: Value::Object(Default::default()),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an action was done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// An account (roles, sessions, care, a resident registered without WeChat).
    User(i64),
    /// A grid.
    Grid(i64),
    /// A building of the register.
    Building(i64),
    /// A household (room) of the register.
    Household(i64),
    /// A person of the register.
    Person(i64),
    /// A wish.
    Wish(i64),
    /// An event.
    Event(i64),
    /// A notification.
    Notification(i64),
    /// A residence request.
    ResidenceRequest(i64),
    /// A party branch.
    Branch(i64),
    /// A household import (its job, when it ran as one).
    Import(Option<i64>),
    /// A co-building unit.
    Unit(i64),
    /// A co-building unit's resource.
    Resource(i64),
    /// A co-building project.
    Project(i64),
    /// A 双报到 registration.
    Registration(i64),
    /// A notice.
    Notice(i64),
}

impl Subject {
    /// Every subject type's name, as stored and as the API's `subject=` filter takes it.
    pub const TYPES: &[&str] = &[
        "user",
        "grid",
        "building",
        "household",
        "person",
        "wish",
        "event",
        "notification",
        "residence_request",
        "branch",
        "import",
        "unit",
        "resource",
        "project",
        "registration",
        "notice",
    ];

    /// The subject's type name and id.
    pub fn parts(self) -> (&'static str, Option<i64>) {
        match self {
            Subject::User(id) => ("user", Some(id)),
            Subject::Grid(id) => ("grid", Some(id)),
            Subject::Building(id) => ("building", Some(id)),
            Subject::Household(id) => ("household", Some(id)),
            Subject::Person(id) => ("person", Some(id)),
            Subject::Wish(id) => ("wish", Some(id)),
            Subject::Event(id) => ("event", Some(id)),
            Subject::Notification(id) => ("notification", Some(id)),
            Subject::ResidenceRequest(id) => ("residence_request", Some(id)),
            Subject::Branch(id) => ("branch", Some(id)),
            Subject::Import(id) => ("import", id),
            Subject::Unit(id) => ("unit", Some(id)),
            Subject::Resource(id) => ("resource", Some(id)),
            Subject::Project(id) => ("project", Some(id)),
            Subject::Registration(id) => ("registration", Some(id)),
            Subject::Notice(id) => ("notice", Some(id)),
        }
    }
}

/// A subject to filter the log by: a type (`grid`) or one subject (`grid:3`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectFilter {
    /// The type, one of [`Subject::TYPES`].
    pub kind: &'static str,
    /// One subject of that type, or all of them.
    pub id: Option<i64>,
}

impl SubjectFilter {
    /// Reads `TYPE` or `TYPE:ID`.
    pub fn parse(text: &str) -> CoreResult<Self> {
        let bad = || {
            CoreError::invalid(
                "invalid_field",
                format!("subject: TYPE or TYPE:ID, TYPE one of {}", Subject::TYPES.join(", ")),
            )
        };
        let (kind, id) = match text.trim().split_once(':') {
            Some((kind, id)) => (kind, Some(id.parse::<i64>().map_err(|_| bad())?)),
            None => (text.trim(), None),
        };
        let kind = Subject::TYPES.iter().find(|t| **t == kind).ok_or_else(bad)?;
        Ok(Self { kind, id })
    }
}

/// One entry to write: an action on a subject, in a grid when it concerns one, with what the
/// reader of the log needs to know (names, the values set, counts) as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// What was done.
    pub action: Action,
    /// To what.
    pub subject: Subject,
    /// The grid it concerns, if one.
    pub grid_id: Option<i64>,
    /// The particulars, a JSON object.
    pub detail: Value,
}

impl Fact {
    /// The fact, concerning grid `grid_id`.
    pub fn in_grid(mut self, grid_id: impl Into<Option<i64>>) -> Fact {
        self.grid_id = grid_id.into();
        self
    }

    /// The fact, with these particulars.
    pub fn with(mut self, detail: Value) -> Fact {
        self.detail = detail;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(*action));
            assert_eq!(Action::ALL.iter().filter(|a| a.as_str() == action.as_str()).count(), 1);
            assert!(action.as_str().contains('.'), "{action} has a family");
        }
        assert_eq!(Action::GridCreate.family(), "grid");
        assert_eq!(Action::families().first(), Some(&"grid"));
        assert_eq!(Action::parse("grid"), None);
    }

    #[test]
    fn subject_filters_name_a_type_and_maybe_an_id() {
        assert_eq!(
            SubjectFilter::parse("user:12").unwrap(),
            SubjectFilter {
                kind: "user",
                id: Some(12)
            }
        );
        assert_eq!(SubjectFilter::parse("grid").unwrap().id, None);
        assert!(SubjectFilter::parse("user:x").is_err());
        assert!(SubjectFilter::parse("planet:1").is_err());
        for t in Subject::TYPES {
            assert!(SubjectFilter::parse(t).is_ok());
        }
    }
}
