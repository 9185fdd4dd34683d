//! The micro-wish (微心愿): its model, its pure state machine, who hears of each change, and the
//! store functions that apply a change, its timeline row and its notifications in one transaction.

pub mod access;
pub mod machine;
pub mod model;
pub mod notify;
pub mod query;
pub mod store;

pub use machine::{Action, Actor, Refusal, transition};
pub use model::{NewWish, TimelineEntry, Urgency, Wish, WishFilter, WishStatus};
