//! Co-building (共建) end to end: units and their resources, projects that match wishes to them,
//! referral, the needs list, supply and demand, wishes for several volunteers.

mod insight;
mod needs;
pub mod projects;
mod referral;
mod slots;
mod supply;
mod units;
