//! The 双报到 registration's state machine as one pure function: may this actor take this action
//! from this status, and where does it lead? The store applies the answer with a guarded update.
//!
//! ```text
//! pending --approve--> approved
//!    |----reject-----> rejected
//!    +----withdraw---> withdrawn
//! ```
//!
//! An admin approves or rejects — a member's party status is never self-declared, so an admin's
//! own registration is decided by another admin; the applicant may withdraw while it is pending.

use std::fmt;
use std::str::FromStr;

use crate::error::CoreError;
pub use crate::machine::Refusal;

/// Where a registration stands, as stored and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationStatus {
    /// Filed, waiting for an admin.
    Pending,
    /// Approved: the applicant is an in-service member of a branch and a volunteer.
    Approved,
    /// Rejected, with a reason.
    Rejected,
    /// Withdrawn by the applicant.
    Withdrawn,
}

impl RegistrationStatus {
    /// Every status.
    pub const ALL: [RegistrationStatus; 4] = [Self::Pending, Self::Approved, Self::Rejected, Self::Withdrawn];

    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }
}

impl fmt::Display for RegistrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegistrationStatus {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| CoreError::invalid("invalid_field", "status: one of pending, approved, rejected, withdrawn"))
    }
}

/// What someone asks to do with a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationAction {
    /// Accept the applicant as an in-service member.
    Approve,
    /// Refuse, with a reason.
    Reject,
    /// The applicant takes it back.
    Withdraw,
}

impl RegistrationAction {
    /// Every action.
    pub const ALL: [RegistrationAction; 3] = [Self::Approve, Self::Reject, Self::Withdraw];
}

/// The capacity in which someone acts on one registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationActor {
    /// The person who filed it (an admin filing their own acts only as this).
    Applicant,
    /// A community admin other than the applicant.
    Admin,
    /// Anyone else.
    Other,
}

impl RegistrationActor {
    /// Every capacity.
    pub const ALL: [RegistrationActor; 3] = [Self::Applicant, Self::Admin, Self::Other];
}

fn permitted(action: RegistrationAction, actor: RegistrationActor) -> bool {
    match action {
        RegistrationAction::Approve | RegistrationAction::Reject => actor == RegistrationActor::Admin,
        RegistrationAction::Withdraw => actor == RegistrationActor::Applicant,
    }
}

fn target(from: RegistrationStatus, action: RegistrationAction) -> Option<RegistrationStatus> {
    match (from, action) {
        (RegistrationStatus::Pending, RegistrationAction::Approve) => Some(RegistrationStatus::Approved),
        (RegistrationStatus::Pending, RegistrationAction::Reject) => Some(RegistrationStatus::Rejected),
        (RegistrationStatus::Pending, RegistrationAction::Withdraw) => Some(RegistrationStatus::Withdrawn),
        _ => None,
    }
}

/// Decides one transition for one capacity.
pub fn transition(
    from: RegistrationStatus,
    action: RegistrationAction,
    actor: RegistrationActor,
) -> Result<RegistrationStatus, Refusal> {
    if !permitted(action, actor) {
        return Err(Refusal::NotPermitted);
    }
    target(from, action).ok_or(Refusal::WrongStatus)
}

#[cfg(test)]
mod tests {
    use super::RegistrationAction::*;
    use super::RegistrationActor::*;
    use super::RegistrationStatus::*;
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_is_refused() {
        for status in RegistrationStatus::ALL {
            assert_eq!(status.as_str().parse::<RegistrationStatus>().unwrap(), status);
        }
        assert!("approve".parse::<RegistrationStatus>().is_err());
    }

    #[test]
    fn every_cell_of_the_table() {
        // (from, action, actor) → expected, for every combination.
        for from in RegistrationStatus::ALL {
            for action in RegistrationAction::ALL {
                for actor in RegistrationActor::ALL {
                    let expected = match (from, action, actor) {
                        (_, Approve | Reject, Applicant | Other) | (_, Withdraw, Admin | Other) => {
                            Err(Refusal::NotPermitted)
                        }
                        (Pending, Approve, Admin) => Ok(Approved),
                        (Pending, Reject, Admin) => Ok(Rejected),
                        (Pending, Withdraw, Applicant) => Ok(Withdrawn),
                        _ => Err(Refusal::WrongStatus),
                    };
                    assert_eq!(
                        transition(from, action, actor),
                        expected,
                        "{from} {action:?} by {actor:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_decided_registration_stays_decided() {
        for from in [Approved, Rejected, Withdrawn] {
            assert_eq!(transition(from, Approve, Admin), Err(Refusal::WrongStatus));
            assert_eq!(transition(from, Withdraw, Applicant), Err(Refusal::WrongStatus));
        }
    }
}
