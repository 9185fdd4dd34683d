//! The `microwish` binary's library half: configuration loading, start-up of the server and the
//! notifier, the admin commands and the demo. `main.rs` only parses the command line; the
//! end-to-end tests start the very same pieces.
#![forbid(unsafe_code)]

pub mod admin;
pub mod cli;
pub mod config;
pub mod demo;
pub mod probes;
pub mod register;
pub mod startup;
