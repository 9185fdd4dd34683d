//! Talks to the WeChat protocol stub over real HTTP with the real clients: one test binary.

mod content;
mod control;
mod helpers;
mod login;
mod robot;
mod subscribe;
mod token;
