//! The scheduler: every `escalation.scan_interval` it runs the alert, reminder and digest rules
//! of `core::schedule`. Several schedulers (one per worker process) may run at once: every
//! alert and reminder has a unique key per subject and period, so each is created exactly once —
//! no leader election to get wrong, at the price of repeated (cheap, indexed) scans.

use std::sync::Arc;

use tokio::sync::watch;

use microwish_core::schedule::{self, ScanReport};
use microwish_core::{CoreError, Db, Settings, SharedClock};

/// Runs the rules periodically.
pub struct Scheduler {
    db: Db,
    settings: Arc<Settings>,
    clock: SharedClock,
}

impl Scheduler {
    /// A scheduler over `db`.
    pub fn new(db: Db, settings: Arc<Settings>, clock: SharedClock) -> Self {
        Self { db, settings, clock }
    }

    /// Runs every rule once, as of the clock's now.
    pub async fn scan_once(&self) -> Result<ScanReport, CoreError> {
        schedule::scan(&self.db, &self.settings, self.clock.now_ms()).await
    }

    /// Scans until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let every = self.settings.escalation.scan_interval.0;
        while !*stop.borrow() {
            match self.scan_once().await {
                Ok(report) if report != ScanReport::default() => tracing::info!(?report, "scheduler scan"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "scheduler scan failed; trying again next interval"),
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                _ = stop.changed() => {}
            }
        }
    }
}
