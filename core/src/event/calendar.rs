//! An event as an iCalendar VEVENT (RFC 5545), the one shape both the event emails' invitations
//! and the personal calendar feed carry: UID `event-{id}@microwish`, SEQUENCE raised by every
//! change of time or place, STATUS:CANCELLED once called off — so a calendar updates the entry
//! it already holds, whichever way it learnt of it. Built with the `icalendar` crate.

use icalendar::{Component, EventLike};

/// Our product identifier (RFC 5545 §3.7.3).
pub const PRODID: &str = "-//microwish//community events//ZH";

/// What a VEVENT says about an event.
#[derive(Debug, Clone, Copy)]
pub struct CalendarEvent<'a> {
    /// The event's id.
    pub id: i64,
    /// Its SEQUENCE.
    pub sequence: i64,
    /// Start and end, epoch ms.
    pub starts_at: i64,
    /// End, epoch ms.
    pub ends_at: i64,
    /// Title.
    pub title: &'a str,
    /// Where.
    pub location: &'a str,
    /// What.
    pub description: &'a str,
    /// Called off.
    pub cancelled: bool,
    /// DTSTAMP: when this version of it was made, epoch ms.
    pub stamp: i64,
}

/// The UID of event `id` in every calendar object we send.
pub fn uid(id: i64) -> String {
    format!("event-{id}@microwish")
}

/// `20261201T020000Z`: a UTC date-time (RFC 5545 §3.3.5, form 2); `None` for an impossible time.
pub fn utc(ms: i64) -> Option<String> {
    Some(
        jiff::Timestamp::from_millisecond(ms)
            .ok()?
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string(),
    )
}

/// The VEVENT, for callers to add their own properties (organizer, attendee) to.
pub fn vevent(e: &CalendarEvent<'_>) -> Option<icalendar::Event> {
    let mut event = icalendar::Event::new();
    event
        .uid(&uid(e.id))
        .sequence(u32::try_from(e.sequence).unwrap_or(0))
        .add_property("DTSTAMP", utc(e.stamp)?)
        .add_property("DTSTART", utc(e.starts_at)?)
        .add_property("DTEND", utc(e.ends_at)?)
        .summary(e.title)
        .location(e.location)
        .description(e.description)
        .add_property("STATUS", if e.cancelled { "CANCELLED" } else { "CONFIRMED" });
    Some(event)
}

/// An empty calendar with our PRODID (instead of the crate's `ICALENDAR-RS`) and the Gregorian scale.
pub fn calendar() -> icalendar::Calendar {
    let mut calendar = icalendar::Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"));
    calendar
}
