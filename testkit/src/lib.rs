//! microwish-testkit: what the tests, the benchmarks and `microwish demo` stand on, kept out of
//! the production crates — an SMTP server that keeps what it receives, and throwaway databases
//! on either engine.
#![forbid(unsafe_code)]

pub mod db;
pub mod smtp;

pub use db::ThrowawayDb;
pub use smtp::{CapturedMail, SmtpCapture};
