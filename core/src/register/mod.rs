//! The community register (人口台账): grid → building (楼栋) → household (unit + room) → people,
//! and the residence requests through which an account's grid comes from a verified place —
//! matched against the register by a WeChat-verified phone, or approved by the grid's leader —
//! never from what a client types.

pub mod announce;
pub mod building;
pub mod care;
pub mod care_due;
pub mod export;
pub mod family;
pub mod fields;
pub mod handoff;
pub mod household;
pub mod import;
mod import_batch;
pub mod import_job;
mod import_report;
pub mod offline;
pub mod people;
pub mod removal;
pub mod requests;
pub mod residence;
pub mod roster;
pub mod verify;
pub mod visit;

pub use building::Building;
pub use requests::ResidenceRequest;
pub use residence::{Method, RequestStatus};
pub use verify::Place;
