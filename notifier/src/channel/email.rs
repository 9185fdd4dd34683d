//! Email over SMTP (lettre): multipart text + HTML, with room for a calendar part.
//!
//! One [`EmailChannel`] holds a pooled SMTP transport built from a URL (`smtp://host:port`,
//! `smtp://host:587?tls=required` for STARTTLS, `smtps://host:465`). A send reports its outcome
//! as a [`Failure`] class: the server's 5xx is permanent, everything else (4xx, refused
//! connections, timeouts, TLS trouble) is worth retrying.

use std::time::Duration;

use lettre::address::AddressError;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::delivery::{Failure, FailureClass};

/// How long one SMTP command may take before the attempt counts as failed (and retryable).
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// An iCalendar object sent as a `text/calendar` alternative, which mail clients show as an
/// invitation with accept/decline buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarPart {
    /// The iTIP method, matching the `METHOD:` line inside the ICS: `REQUEST` or `CANCEL`.
    pub method: String,
    /// The whole `BEGIN:VCALENDAR … END:VCALENDAR` text.
    pub ics: String,
}

impl CalendarPart {
    /// An invitation (or an update of one).
    pub fn request(ics: impl Into<String>) -> Self {
        Self {
            method: "REQUEST".into(),
            ics: ics.into(),
        }
    }

    /// The withdrawal of an invitation.
    pub fn cancel(ics: impl Into<String>) -> Self {
        Self {
            method: "CANCEL".into(),
            ics: ics.into(),
        }
    }
}

/// One email, already rendered, to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    /// The recipient's address.
    pub to: String,
    /// The recipient's display name, if known.
    pub to_name: Option<String>,
    /// The subject, any script; lettre encodes it.
    pub subject: String,
    /// The plain-text alternative.
    pub text: String,
    /// The HTML alternative.
    pub html: String,
    /// Stable per notification and channel (see [`message_id`]), so a resent copy is
    /// recognisable as the same message.
    pub message_id: String,
    /// An invitation to attach beside text and HTML.
    pub calendar: Option<CalendarPart>,
}

impl EmailMessage {
    /// The lettre message, with `Message-ID`, `Date`, `From`, `To` and a `multipart/alternative`
    /// body of text, HTML and, when present, the calendar part. A message that can never be
    /// built (a malformed address or calendar method) is a permanent failure.
    pub fn build(&self, from: &Mailbox) -> Result<Message, Failure> {
        let to_addr = self
            .to
            .parse()
            .map_err(|e: AddressError| Failure::new(FailureClass::Permanent, format!("bad recipient address: {e}")))?;
        let mut body = MultiPart::alternative()
            .singlepart(SinglePart::plain(self.text.clone()))
            .singlepart(SinglePart::html(self.html.clone()));
        if let Some(calendar) = &self.calendar {
            body = body.singlepart(calendar_part(calendar)?);
        }
        Message::builder()
            .message_id(Some(self.message_id.clone()))
            .date_now()
            .from(from.clone())
            .to(Mailbox::new(self.to_name.clone(), to_addr))
            .subject(self.subject.clone())
            .multipart(body)
            .map_err(|e| Failure::new(FailureClass::Permanent, format!("building the message: {e}")))
    }
}

fn calendar_part(calendar: &CalendarPart) -> Result<SinglePart, Failure> {
    // The method lands in a header: letters only, so it cannot smuggle in parameters or lines.
    let bad = || Failure::new(FailureClass::Permanent, "bad calendar method");
    if calendar.method.is_empty() || !calendar.method.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(bad());
    }
    let content_type =
        ContentType::parse(&format!("text/calendar; method={}; charset=UTF-8", calendar.method)).map_err(|_| bad())?;
    Ok(SinglePart::builder().header(content_type).body(calendar.ics.clone()))
}

/// The Message-ID for notification `notification_id` on the email channel: `<n42.email@microwish>`.
pub fn message_id(notification_id: i64) -> String {
    format!("<n{notification_id}.email@microwish>")
}

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

    fn message(calendar: Option<CalendarPart>) -> EmailMessage {
        EmailMessage {
            to: "lily@example.com".into(),
            to_name: Some("莉莉".into()),
            subject: "测试".into(),
            text: "正文".into(),
            html: "<p>正文</p>".into(),
            message_id: message_id(42),
            calendar,
        }
    }

    fn formatted(msg: &EmailMessage) -> String {
        let from: Mailbox = "微心愿 <noreply@example.org>".parse().expect("mailbox");
        String::from_utf8(msg.build(&from).expect("builds").formatted()).expect("utf-8")
    }

    #[test]
    fn a_calendar_part_joins_the_alternatives() {
        let raw = formatted(&message(Some(CalendarPart::request(
            "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
        ))));
        assert!(raw.contains("multipart/alternative"));
        assert!(
            raw.to_ascii_lowercase()
                .contains("content-type: text/calendar; method=request; charset=utf-8"),
            "{raw}"
        );
        assert!(raw.contains("BEGIN:VCALENDAR"));
        assert!(raw.contains("Message-ID: <n42.email@microwish>"));
        assert!(!formatted(&message(None)).contains("text/calendar"));
    }

    #[test]
    fn unbuildable_messages_are_permanent() {
        let from: Mailbox = "noreply@example.org".parse().expect("mailbox");
        let bad_to = EmailMessage {
            to: "not an address".into(),
            ..message(None)
        };
        assert_eq!(
            bad_to.build(&from).map(drop).unwrap_err().class,
            FailureClass::Permanent
        );
        let bad_method = message(Some(CalendarPart {
            method: "REQUEST\r\nBcc: x@y".into(),
            ics: String::new(),
        }));
        assert_eq!(
            bad_method.build(&from).map(drop).unwrap_err().class,
            FailureClass::Permanent
        );
    }

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

/// The email for one notification: rendered from the kind's templates, with an iCalendar
/// invitation (or its cancellation) from `organizer` beside text and HTML for event kinds.
pub fn for_notification(job: &crate::channel::Job<'_>, organizer: &str) -> Result<EmailMessage, Failure> {
    use crate::render::{self, Lang};
    let (n, r) = (job.n, job.to);
    let to = r
        .email
        .clone()
        .ok_or_else(|| Failure::new(FailureClass::Permanent, "no email address"))?;
    let rendered = render::render(n.kind, Lang::ZhCn, &n.payload, job.community)
        .map_err(|e| Failure::new(FailureClass::Permanent, e.to_string()))?;
    let to_name = Some(r.display_name.clone()).filter(|s| !s.is_empty());
    let calendar =
        render::event_calendar(n.kind, &n.payload, organizer, &to, to_name.as_deref(), job.now).map(|(method, ics)| {
            match method {
                "CANCEL" => CalendarPart::cancel(ics),
                _ => CalendarPart::request(ics),
            }
        });
    Ok(EmailMessage {
        to,
        to_name,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        message_id: message_id(n.id),
        calendar,
    })
}
