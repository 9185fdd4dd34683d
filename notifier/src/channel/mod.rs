//! Delivery channels: each turns a notification into one send over its wire and reports the
//! outcome as a [`Failure`](crate::delivery::Failure) class the state machine understands.

pub mod email;
pub mod robot;
pub mod wechat;

use microwish_wechat::{ErrorClass, WechatError};

use crate::delivery::{Failure, FailureClass};

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
