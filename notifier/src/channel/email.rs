//! Email over SMTP (lettre); the message itself is built in `mail`.
//!
//! One [`EmailChannel`] holds a pooled SMTP transport built from a URL (`smtp://host:port`,
//! `smtp://host:587?tls=required` for STARTTLS, `smtps://host:465`). A send reports its outcome
//! as a [`Failure`] class: the server's 5xx is permanent, everything else (4xx, refused
//! connections, timeouts, TLS trouble) is worth retrying.

use std::time::Duration;

use lettre::address::AddressError;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

pub use super::mail::{CalendarPart, EmailMessage, for_notification, message_id};
use crate::delivery::{Failure, FailureClass};

/// How long one SMTP command may take before the attempt counts as failed (and retryable).
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The configuration could not make a channel.
#[derive(Debug, thiserror::Error)]
pub enum EmailSetupError {
    /// `smtp_url` is not a URL lettre understands (the URL is not repeated: it may hold a password).
    #[error("email.smtp_url is not a usable SMTP URL: {0}")]
    Url(#[source] lettre::transport::smtp::Error),
    /// `from` is not a mailbox such as `微心愿 <noreply@example.org>`.
    #[error("email.from `{from}` is not a mailbox: {source}")]
    From {
        /// The configured value.
        from: String,
        /// Why it did not parse.
        source: AddressError,
    },
}

/// Sends email through one SMTP server, pooling connections.
pub struct EmailChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `from` as configured: the calendar part's organizer.
    from_text: String,
}

impl std::fmt::Debug for EmailChannel {
    // The transport holds the SMTP password; show only who we send as.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailChannel")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl EmailChannel {
    /// A channel sending as `from` through `smtp_url`. Must be called inside a tokio runtime
    /// (the connection pool starts a housekeeping task); nothing connects until the first send.
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, EmailSetupError> {
        let from_box = from.parse().map_err(|source| EmailSetupError::From {
            from: from.to_string(),
            source,
        })?;
        // TLS parameters are made while parsing the URL, and rustls needs its provider first.
        microwish_wechat::install_crypto_provider();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(EmailSetupError::Url)?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self {
            transport,
            from: from_box,
            from_text: from.to_string(),
        })
    }

    /// Who the mail comes from.
    pub fn sender(&self) -> &Mailbox {
        &self.from
    }

    /// Sends `msg`; the error's class says whether trying again can help.
    pub async fn send(&self, msg: &EmailMessage) -> Result<(), Failure> {
        let to = mask_email(&msg.to);
        let outcome = match msg.build(&self.from) {
            Ok(message) => self.transport.send(message).await.map(drop).map_err(|e| classify(&e)),
            Err(failure) => Err(failure),
        };
        match &outcome {
            Ok(()) => tracing::info!(%to, message_id = %msg.message_id, "email sent"),
            Err(f) => {
                tracing::warn!(%to, message_id = %msg.message_id, class = ?f.class, reason = %f.reason, "email failed")
            }
        }
        outcome
    }
}

/// Only a 5xx answer is the server saying "never": everything else may pass.
fn classify(err: &lettre::transport::smtp::Error) -> Failure {
    let class = if err.is_permanent() {
        FailureClass::Permanent
    } else {
        FailureClass::Retryable
    };
    // Servers like to echo the address back ("550 <bob@…> unknown"); the reason is stored on the row.
    Failure::new(class, format!("smtp: {}", mask_emails_in(&err.to_string())))
}

/// `lily@example.com` → `l***@example.com`: enough to tell recipients apart in a log, not
/// enough to write to them.
pub fn mask_email(addr: &str) -> String {
    let addr = addr.trim();
    match addr.rsplit_once('@') {
        Some((local, domain)) => match local.chars().next() {
            Some(first) => format!("{first}***@{domain}"),
            None => format!("***@{domain}"),
        },
        None => "***".to_string(),
    }
}

/// Masks every address-looking word in free text.
fn mask_emails_in(text: &str) -> String {
    let is_addr_char = |c: char| c.is_alphanumeric() || "._%+-@".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_addr_char(c) {
            word.push(c);
            continue;
        }
        if word.contains('@') {
            out.push_str(&mask_email(&word));
        } else {
            out.push_str(&word);
        }
        word.clear();
        out.push(c);
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked() {
        assert_eq!(mask_email("lily@example.com"), "l***@example.com");
        assert_eq!(mask_email("@example.com"), "***@example.com");
        assert_eq!(mask_email("nobody"), "***");
        assert_eq!(
            mask_emails_in("550 5.1.1 <bob@example.com>: unknown"),
            "550 5.1.1 <b***@example.com>: unknown"
        );
    }
}

impl crate::channel::Deliver for EmailChannel {
    async fn deliver(&self, job: &crate::channel::Job<'_>) -> Result<(), Failure> {
        let msg = for_notification(job, &self.from_text)?;
        self.send(&msg).await
    }
}
