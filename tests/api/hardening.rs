//! Hardening: what a hostile or careless client could do, closed — metrics cardinality, rate
//! limits, sessions, existence oracles, check-in and hours, and operations.

mod caches;
mod checkin;
mod cluster;
mod lease;
mod limits;
mod metrics;
mod operations;
mod oracles;
mod sessions;

use std::sync::Arc;

use microwish::startup::{self, RunningServer};

use crate::helpers::TestApp;

/// A second server on the test app's database and clock, with limiters of its own: what a
/// second `serve` process behind the same load balancer shares with the first (only the
/// database). The caller keeps it running by holding it; `base` is where it answers.
pub async fn second_server(app: &TestApp) -> (RunningServer, String) {
    let settings = app.state().settings.clone();
    let db = startup::open_database(&settings).await.expect("database");
    let server = startup::start_server(Arc::clone(&settings), db, app.clock.clone())
        .await
        .expect("second server");
    let base = format!("http://{}", server.addr);
    (server, base)
}
