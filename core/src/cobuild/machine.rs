//! The project state machine as one pure function: may this actor take this action from this
//! status, and where does it lead? The store applies the answer with a guarded update and moves
//! the project's wishes with it (delivery fulfils and closes them, a decline returns them).
//!
//! ```text
//! proposed --agree--> agreed --deliver--> delivered
//!     |                 |
//!     +-----decline-----+--> declined
//! ```
//!
//! A grid's leader proposes (that is the project's creation, not a transition); the unit's
//! contact — or an admin for them — agrees or declines; once agreed, the leader or the contact
//! (or an admin) reports it delivered.

use std::fmt;
use std::str::FromStr;

use crate::error::CoreError;
pub use crate::machine::Refusal;

/// Where a project stands, as stored and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProjectStatus {
    /// Proposed to the unit, waiting for its answer.
    Proposed,
    /// The unit agreed; the service is being arranged.
    Agreed,
    /// Done: its wishes are fulfilled and closed, the unit credited.
    Delivered,
    /// The unit said no (or an admin withdrew it): its wishes returned to the ordinary flow.
    Declined,
}

impl ProjectStatus {
    /// Every status.
    pub const ALL: [ProjectStatus; 4] = [Self::Proposed, Self::Agreed, Self::Delivered, Self::Declined];

    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Agreed => "agreed",
            Self::Delivered => "delivered",
            Self::Declined => "declined",
        }
    }

    /// Whether the project still holds its wishes.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Proposed | Self::Agreed)
    }
}

impl fmt::Display for ProjectStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProjectStatus {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| CoreError::invalid("invalid_field", "status: one of proposed, agreed, delivered, declined"))
    }
}

/// What someone asks to do with a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProjectAction {
    /// The unit takes it on.
    Agree,
    /// The unit says no.
    Decline,
    /// The service was done.
    Deliver,
}

impl ProjectAction {
    /// Every action.
    pub const ALL: [ProjectAction; 3] = [Self::Agree, Self::Decline, Self::Deliver];

    /// The name recorded on the project's timeline.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agree => "agree",
            Self::Decline => "decline",
            Self::Deliver => "deliver",
        }
    }
}

/// The capacity in which someone acts on one project; a user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProjectActor {
    /// The leader of the project's grid.
    Leader,
    /// The linked contact of the project's unit.
    Contact,
    /// A community admin.
    Admin,
    /// Anyone else.
    Other,
}

impl ProjectActor {
    /// Every capacity.
    pub const ALL: [ProjectActor; 4] = [Self::Leader, Self::Contact, Self::Admin, Self::Other];
}

fn permitted(action: ProjectAction, actor: ProjectActor) -> bool {
    use ProjectActor::*;
    match action {
        ProjectAction::Agree | ProjectAction::Decline => matches!(actor, Contact | Admin),
        ProjectAction::Deliver => matches!(actor, Leader | Contact | Admin),
    }
}

fn target(from: ProjectStatus, action: ProjectAction) -> Option<ProjectStatus> {
    use ProjectStatus::*;
    match (from, action) {
        (Proposed, ProjectAction::Agree) => Some(Agreed),
        (Proposed | Agreed, ProjectAction::Decline) => Some(Declined),
        (Agreed, ProjectAction::Deliver) => Some(Delivered),
        _ => None,
    }
}

/// Decides one transition for one capacity.
pub fn transition(from: ProjectStatus, action: ProjectAction, actor: ProjectActor) -> Result<ProjectStatus, Refusal> {
    if !permitted(action, actor) {
        return Err(Refusal::NotPermitted);
    }
    target(from, action).ok_or(Refusal::WrongStatus)
}

/// Decides one transition for someone acting in several capacities: allowed if any allows it; a
/// status refusal wins over a permission refusal (the caller was entitled to try).
pub fn transition_any(
    from: ProjectStatus,
    action: ProjectAction,
    actors: &[ProjectActor],
) -> Result<ProjectStatus, Refusal> {
    crate::machine::any_capacity(actors, |actor| transition(from, action, actor))
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
