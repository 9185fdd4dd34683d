//! End-to-end tests of microwish over HTTP, against a real server on port 0, a real database
//! (every test runs on SQLite and on PostgreSQL) and the WeChat protocol stub.

mod helpers;

mod alerts;
mod audit;
mod authorization;
mod bad_input;
mod channels;
pub mod cobuild;
mod console;
mod events;
mod hardening;
mod insight;
mod lifecycle;
mod messages;
mod notifier;
mod party;
mod races;
mod register;
mod service;
mod wishes;
mod workers;
