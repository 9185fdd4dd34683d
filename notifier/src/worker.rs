//! The worker orchestrates: claim a batch under a lease, deliver each notification over its
//! channel chain concurrently (outside any transaction), record all outcomes in one transaction,
//! repeat. Deciding lives elsewhere — quiet hours (`quiet`), the chain (`route`), what follows a
//! failure (`delivery`), the sends (`channel`). Wakes on an in-process signal, on PostgreSQL
//! `NOTIFY`, and on a safety-net poll. On shutdown it stops claiming, finishes the batch in hand,
//! and returns.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use jiff::tz::TimeZone;
use rand::Rng;
use tokio::sync::{Notify, watch};

use microwish_core::notify::queue::{self, Outcome};
use microwish_core::notify::{Notification, NotificationKind, Recipient, recipients};
use microwish_core::quiet_hours::QuietHours;
use microwish_core::{Db, Engine, Settings, SharedClock};
use microwish_wechat::{MiniProgram, WecomRobot};

use crate::channel::email::EmailChannel;
use crate::channel::robot::RobotChannel;
use crate::channel::wechat::WechatChannel;
use crate::channel::{Channels, Job};
use crate::delivery::{self, Policy, Status};
use crate::handoff;
use crate::metrics::NotifierMetrics;
use crate::route::{self, RouteContext};

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

/// Builds a [`Worker`].
pub struct WorkerBuilder {
    worker: Worker,
}

impl WorkerBuilder {
    /// Shares the process's wake-up signal (the server pokes it after recording notifications).
    pub fn wake(mut self, wake: Arc<Notify>) -> Self {
        self.worker.wake = wake;
        self
    }

    /// Delivers everything to a no-op channel (measures the queue machinery alone).
    pub fn noop_channel(mut self) -> Self {
        self.worker.noop = true;
        self
    }

    /// Overrides the retry policy.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.worker.policy = policy;
        self
    }

    /// Uses a robot channel with a custom rate window (tests).
    pub fn robot_window(mut self, window: Duration) -> Self {
        let client = WecomRobot::new(self.worker.settings.wecom.api_base.clone()).expect("robot client");
        self.worker.channels.robot = RobotChannel::with_window(client, window);
        self
    }

    /// The worker.
    pub fn build(self) -> Arc<Worker> {
        Arc::new(self.worker)
    }
}

impl Worker {
    /// A builder for a worker on `db` with `settings`; `wechat` shares the process's token holder.
    pub fn builder(
        db: Db,
        settings: Arc<Settings>,
        clock: SharedClock,
        wechat: MiniProgram,
        registry: &prometheus::Registry,
    ) -> Result<WorkerBuilder, String> {
        let robot = WecomRobot::new(settings.wecom.api_base.clone()).map_err(|e| e.to_string())?;
        let email = match settings.email.smtp_url.as_str() {
            "" => None,
            url => Some(EmailChannel::new(url, &settings.email.from).map_err(|e| format!("email.smtp_url: {e}"))?),
        };
        let tz = TimeZone::get(&settings.community.timezone).map_err(|e| e.to_string())?;
        let channels = Channels {
            wechat: WechatChannel::new(wechat, db.clone(), tz.clone(), &settings.wechat.miniprogram_state),
            robot: RobotChannel::new(robot),
            email,
        };
        let policy = Policy {
            max_attempts: settings.notifier.max_attempts,
            base: settings.notifier.retry_base.0,
            cap: settings.notifier.retry_cap.0,
        };
        let worker = Worker {
            quiet: QuietHours::parse(&settings.notifier.quiet_hours)?,
            id: format!("{}-{:08x}", std::process::id(), rand::rng().random::<u32>()),
            wake: Arc::new(Notify::new()),
            noop: false,
            metrics: NotifierMetrics::new(registry),
            db,
            settings,
            clock,
            channels,
            policy,
            tz,
        };
        Ok(WorkerBuilder { worker })
    }

    /// This worker's lease-owner id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs until `stop` turns true, then finishes the batch in hand and returns.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        tracing::info!(worker = %self.id, "notifier worker started");
        if self.db.engine() == Engine::Postgres {
            let url = self.settings.database.url.clone();
            tokio::spawn(crate::wake::listen(url, self.wake.clone(), stop.clone()));
        }
        let poll = self.settings.notifier.poll_interval.0;
        let mut last_depth: Option<Instant> = None;
        while !*stop.borrow() {
            if last_depth.is_none_or(|t| t.elapsed() > Duration::from_secs(5)) {
                self.refresh_depth().await;
                last_depth = Some(Instant::now());
            }
            match self.run_once().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "notifier round failed; retrying after the poll interval"),
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
                _ = stop.changed() => {}
            }
        }
        tracing::info!(worker = %self.id, "notifier worker stopped");
    }

    /// Claims one batch, delivers it and records the outcomes; returns how many were claimed.
    pub async fn run_once(&self) -> Result<usize, sqlx::Error> {
        let now = self.clock.now_ms();
        let lease_until = now + self.settings.notifier.lease.as_millis_i64();
        let limit = i64::from(self.settings.notifier.batch_size);
        let batch = queue::claim(&self.db, &self.id, now, lease_until, limit).await?;
        if batch.is_empty() {
            return Ok(0);
        }
        let people = if self.noop {
            recipients::Batch::default()
        } else {
            recipients::for_batch(&self.db, &batch).await?
        };
        let count = batch.len();
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
                if let Err(err) = queue::extend(&self.db, &self.id, until).await {
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
            for status in Status::ALL {
                let n = depth.iter().find(|(s, _)| s == status.as_str()).map_or(0, |(_, n)| *n);
                self.metrics.depth.with_label_values(&[status.as_str()]).set(n);
            }
        }
    }

    /// Delivers one notification over its chain and says how the round ended.
    async fn deliver(&self, n: &Notification, person: Option<&Recipient>, now: i64) -> Outcome {
        let mut out = Outcome::start(n, now);
        if n.rescued() {
            // The previous holder died mid-send: the message may have gone out once already.
            self.metrics.duplicates.inc();
        }
        let nobody = Recipient::default();
        let person = match (person, self.noop) {
            (Some(p), false) => p,
            (_, true) => &nobody,
            (None, false) => return self.settle_without_send(out, Status::Skipped, "recipient no longer exists"),
        };
        if let Some(until) = self.quiet_until(n, now) {
            out.available_at = until;
            return self.settle_without_send(out, Status::Pending, "");
        }
        let route = self.route_context(n.kind);
        let chain = match route::chain(n.kind, n.urgent, person, &route, &n.channels_failed) {
            Ok(chain) => chain,
            Err(reason) => {
                let failed = !n.channels_failed.is_empty();
                let status = if failed { Status::Dead } else { Status::Skipped };
                let reason = handoff::hand_over(&self.db, n, (person, &route), failed, reason, now).await;
                return self.settle_without_send(out, status, &reason);
            }
        };
        let job = Job {
            n,
            to: person,
            route: &route,
            community: &self.settings.community.name,
            now,
        };
        let attempt = u32::try_from(n.attempts + 1).unwrap_or(u32::MAX);
        for channel in chain {
            let result = self.channels.send(channel, &job).await;
            let next = self.policy.next(attempt, &result, rand::rng().random());
            self.metrics.attempt(channel.as_str(), &next, n.created_at, now);
            if delivery::settle(&mut out, channel.as_str(), &result, &next, now) {
                return out;
            }
        }
        let reason = format!("every channel failed: {}", out.channels_failed.join(", "));
        let reason = handoff::hand_over(&self.db, n, (person, &route), true, reason, now).await;
        self.settle_without_send(out, Status::Dead, &reason)
    }

    /// When a non-urgent notification falls in quiet hours, the end of them.
    fn quiet_until(&self, n: &Notification, now: i64) -> Option<i64> {
        if n.urgent || self.noop {
            return None;
        }
        crate::quiet::quiet_until(&self.quiet, &self.tz, now)
    }

    /// Ends the round without a send: deferred (`Pending`, keeping its reason empty), skipped or dead.
    fn settle_without_send(&self, mut out: Outcome, status: Status, reason: &str) -> Outcome {
        self.metrics.settled_without_send(status);
        if status == Status::Pending {
            out.status = status;
        } else {
            delivery::give_up(&mut out, status, reason);
        }
        out
    }

    fn route_context(&self, kind: NotificationKind) -> RouteContext {
        let template = self.settings.wechat.templates.for_kind(kind).cloned();
        let long_term = &self.settings.wechat.long_term_templates;
        RouteContext {
            quota_tracked: template.as_ref().is_none_or(|t| !long_term.contains(&t.id)),
            template,
            email: self.channels.email.is_some(),
            noop: self.noop,
        }
    }
}
