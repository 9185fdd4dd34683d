//! Notifier metrics: queue depth by status, deliveries by channel and outcome, enqueue→sent
//! latency, retries, dead letters and possible duplicates.

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry};

use crate::delivery::{Next, Status};

/// The notifier's metrics, registered in the process's registry.
#[derive(Clone)]
pub struct NotifierMetrics {
    /// Deliveries by channel and outcome (sent, failed, retry, dead, skipped, deferred).
    pub deliveries: IntCounterVec,
    /// Seconds from recording to delivery.
    pub latency: Histogram,
    /// Retries scheduled.
    pub retries: IntCounter,
    /// Notifications given up.
    pub dead: IntCounter,
    /// Rescued notifications that may have been sent once already (the channel gave no way to check).
    pub duplicates: IntCounter,
    /// Queue depth by status.
    pub depth: IntGaugeVec,
}

impl NotifierMetrics {
    /// Registers the metrics in `registry` (a second registration of the same names is ignored,
    /// so two workers in one process share the series).
    pub fn new(registry: &Registry) -> Self {
        let m = Self {
            deliveries: IntCounterVec::new(
                Opts::new(
                    "microwish_notifier_deliveries_total",
                    "Delivery attempts by channel and outcome",
                ),
                &["channel", "outcome"],
            )
            .expect("valid metric"),
            latency: Histogram::with_opts(
                HistogramOpts::new(
                    "microwish_notifier_delivery_latency_seconds",
                    "Seconds from enqueue to sent",
                )
                .buckets(vec![
                    0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 60.0, 300.0, 3600.0, 86_400.0,
                ]),
            )
            .expect("valid metric"),
            retries: IntCounter::new("microwish_notifier_retries_total", "Retries scheduled").expect("valid metric"),
            dead: IntCounter::new("microwish_notifier_dead_total", "Notifications given up").expect("valid metric"),
            duplicates: IntCounter::new(
                "microwish_notifier_possible_duplicates_total",
                "Rescued notifications that may already have been sent once",
            )
            .expect("valid metric"),
            depth: IntGaugeVec::new(
                Opts::new("microwish_notifier_queue_depth", "Notifications by status"),
                &["status"],
            )
            .expect("valid metric"),
        };
        let _ = registry.register(Box::new(m.deliveries.clone()));
        let _ = registry.register(Box::new(m.latency.clone()));
        let _ = registry.register(Box::new(m.retries.clone()));
        let _ = registry.register(Box::new(m.dead.clone()));
        let _ = registry.register(Box::new(m.duplicates.clone()));
        let _ = registry.register(Box::new(m.depth.clone()));
        m
    }

    /// Counts one channel's attempt by what follows it; a delivery also observes its latency
    /// from `enqueued_ms`.
    pub fn attempt(&self, channel: &str, next: &Next, enqueued_ms: i64, now: i64) {
        let outcome = match next {
            Next::Sent => {
                self.latency.observe(((now - enqueued_ms).max(0) as f64) / 1000.0);
                "sent"
            }
            Next::NextChannel => "failed",
            Next::RetryAfter(_) => {
                self.retries.inc();
                "retry"
            }
            Next::Dead => {
                self.dead.inc();
                "dead"
            }
        };
        self.deliveries.with_label_values(&[channel, outcome]).inc();
    }

    /// Counts a round that ended without a send (deferred, skipped, dead).
    pub fn settled_without_send(&self, status: Status) {
        if status == Status::Dead {
            self.dead.inc();
        }
        let outcome = if status == Status::Pending {
            "deferred"
        } else {
            status.as_str()
        };
        self.deliveries.with_label_values(&["-", outcome]).inc();
    }
}
