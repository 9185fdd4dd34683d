//! The wish state machine as one pure function: may this actor take this action from this status,
//! and where does it lead? No database, no clock: the store applies the answer with a guarded update.
//!
//! ```text
//! pending_review --approve--> open --claim/assign--> claimed --fulfil--> fulfilled --confirm/auto_close--> closed
//!       |                      |  ^                     |
//!       +--reject--> rejected  |  +------release--------+
//!       +--------cancel--------+------cancel------------+--> cancelled
//! ```
//!
//! `edit` (the owner) keeps a wish under review or open where it is; the store sends it back to
//! review when review is required. Cancelling by the owner is the resident's *withdraw*.

use super::WishStatus;

/// What someone asks to do with a wish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A leader lets a wish under review go public.
    Approve,
    /// A leader turns a wish down.
    Reject,
    /// A volunteer takes the wish on.
    Claim,
    /// A leader gives the wish to a chosen volunteer.
    Assign,
    /// The holder (or a leader) gives the wish back.
    Release,
    /// The holder reports it done.
    Fulfil,
    /// The resident confirms and rates.
    Confirm,
    /// The resident (or a leader) withdraws the wish.
    Cancel,
    /// The resident (or whoever posted it) changes its text, category, urgency or due date.
    Edit,
    /// The confirmation window passed.
    AutoClose,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 10] = [
        Action::Approve,
        Action::Reject,
        Action::Claim,
        Action::Assign,
        Action::Release,
        Action::Fulfil,
        Action::Confirm,
        Action::Cancel,
        Action::AutoClose,
        Action::Edit,
    ];

    /// The name recorded on the timeline.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Claim => "claim",
            Action::Assign => "assign",
            Action::Release => "release",
            Action::Fulfil => "fulfil",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::AutoClose => "auto_close",
            Action::Edit => "edit",
        }
    }
}

/// The capacity in which someone acts on one wish. A user may hold several capacities at once
/// (an admin who is also a volunteer); an action is allowed if any of them allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The resident the wish is for, or whoever posted it on their behalf.
    Owner,
    /// A volunteer with no hold on this wish.
    Volunteer,
    /// The volunteer who holds the claim.
    Holder,
    /// The leader of the wish's grid.
    Leader,
    /// A community admin.
    Admin,
    /// The system itself (schedules).
    System,
    /// Anyone else who is signed in.
    Other,
}

impl Actor {
    /// Every capacity.
    pub const ALL: [Actor; 7] = [
        Actor::Owner,
        Actor::Volunteer,
        Actor::Holder,
        Actor::Leader,
        Actor::Admin,
        Actor::System,
        Actor::Other,
    ];
}

/// Why a transition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This actor may never take this action on this wish (HTTP 403).
    NotPermitted,
    /// The action is not possible from the current status (HTTP 409).
    WrongStatus,
}

/// Who may take `action` at all, whatever the status.
fn permitted(action: Action, actor: Actor) -> bool {
    use Action::*;
    use Actor::*;
    match action {
        Approve | Reject | Assign => matches!(actor, Leader | Admin),
        Claim => actor == Volunteer,
        Release => matches!(actor, Holder | Leader | Admin),
        Fulfil => matches!(actor, Holder | Leader | Admin),
        // Leaders may confirm for residents who cannot use a phone; the timeline records who did.
        Confirm => matches!(actor, Owner | Leader | Admin),
        Cancel => matches!(actor, Owner | Leader | Admin),
        AutoClose => actor == System,
        Edit => actor == Owner,
    }
}

/// Where `action` leads from `from`, if it is possible at all.
fn target(from: WishStatus, action: Action) -> Option<WishStatus> {
    use Action::*;
    use WishStatus::*;
    match (from, action) {
        (PendingReview, Approve) => Some(Open),
        (PendingReview | Open, Reject) => Some(Rejected),
        (Open, Claim | Assign) => Some(Claimed),
        (Claimed, Release) => Some(Open),
        (Claimed, Fulfil) => Some(Fulfilled),
        (Fulfilled, Confirm | AutoClose) => Some(Closed),
        (PendingReview | Open | Claimed, Cancel) => Some(Cancelled),
        (PendingReview, Edit) => Some(PendingReview),
        (Open, Edit) => Some(Open),
        _ => None,
    }
}

/// Decides one transition for one capacity.
pub fn transition(from: WishStatus, action: Action, actor: Actor) -> Result<WishStatus, Refusal> {
    if !permitted(action, actor) {
        return Err(Refusal::NotPermitted);
    }
    target(from, action).ok_or(Refusal::WrongStatus)
}

/// Decides one transition for someone acting in several capacities: allowed if any capacity
/// allows it; a status refusal wins over a permission refusal (the caller was entitled to try).
pub fn transition_any(from: WishStatus, action: Action, actors: &[Actor]) -> Result<WishStatus, Refusal> {
    let mut refusal = Refusal::NotPermitted;
    for actor in actors {
        match transition(from, action, *actor) {
            Ok(to) => return Ok(to),
            Err(Refusal::WrongStatus) => refusal = Refusal::WrongStatus,
            Err(Refusal::NotPermitted) => {}
        }
    }
    Err(refusal)
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
