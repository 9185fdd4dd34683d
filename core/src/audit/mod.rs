//! The audit log: every admin's and leader's action with power (role grants, grid changes, the
//! register's writes and removals, imports, session revocations, notification retries, residence
//! decisions, wishes decided by staff, events, the party organisation), each recorded by
//! [`record`] inside the action's own transaction, and read by [`list`] together with the contact
//! reveals (`contact_views`, `volunteer_contact_views`) — who did what, and who saw whose contact
//! details.

mod action;
mod filter;
mod query;
mod record;

pub use action::{Action, Fact, Subject, SubjectFilter};
pub use filter::{CONTACT_VIEW, Cursor, Filter, FilterText, Kind, VOLUNTEER_CONTACT_VIEW};
pub use query::{Entry, Page, actors, list};
pub use record::record;
