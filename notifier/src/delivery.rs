//! The delivery state machine, pure: given a notification's attempt count and how its latest
//! send went, what happens next. `pending → sending (leased) → sent | retry (backoff) | dead |
//! skipped`, with the error class deciding.

use std::time::Duration;

pub use microwish_core::notify::Status;
use microwish_core::notify::queue::Outcome;
use serde_json::json;

/// Why a send failed, as far as what to do next is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureClass {
    /// Network, timeout, 5xx, WeChat -1 or 43108: try the same channel again later.
    Retryable,
    /// The channel's rate window is full (45009): try again when it opens.
    RateLimited,
    /// The recipient has no subscribe-message quota (43101): never retry, use the next channel.
    NoQuota,
    /// This channel can never deliver this message (bad openid, template, data, robot key,
    /// SMTP 5xx on the recipient): use the next channel, or give up.
    Permanent,
}

/// One failed send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What kind of failure.
    pub class: FailureClass,
    /// Human-readable reason, kept on the row (never with secrets or full addresses).
    pub reason: String,
    /// When the channel said to come back (rate windows).
    pub retry_after: Option<Duration>,
}

impl Failure {
    /// A failure of `class` with a reason.
    pub fn new(class: FailureClass, reason: impl Into<String>) -> Self {
        Self {
            class,
            reason: reason.into(),
            retry_after: None,
        }
    }
}

/// What to do after one channel's attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Delivered: done.
    Sent,
    /// Move on to the next channel in the chain now (this one can never deliver it).
    NextChannel,
    /// Try the same channel again after this delay.
    RetryAfter(Duration),
    /// Out of attempts: dead.
    Dead,
}

/// Retry policy: exponential backoff with jitter and a cap, and a maximum number of attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Attempts (on retryable failures) before giving up.
    pub max_attempts: u32,
    /// First backoff.
    pub base: Duration,
    /// Longest backoff.
    pub cap: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base: Duration::from_secs(10),
            cap: Duration::from_secs(3600),
        }
    }
}

impl Policy {
    /// Backoff before attempt `attempt + 1` (attempt counts from 1): `base * 2^(attempt-1)`,
    /// capped, with ±20 % jitter from `jitter` in [0, 1) so a crowd of retries spreads out.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = self.base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let capped = exp.min(self.cap);
        capped.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0))
    }

    /// Decides what follows attempt number `attempt` (1-based) of one channel.
    pub fn next(&self, attempt: u32, outcome: &Result<(), Failure>, jitter: f64) -> Next {
        let failure = match outcome {
            Ok(()) => return Next::Sent,
            Err(f) => f,
        };
        match failure.class {
            FailureClass::NoQuota | FailureClass::Permanent => Next::NextChannel,
            FailureClass::RateLimited => {
                // A full rate window is not the message's fault: wait for it without spending attempts.
                Next::RetryAfter(failure.retry_after.unwrap_or(Duration::from_secs(60)))
            }
            FailureClass::Retryable if attempt >= self.max_attempts => Next::Dead,
            FailureClass::Retryable => Next::RetryAfter(self.backoff(attempt, jitter)),
        }
    }
}

/// Folds one channel's attempt, and what the policy made of it, into the round's outcome.
/// Returns whether the notification is settled for this round (sent, retrying or dead); `false`
/// means the next channel in the chain gets its turn.
pub fn settle(out: &mut Outcome, channel: &str, result: &Result<(), Failure>, next: &Next, now: i64) -> bool {
    out.channel = Some(channel.to_string());
    out.attempted = true;
    if let Err(f) = result {
        out.last_error = Some(format!("{channel}: {}", f.reason));
        out.history
            .push(json!({ "at": now, "channel": channel, "class": format!("{:?}", f.class), "error": f.reason }));
    }
    match next {
        Next::Sent => out.status = Status::Sent,
        Next::NextChannel => {
            out.channels_failed.push(channel.to_string());
            return false;
        }
        Next::RetryAfter(delay) => {
            // Waiting for a rate window is not the message's fault: it spends no attempt.
            out.attempted = !matches!(result, Err(f) if f.class == FailureClass::RateLimited);
            out.status = Status::Retry;
            out.available_at = now + delay.as_millis() as i64;
        }
        Next::Dead => out.status = Status::Dead,
    }
    true
}

/// Ends the round without a send: `status` (skipped, dead) with `reason`.
pub fn give_up(out: &mut Outcome, status: Status, reason: &str) {
    out.status = status;
    out.last_error = Some(reason.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(class: FailureClass) -> Result<(), Failure> {
        Err(Failure::new(class, "x"))
    }

    #[test]
    fn each_error_class_decides_the_next_state() {
        let p = Policy::default();
        assert_eq!(p.next(1, &Ok(()), 0.5), Next::Sent);
        assert_eq!(p.next(1, &fail(FailureClass::NoQuota), 0.5), Next::NextChannel);
        assert_eq!(p.next(1, &fail(FailureClass::Permanent), 0.5), Next::NextChannel);
        assert_eq!(
            p.next(1, &fail(FailureClass::Retryable), 0.5),
            Next::RetryAfter(Duration::from_secs(10))
        );
        assert_eq!(p.next(8, &fail(FailureClass::Retryable), 0.5), Next::Dead);
        let limited = Err(Failure {
            class: FailureClass::RateLimited,
            reason: "45009".into(),
            retry_after: Some(Duration::from_secs(42)),
        });
        assert_eq!(p.next(8, &limited, 0.5), Next::RetryAfter(Duration::from_secs(42)));
    }

    #[test]
    fn settling_records_the_attempt_and_rate_limits_spend_nothing() {
        let mut out = Outcome {
            id: 1,
            status: Status::Sent,
            channel: None,
            channels_failed: Vec::new(),
            available_at: 0,
            last_error: None,
            history: Vec::new(),
            attempted: false,
        };
        assert!(!settle(
            &mut out,
            "wechat",
            &fail(FailureClass::NoQuota),
            &Next::NextChannel,
            5
        ));
        assert_eq!(out.channels_failed, vec!["wechat".to_string()]);
        let limited = fail(FailureClass::RateLimited);
        assert!(settle(
            &mut out,
            "robot",
            &limited,
            &Next::RetryAfter(Duration::from_secs(1)),
            5
        ));
        assert_eq!(
            (out.status, out.available_at, out.attempted),
            (Status::Retry, 1005, false)
        );
        assert_eq!(out.history.len(), 2);
        assert!(out.last_error.as_deref().unwrap().starts_with("robot: "));
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = Policy {
            max_attempts: 30,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
        };
        assert_eq!(p.backoff(1, 0.5), Duration::from_secs(1));
        assert_eq!(p.backoff(2, 0.5), Duration::from_secs(2));
        assert_eq!(p.backoff(4, 0.5), Duration::from_secs(8));
        assert_eq!(p.backoff(20, 0.5), Duration::from_secs(60));
        assert_eq!(p.backoff(40, 0.5), Duration::from_secs(60));
        assert_eq!(p.backoff(3, 0.0), Duration::from_secs_f64(3.2));
        assert!(p.backoff(3, 0.999) < Duration::from_secs_f64(4.8));
    }
}
