//! Making a worker: its channels from the settings, its retry policy, its lease-owner id, and
//! the few things tests and benchmarks change (the wake-up signal, a no-op channel, the policy,
//! the robot's rate window).

use std::sync::Arc;
use std::time::Duration;

use jiff::tz::TimeZone;
use rand::Rng;
use tokio::sync::Notify;

use microwish_core::quiet_hours::QuietHours;
use microwish_core::{Db, Settings, SharedClock};
use microwish_wechat::{MiniProgram, WecomRobot};

use super::Worker;
use crate::channel::Channels;
use crate::channel::email::EmailChannel;
use crate::channel::robot::RobotChannel;
use crate::channel::wechat::WechatChannel;
use crate::delivery::Policy;
use crate::metrics::NotifierMetrics;

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
}
