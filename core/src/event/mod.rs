//! Community events (party days, volunteer service days): the model and its pure rules, the
//! store (create, edit, cancel, answer, check in), invitations enqueued in batches, and the
//! volunteer-hours ledger that attendance and confirmed wishes credit.

pub mod calendar;
pub mod corrections;
pub mod feed;
pub mod hours;
pub mod invite;
pub mod list;
pub mod model;
pub mod notify;
pub mod places;
pub mod store;

pub use invite::Audience;
pub use model::{Event, EventInput, EventStatus, Place};
