//! microwish-notifier: the delivery worker. It claims due notifications from the outbox with a
//! lease, routes each to the recipient's channels (WeChat subscribe message, WeCom group robot,
//! email), sends outside any transaction, and records the outcome — nothing lost, nothing sent
//! twice where the channel lets us check.
#![forbid(unsafe_code)]

pub mod channel;
pub mod delivery;
pub mod handoff;
pub mod metrics;
pub mod quiet;
pub mod render;
pub mod route;
pub mod scheduler;
pub mod wake;
pub mod worker;

pub use scheduler::Scheduler;
pub use worker::{Worker, WorkerBuilder};
