//! The worker: claim a batch under a lease, deliver each notification over its channel chain
//! concurrently (outside any transaction), record all outcomes in one transaction, repeat.
//! Wakes on an in-process signal, on PostgreSQL `NOTIFY`, and on a safety-net poll. On shutdown
//! it stops claiming, finishes the batch in hand, and returns.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use jiff::tz::TimeZone;
use rand::Rng;
use serde_json::json;
use tokio::sync::{Notify, watch};

use microwish_core::people::subscription;
use microwish_core::quiet_hours::QuietHours;
use microwish_core::{Db, Engine, NotificationKind, Settings, SharedClock};
use microwish_wechat::{MiniProgram, WecomRobot};

use crate::channel::email::EmailChannel;
use crate::channel::robot::RobotChannel;
use crate::channel::wechat;
use crate::delivery::{Failure, FailureClass, Next, Policy, Status};
use crate::metrics::NotifierMetrics;
use crate::queue::{self, Claimed, Outcome};
use crate::recipients::{self, Recipient};
use crate::render::{self, Lang};
use crate::route::{self, Channel, RouteContext};

/// Sends in flight at once per worker.
const CONCURRENCY: usize = 32;

/// A delivery worker. Cheap to share; several may run in one process or many.
pub struct Worker {
    db: Db,
    settings: Arc<Settings>,
    clock: SharedClock,
    id: String,
    wake: Arc<Notify>,
    wechat: MiniProgram,
    robot: RobotChannel,
    email: Option<EmailChannel>,
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
        self.worker.robot = RobotChannel::with_window(client, window);
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
        let quiet = QuietHours::parse(&settings.notifier.quiet_hours)?;
        let policy = Policy {
            max_attempts: settings.notifier.max_attempts,
            base: settings.notifier.retry_base.0,
            cap: settings.notifier.retry_cap.0,
        };
        let id = format!("{}-{:08x}", std::process::id(), rand::rng().random::<u32>());
        let worker = Worker {
            db,
            settings,
            clock,
            id,
            wake: Arc::new(Notify::new()),
            wechat,
            robot: RobotChannel::new(robot),
            email,
            policy,
            quiet,
            tz,
            noop: false,
            metrics: NotifierMetrics::new(registry),
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
            tokio::spawn(crate::wake::listen(
                self.settings.database.url.clone(),
                self.wake.clone(),
                stop.clone(),
            ));
        }
        let poll = self.settings.notifier.poll_interval.0;
        let mut last_depth = std::time::Instant::now() - Duration::from_secs(60);
        while !*stop.borrow() {
            if last_depth.elapsed() > Duration::from_secs(5) {
                self.refresh_depth().await;
                last_depth = std::time::Instant::now();
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
        let ids: Vec<i64> = batch.iter().map(|n| n.recipient_id).collect();
        let people = if self.noop {
            HashMap::new()
        } else {
            recipients::load(&self.db, &ids).await?
        };
        let count = batch.len();
        let outcomes: Vec<Outcome> = futures::stream::iter(batch)
            .map(|n| {
                let person = people.get(&n.recipient_id);
                async move { self.deliver(n, person, now).await }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
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
            for status in ["pending", "sending", "sent", "retry", "dead", "skipped"] {
                let n = depth.iter().find(|(s, _)| s == status).map(|(_, n)| *n).unwrap_or(0);
                self.metrics.depth.with_label_values(&[status]).set(n);
            }
        }
    }

    /// Delivers one notification over its chain and says how it ended.
    async fn deliver(&self, n: Claimed, person: Option<&Recipient>, now: i64) -> Outcome {
        let mut out = Outcome {
            id: n.id,
            status: Status::Sent,
            channel: None,
            channels_failed: n.channels_failed.clone(),
            available_at: now,
            last_error: None,
            history: n.history.clone(),
            attempted: false,
        };
        if n.rescued {
            // The previous holder died mid-send: the message may have gone out once already.
            self.metrics.duplicates.inc();
        }
        let person = match (person, self.noop) {
            (_, true) => None,
            (Some(p), false) => Some(p),
            (None, false) => return self.give_up(out, Status::Skipped, "recipient no longer exists"),
        };
        let quiet = (!n.urgent && !self.noop).then(|| crate::quiet::quiet_until(&self.quiet, &self.tz, now));
        if let Some(Some(until)) = quiet {
            self.metrics.deliveries.with_label_values(&["-", "deferred"]).inc();
            out.status = Status::Pending;
            out.available_at = until;
            return out;
        }
        let ctx = self.route_context(n.kind);
        let empty = Recipient::default();
        let chain = match route::chain(n.kind, n.urgent, person.unwrap_or(&empty), &ctx, &n.channels_failed) {
            Ok(chain) => chain,
            Err(reason) if n.channels_failed.is_empty() => return self.give_up(out, Status::Skipped, &reason),
            Err(reason) => return self.give_up(out, Status::Dead, &reason),
        };
        let attempt = u32::try_from(n.attempts + 1).unwrap_or(u32::MAX);
        for channel in chain {
            out.channel = Some(channel.as_str().to_string());
            out.attempted = true;
            let result = self.send(channel, &n, person.unwrap_or(&empty), now).await;
            let next = self.policy.next(attempt, &result, rand::rng().random());
            if let Err(f) = &result {
                out.last_error = Some(format!("{}: {}", channel.as_str(), f.reason));
                out.history.push(json!({ "at": now, "channel": channel.as_str(), "class": format!("{:?}", f.class), "error": f.reason }));
            }
            match next {
                Next::Sent => {
                    self.metrics
                        .deliveries
                        .with_label_values(&[channel.as_str(), "sent"])
                        .inc();
                    self.metrics
                        .latency
                        .observe(((now - n.created_at).max(0) as f64) / 1000.0);
                    out.status = Status::Sent;
                    return out;
                }
                Next::NextChannel => {
                    self.metrics
                        .deliveries
                        .with_label_values(&[channel.as_str(), "failed"])
                        .inc();
                    out.channels_failed.push(channel.as_str().to_string());
                }
                Next::RetryAfter(delay) => {
                    let limited = matches!(
                        &result,
                        Err(Failure {
                            class: FailureClass::RateLimited,
                            ..
                        })
                    );
                    self.metrics
                        .deliveries
                        .with_label_values(&[channel.as_str(), "retry"])
                        .inc();
                    self.metrics.retries.inc();
                    out.attempted = !limited;
                    out.status = Status::Retry;
                    out.available_at = now + delay.as_millis() as i64;
                    return out;
                }
                Next::Dead => {
                    self.metrics
                        .deliveries
                        .with_label_values(&[channel.as_str(), "dead"])
                        .inc();
                    self.metrics.dead.inc();
                    out.status = Status::Dead;
                    return out;
                }
            }
        }
        let reason = format!("every channel failed: {}", out.channels_failed.join(", "));
        self.give_up(out, Status::Dead, &reason)
    }

    fn give_up(&self, mut out: Outcome, status: Status, reason: &str) -> Outcome {
        if status == Status::Dead {
            self.metrics.dead.inc();
        }
        self.metrics.deliveries.with_label_values(&["-", status.as_str()]).inc();
        out.status = status;
        out.last_error = Some(reason.to_string());
        out
    }

    fn route_context(&self, kind: NotificationKind) -> RouteContext {
        let templates = &self.settings.wechat.templates;
        let template = kind.wechat_template().map_or("", |t| templates.id(t));
        RouteContext {
            template: Some(template.to_string()).filter(|t| !t.is_empty()),
            quota_tracked: !self.settings.wechat.long_term_templates.iter().any(|l| l == template),
            email: self.email.is_some(),
            noop: self.noop,
        }
    }

    async fn send(&self, channel: Channel, n: &Claimed, r: &Recipient, now: i64) -> Result<(), Failure> {
        match channel {
            Channel::Noop => Ok(()),
            Channel::Wechat => self.send_wechat(n, r, now).await,
            Channel::Robot => {
                let content = crate::channel::robot::content(&self.settings.community.name, n, &r.display_name);
                let mention: Vec<String> = r.phone.iter().cloned().collect();
                for key in &r.robot_keys {
                    self.robot.send(key, &content, &mention).await?;
                }
                Ok(())
            }
            Channel::Email => {
                let email = self
                    .email
                    .as_ref()
                    .ok_or_else(|| Failure::new(FailureClass::Permanent, "email not configured"))?;
                let msg = crate::channel::email::for_notification(n, r, &self.settings, now)?;
                email.send(&msg).await
            }
        }
    }

    async fn send_wechat(&self, n: &Claimed, r: &Recipient, now: i64) -> Result<(), Failure> {
        let ctx = self.route_context(n.kind);
        let template = ctx.template.unwrap_or_default();
        let note = render::short_text(n.kind, Lang::ZhCn, &n.payload);
        // Event messages show when the event starts; everything else, when it happened.
        let starts = n
            .payload
            .get("starts_at")
            .and_then(|v| v.as_str())
            .and_then(microwish_core::clock::parse_rfc3339);
        let local = crate::quiet::local_time(&self.tz, starts.unwrap_or(now));
        let msg = wechat::message(
            n,
            &r.openid,
            &template,
            &self.settings.wechat.miniprogram_state,
            &local,
            &note,
        );
        let result = wechat::send(&self.wechat, &msg).await;
        let pool = self.db.pool();
        let update = match &result {
            Ok(()) if ctx.quota_tracked => subscription::spend(pool, r.id, &template, now).await,
            Err(f) if f.class == FailureClass::NoQuota => subscription::exhaust(pool, r.id, &template, now).await,
            _ => Ok(()),
        };
        if let Err(err) = update {
            tracing::warn!(error = %err, "could not update subscribe-message quota");
        }
        result
    }
}
