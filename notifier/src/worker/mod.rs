//! The worker orchestrates: claim a batch under a lease, deliver each notification over its
//! channel chain concurrently (outside any transaction), record all outcomes at once, repeat —
//! claiming the next batch while the current one is delivered and recorded, so the database and
//! the channels work at the same time. Deciding lives elsewhere — quiet hours (`quiet`), the
//! chain (`route`), what follows a failure (`delivery`), the sends (`channel`); one notification's
//! round is `deliver`. Wakes on an in-process signal, on PostgreSQL `NOTIFY`, and on a
//! safety-net poll. On shutdown it stops claiming, finishes the batch in hand, gives back the one
//! claimed ahead, and returns.

mod build;
mod deliver;

pub use build::WorkerBuilder;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use jiff::tz::TimeZone;
use tokio::sync::{Notify, watch};

use microwish_core::notify::queue::{self, Outcome};
use microwish_core::notify::{Notification, recipients};
use microwish_core::quiet_hours::QuietHours;
use microwish_core::{Db, Engine, Settings, SharedClock};

use crate::channel::Channels;
use crate::delivery::{Policy, Status};
use crate::metrics::NotifierMetrics;

/// Sends in flight at once per worker.
const CONCURRENCY: usize = 32;

/// A delivery worker. Cheap to share; several may run in one process or many.
pub struct Worker {
    db: Db,
    settings: Arc<Settings>,
    clock: SharedClock,
    id: String,
    wake: Arc<Notify>,
    channels: Channels,
    policy: Policy,
    quiet: QuietHours,
    tz: TimeZone,
    noop: bool,
    metrics: NotifierMetrics,
}

impl Worker {
    /// This worker's lease-owner id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs until `stop` turns true, then finishes the batch in hand, gives back the batch claimed
    /// ahead, and returns.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        tracing::info!(worker = %self.id, "notifier worker started");
        if self.db.engine() == Engine::Postgres {
            let url = self.settings.database.url.clone();
            tokio::spawn(crate::wake::listen(url, self.wake.clone(), stop.clone()));
        }
        let poll = self.settings.notifier.poll_interval.0;
        let mut last_depth: Option<Instant> = None;
        // The batch claimed while the previous one was out, with the end of its lease.
        let mut ahead: Option<(Vec<Notification>, i64)> = None;
        while !*stop.borrow() {
            if last_depth.is_none_or(|t| t.elapsed() > Duration::from_secs(5)) {
                self.refresh_depth().await;
                last_depth = Some(Instant::now());
            }
            let batch = match ahead.take() {
                Some((batch, lease_until)) => self.still_held(batch, lease_until).await,
                None => self.claim().await.map(|(batch, _)| batch),
            };
            match batch {
                Ok(batch) if !batch.is_empty() => {
                    // The next claim overlaps this batch's sends and its record. Its sends wait
                    // for this record, so a crash still leaves at most one batch sent but not
                    // recorded (the one claimed ahead was not sent: rescued, it goes out once).
                    let (done, next) = tokio::join!(self.deliver_batch(batch), self.claim());
                    if let Err(err) = done {
                        tracing::warn!(error = %err, "notifier batch failed; its leases lapse and it is claimed again");
                    }
                    match next {
                        Ok((next, lease_until)) if !next.is_empty() => ahead = Some((next, lease_until)),
                        Ok(_) => {}
                        Err(err) => tracing::warn!(error = %err, "claiming the next batch failed"),
                    }
                    continue;
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "notifier round failed; retrying after the poll interval"),
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
                _ = stop.changed() => {}
            }
        }
        if let Some((batch, _)) = ahead {
            let ids: Vec<i64> = batch.iter().map(|n| n.id).collect();
            if let Err(err) = queue::release(&self.db, &self.id, &ids).await {
                tracing::warn!(error = %err, "could not give back the batch claimed ahead; its leases lapse");
            }
        }
        tracing::info!(worker = %self.id, "notifier worker stopped");
    }

    /// Claims one batch, delivers it and records the outcomes; returns how many were claimed.
    pub async fn run_once(&self) -> Result<usize, sqlx::Error> {
        let (batch, _) = self.claim().await?;
        self.deliver_batch(batch).await
    }

    /// Claims a batch under a fresh lease; returns it with the lease's end.
    async fn claim(&self) -> Result<(Vec<Notification>, i64), sqlx::Error> {
        let now = self.clock.now_ms();
        let lease_until = now + self.settings.notifier.lease.as_millis_i64();
        let limit = i64::from(self.settings.notifier.batch_size);
        let batch = queue::claim(&self.db, &self.id, now, lease_until, limit).await?;
        Ok((batch, lease_until))
    }

    /// The part of a batch claimed ahead that this worker still holds. While at least half its
    /// lease is left nobody else can have taken it; past that (a slow batch before it) the lease
    /// is renewed first, and rows another worker rescued meanwhile are dropped, not sent twice.
    async fn still_held(&self, batch: Vec<Notification>, lease_until: i64) -> Result<Vec<Notification>, sqlx::Error> {
        let lease = self.settings.notifier.lease.as_millis_i64();
        let now = self.clock.now_ms();
        if lease_until - now >= lease / 2 {
            return Ok(batch);
        }
        let ids: Vec<i64> = batch.iter().map(|n| n.id).collect();
        let held = queue::extend(&self.db, &self.id, &ids, now + lease).await?;
        Ok(batch.into_iter().filter(|n| held.contains(&n.id)).collect())
    }

    /// Delivers a claimed batch and records the outcomes; returns its size.
    async fn deliver_batch(&self, batch: Vec<Notification>) -> Result<usize, sqlx::Error> {
        if batch.is_empty() {
            return Ok(0);
        }
        let now = self.clock.now_ms();
        let people = if self.noop {
            recipients::Batch::default()
        } else {
            recipients::for_batch(&self.db, &batch).await?
        };
        let count = batch.len();
        let ids: Vec<i64> = batch.iter().map(|n| n.id).collect();
        let people = &people;
        let deliveries = futures::stream::iter(batch)
            .map(|n| async move { self.deliver(&n, people.of(&n), now).await })
            .buffer_unordered(CONCURRENCY)
            .collect::<Vec<Outcome>>();
        // A batch never outlives its lease: while it is in flight, the lease is renewed every
        // third of its length, so however slowly a channel answers, no other worker rescues
        // (and sends again) what this one is still sending. A crashed worker stops renewing.
        let lease = self.settings.notifier.lease.0;
        let heartbeat = async {
            loop {
                tokio::time::sleep(lease / 3).await;
                let until = self.clock.now_ms() + self.settings.notifier.lease.as_millis_i64();
                if let Err(err) = queue::extend(&self.db, &self.id, &ids, until).await {
                    tracing::warn!(error = %err, "could not extend the batch's lease");
                }
            }
        };
        let outcomes: Vec<Outcome> = tokio::select! {
            outcomes = deliveries => outcomes,
            () = heartbeat => unreachable!("the heartbeat never ends"),
        };
        let lost = queue::record(&self.db, &self.id, &outcomes, self.clock.now_ms()).await?;
        if lost > 0 {
            tracing::warn!(
                lost,
                "outcomes not recorded: their leases had expired and were taken over"
            );
            self.metrics.duplicates.inc_by(lost);
        }
        tracing::debug!(count, "batch delivered");
        Ok(count)
    }

    async fn refresh_depth(&self) {
        if let Ok(depth) = queue::depth(&self.db).await {
            for status in [Status::Pending, Status::Retry, Status::Sending] {
                let n = depth.iter().find(|(s, _)| s == status.as_str()).map_or(0, |(_, n)| *n);
                self.metrics.depth.with_label_values(&[status.as_str()]).set(n);
            }
        }
    }
}
