//! One notification's round: quiet hours, the channel chain, each channel's attempt folded into
//! the outcome, and the hand-over of news nobody can receive.

use rand::Rng;

use microwish_core::notify::queue::Outcome;
use microwish_core::notify::{Notification, NotificationKind, Recipient};

use super::Worker;
use crate::channel::Job;
use crate::delivery::{self, Status};
use crate::handoff;
use crate::route::{self, RouteContext};

impl Worker {
    /// Delivers one notification over its chain and says how the round ended.
    pub(super) async fn deliver(&self, n: &Notification, person: Option<&Recipient>, now: i64) -> Outcome {
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
