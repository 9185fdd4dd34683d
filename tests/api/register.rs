//! The community register end to end: buildings and households, residence requests verified by
//! the leader or by a phone match, unverified residents' wishes, and the people of a grid.

mod announce;
mod care;
mod family;
mod handoff;
pub mod import;
mod removal;
mod residence;
