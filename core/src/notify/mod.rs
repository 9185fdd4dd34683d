//! Notifications as core knows them, and the tables they live in: their kinds (what each means,
//! how urgent, who may switch it off, which templates word it), the outbox that records them in
//! the caller's transaction, the queue delivery workers claim them from, the one mapping of the
//! `notifications` row, and what a worker needs to know about each recipient.

pub mod kind;
pub mod outbox;
pub mod queue;
pub mod recipients;
mod row;
pub mod template;

pub use kind::{Addressee, Audience, KindUrgency, NotificationKind, UnknownKind};
pub use recipients::Recipient;
pub use row::{Notification, Status};
pub use template::{MessageValue, TemplateMapping};
