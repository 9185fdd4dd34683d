//! The kinds of notification, in one place. A kind knows its name on the row, its urgency, the
//! preference a person switches it with, and the templates that word it (its WeChat template is
//! configured per kind: `config::WechatTemplates`); every other crate
//! matches on it, so a new kind is one variant here plus its templates, and the compiler lists
//! every place that must decide what to do with it.

use std::fmt;
use std::str::FromStr;

/// What a notification is about, as the outbox row stores it (`kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotificationKind {
    /// A wish awaits the grid leader's review.
    WishReview,
    /// The resident's wish passed review.
    WishApproved,
    /// The wish did not pass review.
    WishRejected,
    /// A volunteer claimed the resident's wish.
    WishClaimed,
    /// A leader assigned a wish to the volunteer.
    WishAssigned,
    /// The claim was released: the wish is open again.
    WishReleased,
    /// The volunteer fulfilled the wish: the resident should confirm.
    WishFulfilled,
    /// The resident confirmed (or the wish closed itself): thanks to the volunteer.
    WishConfirmed,
    /// The wish was cancelled.
    WishCancelled,
    /// The volunteer's claim is overdue.
    WishOverdue,
    /// The resident has not confirmed a fulfilled wish yet.
    WishConfirmReminder,
    /// A recurring wish's new occurrence is offered first to the volunteer who served the last one.
    WishOffered,
    /// An alert for a grid leader or the admins, to the person.
    Alert,
    /// The same alert, to the grid's work group through its WeCom robot.
    GridAlert,
    /// A grid leader's daily summary.
    Digest,
    /// A volunteer's weekly list of open wishes (opt-in).
    WeeklyDigest,
    /// You are invited to an event.
    EventInvitation,
    /// An event's time or place changed.
    EventUpdate,
    /// An event was called off.
    EventCancelled,
    /// An event you registered for starts soon.
    EventReminder,
    /// A place on an event freed up and is now yours.
    EventPromoted,
    /// An event invitation to a grid, to its work group through its WeCom robot.
    GridEvent,
    /// A care visit (关爱走访) the visitor is responsible for falls due.
    VisitDue,
    /// A family member's relative was visited: how it went.
    VisitRecorded,
    /// A residence request waits for the grid leader's decision.
    ResidenceRequest,
    /// The resident's wish was fulfilled by a co-building project (and closed).
    WishDelivered,
    /// A grid's leader proposes a project to a co-building unit: to the unit's contact email.
    ProjectProposed,
    /// The same proposal, to the unit's work group through the unit's WeCom robot.
    UnitProject,
    /// The unit agreed to the project: to the grid's leader.
    ProjectAgreed,
    /// The unit declined the project: to the grid's leader.
    ProjectDeclined,
    /// The project was delivered: to the grid's leader (when the unit's contact reported it).
    ProjectDelivered,
    /// A 双报到 registration waits for an admin's decision.
    PartyRegistration,
    /// The applicant's 双报到 registration was approved: they are a member and a volunteer.
    PartyApproved,
    /// The applicant's 双报到 registration was rejected, with the reason.
    PartyRejected,
    /// Mid-year: an in-service member is behind their yearly target (a gentle reminder).
    PartyReminder,
    /// A notice (通知公告) from a grid leader or an admin.
    Notice,
}

/// What a notification's `recipient_id` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressee {
    /// A user (`users.id`).
    User,
    /// A co-building unit (`cobuild_units.id`): its contact's email, its WeCom robot. The
    /// contact need not have an account.
    Unit,
}

/// How hard a kind pushes through people's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindUrgency {
    /// Preferences may switch every channel off.
    Routine,
    /// Keeps at least one channel whatever the preferences say (its urgent rows also ignore
    /// quiet hours, as every urgent row does).
    MustReach,
}

/// Who a kind is addressed to, which decides its channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The recipient's own channels: WeChat, email.
    Person,
    /// A work group through its WeCom robot only: of the grids the recipient leads, or of the
    /// co-building unit it is.
    WorkGroup,
}

impl NotificationKind {
    /// Every kind.
    pub const ALL: [NotificationKind; 36] = [
        Self::WishReview,
        Self::WishApproved,
        Self::WishRejected,
        Self::WishClaimed,
        Self::WishAssigned,
        Self::WishReleased,
        Self::WishFulfilled,
        Self::WishConfirmed,
        Self::WishCancelled,
        Self::WishOverdue,
        Self::WishConfirmReminder,
        Self::WishOffered,
        Self::Alert,
        Self::GridAlert,
        Self::Digest,
        Self::WeeklyDigest,
        Self::EventInvitation,
        Self::EventUpdate,
        Self::EventCancelled,
        Self::EventReminder,
        Self::EventPromoted,
        Self::GridEvent,
        Self::VisitDue,
        Self::VisitRecorded,
        Self::ResidenceRequest,
        Self::WishDelivered,
        Self::ProjectProposed,
        Self::UnitProject,
        Self::ProjectAgreed,
        Self::ProjectDeclined,
        Self::ProjectDelivered,
        Self::PartyRegistration,
        Self::PartyApproved,
        Self::PartyRejected,
        Self::PartyReminder,
        Self::Notice,
    ];

    /// The name on the row, in preferences and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WishReview => "wish_review",
            Self::WishApproved => "wish_approved",
            Self::WishRejected => "wish_rejected",
            Self::WishClaimed => "wish_claimed",
            Self::WishAssigned => "wish_assigned",
            Self::WishReleased => "wish_released",
            Self::WishFulfilled => "wish_fulfilled",
            Self::WishConfirmed => "wish_confirmed",
            Self::WishCancelled => "wish_cancelled",
            Self::WishOverdue => "wish_overdue",
            Self::WishConfirmReminder => "wish_confirm_reminder",
            Self::WishOffered => "wish_offered",
            Self::Alert => "alert",
            Self::GridAlert => "grid_alert",
            Self::Digest => "digest",
            Self::WeeklyDigest => "weekly_digest",
            Self::EventInvitation => "event_invitation",
            Self::EventUpdate => "event_update",
            Self::EventCancelled => "event_cancelled",
            Self::EventReminder => "event_reminder",
            Self::EventPromoted => "event_promoted",
            Self::GridEvent => "grid_event",
            Self::VisitDue => "visit_due",
            Self::VisitRecorded => "visit_recorded",
            Self::ResidenceRequest => "residence_request",
            Self::WishDelivered => "wish_delivered",
            Self::ProjectProposed => "project_proposed",
            Self::UnitProject => "unit_project",
            Self::ProjectAgreed => "project_agreed",
            Self::ProjectDeclined => "project_declined",
            Self::ProjectDelivered => "project_delivered",
            Self::PartyRegistration => "party_registration",
            Self::PartyApproved => "party_approved",
            Self::PartyRejected => "party_rejected",
            Self::PartyReminder => "party_reminder",
            Self::Notice => "notice",
        }
    }

    /// Alerts must reach their person; everything else is routine.
    pub fn urgency(self) -> KindUrgency {
        match self {
            Self::Alert => KindUrgency::MustReach,
            _ => KindUrgency::Routine,
        }
    }

    /// Work-group kinds go to a WeCom robot (a grid's, a unit's); the rest to the person.
    pub fn audience(self) -> Audience {
        match self {
            Self::GridAlert | Self::GridEvent | Self::UnitProject => Audience::WorkGroup,
            _ => Audience::Person,
        }
    }

    /// What its `recipient_id` names: a co-building unit for the kinds addressed to units, a
    /// user for every other.
    pub fn addressee(self) -> Addressee {
        match self {
            Self::ProjectProposed | Self::UnitProject => Addressee::Unit,
            _ => Addressee::User,
        }
    }

    /// The name a person switches this kind with in their preferences, or `None` when it is not
    /// theirs to switch (a work group's message, a unit's mail).
    pub fn preference_group(self) -> Option<&'static str> {
        match (self.audience(), self.addressee()) {
            (Audience::Person, Addressee::User) => Some(self.as_str()),
            _ => None,
        }
    }

    /// The folder of its email templates (`notifier/templates/{lang}/{key}/`): kinds without
    /// wording of their own use `generic`.
    pub fn template_key(self) -> &'static str {
        match self {
            Self::GridAlert | Self::GridEvent | Self::UnitProject => "generic",
            other => other.as_str(),
        }
    }

    /// The kinds a person may switch, by name.
    pub fn preference_groups() -> impl Iterator<Item = &'static str> {
        Self::ALL.into_iter().filter_map(Self::preference_group)
    }
}

impl fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no notification kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown notification kind `{0}`")]
pub struct UnknownKind(pub String);

impl FromStr for NotificationKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

#[cfg(test)]
#[path = "kind_tests.rs"]
mod tests;
