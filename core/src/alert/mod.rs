//! Alerts: records somebody must act on — an unclaimed wish, an urgent one, an overdue claim, a
//! bad rating awaiting a callback (回访) — raised once per subject and period, delivered to the
//! grid leader (level 1) or the community admins (level 2), acknowledged and resolved by people.

pub mod model;
pub mod store;
pub mod summary;

pub use model::{Alert, NewAlert};
