//! The wish state machine as one pure function: may this actor take this action from this status,
//! with the wish's slots as they stand, and where does it lead? No database, no clock: the store
//! applies the answer with a guarded update.
//!
//! ```text
//! pending_review --approve--> open --claim/assign--> claimed --fulfil--> fulfilled --confirm/auto_close--> closed
//!       |                      |  ^                     |
//!       +--reject--> rejected  |  +------release--------+
//!       +--------cancel--------+------cancel------------+--> cancelled
//!
//! pending_review | open --refer-->   itself, marked referred (bundled, when into a project)
//! pending_review | open --deliver--> closed  (its co-building project was delivered)
//! pending_review | open --return-->  itself  (its project was declined: back to the ordinary flow)
//! ```
//!
//! `edit` (the owner) keeps a wish under review or open where it is, while nobody holds a slot of
//! it; the store sends it back to review when review is required. Cancelling by the owner is the
//! resident's *withdraw*.
//!
//! **Slots.** A wish may need several volunteers (`slots`, 1 by default). Each claim or assignment
//! takes one slot; the wish stays `open` — on the wall, claimable — until the last slot is taken,
//! and is `claimed` once every slot is held. A release frees one slot (`claimed → open`, or
//! `open → open` while others still hold theirs). Fulfilment is one report for the whole wish: any
//! holder (or the grid's leader, or an admin) reports it done once at least one slot is held — a
//! move done with fewer hands than hoped is still done — and the slots left free close with it.
//! Confirmation is one for the whole wish too: the resident (or the leader) confirms and rates
//! once, and every holder is thanked and credited. A wish with one slot is exactly the wish it
//! always was: `open` has no holder, `claimed` has one.
//!
//! Referral, delivery and return need a wish nobody holds: a wish somebody is serving is not
//! handed to a co-building unit behind their back.

use super::WishStatus;
pub use crate::machine::Refusal;

/// What someone asks to do with a wish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A leader lets a wish under review go public.
    Approve,
    /// A leader turns a wish down.
    Reject,
    /// A volunteer takes (a slot of) the wish on.
    Claim,
    /// A leader gives (a slot of) the wish to a chosen volunteer.
    Assign,
    /// A holder (or a leader) gives their slot back.
    Release,
    /// A holder reports it done.
    Fulfil,
    /// The resident confirms and rates.
    Confirm,
    /// The resident (or a leader) withdraws the wish.
    Cancel,
    /// The resident (or whoever posted it) changes its text, category, urgency or due date.
    Edit,
    /// The confirmation window passed.
    AutoClose,
    /// A leader refers the wish to co-building (no volunteer can serve it), or bundles it into a project.
    Refer,
    /// The co-building project it is bundled into was delivered: fulfilled and closed at once.
    Deliver,
    /// The project it is bundled into was declined: it returns to the ordinary flow.
    Return,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 13] = [
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
        Action::Refer,
        Action::Deliver,
        Action::Return,
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
            Action::Refer => "refer",
            Action::Deliver => "deliver",
            Action::Return => "return",
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
    /// A volunteer who holds a slot of it.
    Holder,
    /// The leader of the wish's grid.
    Leader,
    /// A community admin.
    Admin,
    /// The system itself: schedules, and a co-building project acting on the wishes it bundles.
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

/// How many volunteers a wish takes and how many hold a slot of it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slots {
    /// Slots in all (1 for an ordinary wish).
    pub total: u32,
    /// Slots held.
    pub held: u32,
}

impl Slots {
    /// An ordinary one-slot wish, held or not.
    pub const fn one(held: bool) -> Self {
        Slots {
            total: 1,
            held: held as u32,
        }
    }
}

/// Who may take `action` at all, whatever the status.
fn permitted(action: Action, actor: Actor) -> bool {
    use Action::*;
    use Actor::*;
    match action {
        Approve | Reject | Assign | Refer => matches!(actor, Leader | Admin),
        Claim => actor == Volunteer,
        Release => matches!(actor, Holder | Leader | Admin),
        Fulfil => matches!(actor, Holder | Leader | Admin),
        // Leaders may confirm for residents who cannot use a phone; the timeline records who did.
        Confirm => matches!(actor, Owner | Leader | Admin),
        Cancel => matches!(actor, Owner | Leader | Admin),
        // The project decides who delivers or declines it; the wish follows its project.
        AutoClose | Deliver | Return => actor == System,
        Edit => actor == Owner,
    }
}

/// Where `action` leads from `from` with `slots`, if it is possible at all.
fn target(from: WishStatus, action: Action, slots: Slots) -> Option<WishStatus> {
    use Action::*;
    use WishStatus::*;
    let (free, held) = (slots.held < slots.total, slots.held > 0);
    match (from, action) {
        (PendingReview, Approve) => Some(Open),
        (PendingReview | Open, Reject) if !held => Some(Rejected),
        // The last free slot taken makes the wish claimed; before that it stays on the wall.
        (Open, Claim | Assign) if free => Some(if slots.held + 1 == slots.total { Claimed } else { Open }),
        (Open | Claimed, Release) if held => Some(Open),
        (Open | Claimed, Fulfil) if held => Some(Fulfilled),
        (Fulfilled, Confirm | AutoClose) => Some(Closed),
        (PendingReview | Open | Claimed, Cancel) => Some(Cancelled),
        (PendingReview | Open, Edit | Refer | Return) if !held => Some(from),
        (PendingReview | Open, Deliver) if !held => Some(Closed),
        _ => None,
    }
}

/// Decides one transition for one capacity.
pub fn transition(from: WishStatus, action: Action, actor: Actor, slots: Slots) -> Result<WishStatus, Refusal> {
    if !permitted(action, actor) {
        return Err(Refusal::NotPermitted);
    }
    target(from, action, slots).ok_or(Refusal::WrongStatus)
}

/// Decides one transition for someone acting in several capacities: allowed if any capacity
/// allows it; a status refusal wins over a permission refusal (the caller was entitled to try).
pub fn transition_any(from: WishStatus, action: Action, actors: &[Actor], slots: Slots) -> Result<WishStatus, Refusal> {
    crate::machine::any_capacity(actors, |actor| transition(from, action, actor, slots))
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
