//! The email for one notification: rendered from its kind's templates as text and HTML, with an
//! iCalendar invitation (or its cancellation) beside them for event kinds, and a Message-ID that
//! stays the same however often it is sent.

use lettre::Message;
use lettre::address::AddressError;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};

use crate::channel::Job;
use crate::delivery::{Failure, FailureClass};

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

/// The email for one notification: rendered from the kind's templates, with an iCalendar
/// invitation (or its cancellation) from `organizer` beside text and HTML for event kinds.
pub fn for_notification(job: &Job<'_>, organizer: &str) -> Result<EmailMessage, Failure> {
    use crate::render;
    let (n, r) = (job.n, job.to);
    let to = r
        .email
        .clone()
        .ok_or_else(|| Failure::new(FailureClass::Permanent, "no email address"))?;
    let rendered = render::render(n.kind, r.lang, &n.payload, job.community)
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
}
