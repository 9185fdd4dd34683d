//! microwish-core: the community's model and rules — people, roles, grids, wishes — the store
//! (sqlx `Any`, one code path for SQLite and PostgreSQL) and the outbox that records notifications
//! inside the caller's transaction. It knows nothing of HTTP or of delivery channels.
#![forbid(unsafe_code)]

pub mod alert;
pub mod audit;
pub mod clock;
pub mod cobuild;
pub mod config;
pub mod console;
pub mod db;
pub mod error;
pub mod event;
pub mod fields;
pub mod insight;
pub mod lang;
pub mod links;
pub mod machine;
pub mod notice;
pub mod notify;
pub mod overview;
pub mod party;
pub mod people;
pub mod photo;
pub mod printable;
pub mod privacy;
pub mod quiet_hours;
pub mod rate;
pub mod register;
pub mod schedule;
pub mod wish;

pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use config::Settings;
pub use db::{Db, Engine};
pub use error::{CoreError, CoreResult};
pub use lang::Lang;
pub use notify::{NotificationKind, outbox};
