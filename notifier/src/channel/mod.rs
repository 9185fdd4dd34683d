//! Delivery channels, one shape: each takes a [`Job`] — one notification, its recipient and its
//! route — makes one send over its wire, and reports the outcome as a
//! [`Failure`](crate::delivery::Failure) class the state machine understands. [`Channels`] holds
//! the configured ones and picks by [`Channel`].

pub mod email;
mod mail;
pub mod robot;
pub mod wechat;

use std::future::Future;

use microwish_core::notify::{Notification, Recipient};
use microwish_wechat::{ErrorClass, WechatError};

use crate::delivery::{Failure, FailureClass};
use crate::route::{Channel, RouteContext};

/// One send: what, to whom, by which route, as of when.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The notification.
    pub n: &'a Notification,
    /// Its recipient's delivery facts.
    pub to: &'a Recipient,
    /// The installation's facts for its kind (template, quota tracking).
    pub route: &'a RouteContext,
    /// The community's name, as messages are signed.
    pub community: &'a str,
    /// Now, epoch ms.
    pub now: i64,
}

/// A delivery channel.
pub trait Deliver {
    /// Sends `job` once; the error's class says whether trying again can help.
    fn deliver(&self, job: &Job<'_>) -> impl Future<Output = Result<(), Failure>> + Send;
}

/// The configured channels.
pub struct Channels {
    /// WeChat subscribe messages.
    pub wechat: wechat::WechatChannel,
    /// WeCom group robots.
    pub robot: robot::RobotChannel,
    /// Email, when `email.smtp_url` is set.
    pub email: Option<email::EmailChannel>,
}

impl Channels {
    /// Sends `job` over `channel`.
    pub async fn send(&self, channel: Channel, job: &Job<'_>) -> Result<(), Failure> {
        match channel {
            Channel::Noop => Ok(()),
            Channel::Wechat => self.wechat.deliver(job).await,
            Channel::Robot => self.robot.deliver(job).await,
            Channel::Email => match &self.email {
                Some(email) => email.deliver(job).await,
                None => Err(Failure::new(FailureClass::Permanent, "email not configured")),
            },
        }
    }
}

/// Maps a WeChat/WeCom error to a delivery failure. Token errors reaching here already had their
/// one refresh-and-retry inside the client, so they are treated as transient.
pub fn wechat_failure(err: &WechatError) -> Failure {
    let class = match err.class() {
        ErrorClass::Retryable | ErrorClass::Token => FailureClass::Retryable,
        ErrorClass::RateLimited => FailureClass::RateLimited,
        ErrorClass::NoQuota => FailureClass::NoQuota,
        ErrorClass::Permanent => FailureClass::Permanent,
    };
    let reason = match err {
        WechatError::Api { errcode, errmsg, .. } => format!("errcode {errcode}: {errmsg}"),
        other => other.to_string(),
    };
    Failure::new(class, reason)
}
