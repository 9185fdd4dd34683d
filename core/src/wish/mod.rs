//! The micro-wish (微心愿): its model, its pure state machine, who may see and act on it, who
//! hears of each change, and the store — posting (`post`), changing (`change`), the timeline and
//! outbox rows each step leaves (`trail`), the alerts it raises or settles (`effects`), editing
//! (`edit`), the staff decisions the audit log keeps (`audited`), the checks beside the machine
//! (`rules`), the slots of a wish for several volunteers (`slots`), recurring wishes (their rule,
//! `repeat`, and their series, `series`), and reads (`query`, and a
//! volunteer's order of open wishes, `for_me`) —
//! gathered under `store`.

pub mod access;
pub mod audited;
mod change;
mod claim;
mod claim_pg;
mod edit;
mod effects;
pub mod for_me;
pub mod machine;
pub mod model;
pub mod notify;
mod post;
pub mod query;
pub mod repeat;
mod rules;
pub mod series;
mod slots;
mod status;
pub mod store;
mod trail;

pub(crate) use claim::HELD_BY;
pub use edit::WishEdit;
pub use machine::{Action, Actor, Refusal, Slots, transition};
pub use model::{NewWish, TimelineEntry, Urgency, VolunteerContact, Wish, WishFilter, WishOrder, WishStatus};
