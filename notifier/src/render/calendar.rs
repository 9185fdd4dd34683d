//! The iCalendar (RFC 5545 / iTIP RFC 5546) part of an event email: METHOD:REQUEST for an
//! invitation, an update or a promotion from the waitlist, METHOD:CANCEL for a cancellation. One
//! VEVENT with a stable UID per event and the event's SEQUENCE, so calendars update the entry they
//! already hold instead of adding another. The VEVENT itself is core's (`event::calendar`, shared
//! with the calendar feed); this adds the method, organizer and attendee. DTSTAMP is the send time.

use icalendar::{Component, Property};
use microwish_core::NotificationKind;
use microwish_core::event::calendar::{self, CalendarEvent};
use serde_json::Value;

/// The calendar part for notification `kind` about an event — `(method, ics)` — or `None` for
/// kinds that carry no invitation (reminders, everything about wishes). `organizer` is the
/// sender mailbox (`名字 <addr>` or `addr`); `attendee` the recipient's address.
pub fn event_calendar(
    kind: NotificationKind,
    payload: &Value,
    organizer: &str,
    attendee: &str,
    attendee_name: Option<&str>,
    now_ms: i64,
) -> Option<(&'static str, String)> {
    let method = match kind {
        NotificationKind::EventInvitation | NotificationKind::EventUpdate | NotificationKind::EventPromoted => {
            "REQUEST"
        }
        NotificationKind::EventCancelled => "CANCEL",
        _ => return None,
    };
    let text = |key: &str| payload.get(key).and_then(Value::as_str).unwrap_or("");
    let time = |key: &str| microwish_core::clock::parse_rfc3339(text(key));
    let facts = CalendarEvent {
        id: payload.get("event_id").and_then(Value::as_i64)?,
        sequence: payload.get("sequence").and_then(Value::as_i64).unwrap_or(0),
        starts_at: time("starts_at")?,
        ends_at: time("ends_at")?,
        title: text("title"),
        location: text("location"),
        description: text("description"),
        cancelled: method == "CANCEL",
        stamp: now_ms,
    };
    let (org_name, org_addr) = mailbox(organizer);

    let mut organizer = Property::new("ORGANIZER", format!("mailto:{org_addr}"));
    if !org_name.is_empty() {
        organizer.add_parameter("CN", &quoted(org_name));
    }
    let mut guest = Property::new("ATTENDEE", format!("mailto:{attendee}"));
    if let Some(name) = attendee_name.filter(|n| !n.is_empty()) {
        guest.add_parameter("CN", &quoted(name));
    }
    guest
        .add_parameter("ROLE", "REQ-PARTICIPANT")
        .add_parameter("PARTSTAT", "NEEDS-ACTION")
        .add_parameter("RSVP", "TRUE");

    let mut event = calendar::vevent(&facts)?;
    event.append_property(organizer).append_multi_property(guest);

    let mut calendar = calendar::calendar();
    calendar.append_property(("METHOD", method)).push(event.done());
    Some((method, calendar.to_string()))
}

/// Splits `名字 <addr>` into name and address; a bare address has no name.
fn mailbox(text: &str) -> (&str, &str) {
    match (text.find('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            (text[..open].trim().trim_matches('"'), text[open + 1..close].trim())
        }
        _ => ("", text.trim()),
    }
}

/// A parameter value, quoted so `:`, `;` and `,` in a name cannot end it (DQUOTE itself is not
/// allowed inside, RFC 5545 §3.2).
fn quoted(value: &str) -> String {
    let clean: String = value.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{clean}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use microwish_core::event::calendar::PRODID;

    fn payload() -> Value {
        serde_json::json!({
            "event_id": 7, "title": "主题党日", "location": "社区活动室, 2 楼", "description": "请带党员证",
            "starts_at": "2026-12-01T02:00:00Z", "ends_at": "2026-12-01T04:00:00Z", "sequence": 2,
        })
    }

    #[test]
    fn invitations_are_requests_with_our_prodid() {
        let (method, ics) = event_calendar(
            NotificationKind::EventInvitation,
            &payload(),
            "社区 <noreply@example.org>",
            "a@example.org",
            Some("王奶奶"),
            0,
        )
        .unwrap();
        let ics = ics.replace("\r\n ", ""); // unfold (RFC 5545 §3.1)
        assert_eq!(method, "REQUEST");
        assert!(ics.contains("METHOD:REQUEST\r\n"));
        assert!(ics.contains(&format!("PRODID:{PRODID}\r\n")));
        assert!(!ics.contains("ICALENDAR-RS"));
        assert!(ics.contains("UID:event-7@microwish\r\n"));
        assert!(ics.contains("SEQUENCE:2\r\n"));
        assert!(ics.contains("DTSTART:20261201T020000Z\r\n"));
        assert!(ics.contains("DTSTAMP:19700101T000000Z\r\n"));
        assert!(ics.contains("mailto:noreply@example.org"));
        assert!(ics.contains("RSVP=TRUE:mailto:a@example.org"), "{ics}");
        assert!(ics.contains("LOCATION:社区活动室\\, 2 楼"));
    }

    #[test]
    fn cancellations_cancel_and_reminders_carry_none() {
        let (method, ics) = event_calendar(
            NotificationKind::EventCancelled,
            &payload(),
            "x@example.org",
            "a@example.org",
            None,
            0,
        )
        .unwrap();
        assert_eq!(method, "CANCEL");
        assert!(ics.contains("STATUS:CANCELLED"));
        assert!(
            event_calendar(
                NotificationKind::EventReminder,
                &payload(),
                "x@example.org",
                "a@example.org",
                None,
                0
            )
            .is_none()
        );
        assert!(
            event_calendar(
                NotificationKind::WishClaimed,
                &payload(),
                "x@example.org",
                "a@example.org",
                None,
                0
            )
            .is_none()
        );
    }
}
