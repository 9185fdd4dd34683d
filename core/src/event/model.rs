//! The event's model and its pure rules: what a valid event is, who may manage it, what an answer
//! does to a person's place (registered, waitlisted, declined), and when check-in is open.

use crate::error::{CoreError, CoreResult};
use crate::fields::{Description, Title};
use crate::people::Caller;

/// Check-in opens this long before the start and closes this long after the end.
pub const CHECKIN_MARGIN_MS: i64 = 3_600_000;

/// Where an event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// Announced; people may answer and check in.
    Published,
    /// Called off; invitees were told.
    Cancelled,
    /// Over (set by the scheduler an hour after the end, when check-in closes).
    Finished,
}

impl EventStatus {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::Cancelled => "cancelled",
            Self::Finished => "finished",
        }
    }

    /// Reads a stored status; anything unknown reads as finished (never answerable).
    pub fn parse(s: &str) -> Self {
        match s {
            "published" => Self::Published,
            "cancelled" => Self::Cancelled,
            _ => Self::Finished,
        }
    }
}

/// A community event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where.
    pub location: String,
    /// Start, epoch ms.
    pub starts_at: i64,
    /// End, epoch ms.
    pub ends_at: i64,
    /// Places; `None` = unlimited.
    pub capacity: Option<i64>,
    /// The grid it belongs to; `None` = the whole community.
    pub grid_id: Option<i64>,
    /// Who organises it.
    pub organiser_id: i64,
    /// The code shown at the venue for check-in.
    pub checkin_code: String,
    /// Status.
    pub status: EventStatus,
    /// iCalendar SEQUENCE: grows on each change of time or place.
    pub sequence: i64,
    /// Residents of the event's grid (any resident with a grid, for a community-wide event) may
    /// check in without an invitation.
    pub walk_ins: bool,
    /// Created, epoch ms.
    pub created_at: i64,
    /// Updated, epoch ms.
    pub updated_at: i64,
}

impl Event {
    /// Length in whole minutes (what attendance credits).
    pub fn minutes(&self) -> i64 {
        (self.ends_at - self.starts_at) / 60_000
    }
}

/// A validated event to create, or the new values of an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInput {
    /// Title.
    pub title: Title,
    /// Description.
    pub description: Description,
    /// Where, 1 to 120 characters.
    pub location: String,
    /// Start, epoch ms.
    pub starts_at: i64,
    /// End, epoch ms.
    pub ends_at: i64,
    /// Places; `None` = unlimited.
    pub capacity: Option<i64>,
    /// The grid; `None` = the whole community (admins only).
    pub grid_id: Option<i64>,
    /// Walk-ins may check in (residents of the event's grid without an invitation).
    pub walk_ins: bool,
}

impl EventInput {
    /// Checks what the field types cannot: the location, the order of the times, the capacity.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        title: &str,
        description: &str,
        location: &str,
        starts_at: i64,
        ends_at: i64,
        capacity: Option<i64>,
        grid_id: Option<i64>,
    ) -> CoreResult<Self> {
        let title = Title::parse(title)?;
        let description = Description::parse(description)?;
        let location = crate::fields::clean_text(location).unwrap_or_default();
        let location = location.as_str();
        let count = location.chars().count();
        if count == 0 || count > 120 || location.chars().any(char::is_control) {
            return Err(CoreError::invalid(
                "invalid_field",
                "location: 1 to 120 characters, no control characters",
            ));
        }
        if ends_at <= starts_at {
            return Err(CoreError::invalid("invalid_time", "ends_at: must be after starts_at"));
        }
        if ends_at - starts_at > 7 * 86_400_000 {
            return Err(CoreError::invalid(
                "invalid_time",
                "ends_at: an event lasts at most 7 days",
            ));
        }
        if capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
            return Err(CoreError::invalid(
                "invalid_field",
                "capacity: must be 1 to 100000 (omit it for no limit)",
            ));
        }
        Ok(Self {
            title,
            description,
            location: location.to_string(),
            starts_at,
            ends_at,
            capacity,
            grid_id,
            walk_ins: false,
        })
    }
}

/// Whether `caller` may create or manage events of `grid_id` (`None` = community-wide): admins
/// always, grid leaders only for their own grid.
pub fn may_manage(caller: &Caller, grid_id: Option<i64>) -> bool {
    caller.is_admin() || grid_id.is_some_and(|g| caller.leads(g))
}

/// A person's place for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Invited, no answer yet.
    Invited,
    /// Coming, with a place.
    Registered,
    /// Coming if a place frees up.
    Waitlisted,
    /// Not coming.
    Declined,
}

impl Place {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Registered => "registered",
            Self::Waitlisted => "waitlisted",
            Self::Declined => "declined",
        }
    }

    /// Reads a stored place.
    pub fn parse(s: &str) -> Self {
        match s {
            "registered" => Self::Registered,
            "waitlisted" => Self::Waitlisted,
            "declined" => Self::Declined,
            _ => Self::Invited,
        }
    }
}

/// What an answer does, decided from the current place and whether a place is free. Answering the
/// same twice changes nothing (`None`).
pub fn answer(current: Place, yes: bool, place_free: bool) -> Option<Place> {
    match (current, yes) {
        (Place::Registered | Place::Waitlisted, true) | (Place::Declined, false) => None,
        (_, true) if place_free => Some(Place::Registered),
        (_, true) => Some(Place::Waitlisted),
        (_, false) => Some(Place::Declined),
    }
}

/// Why a check-in at `now` is refused, if it is.
pub fn checkin_refusal(event: &Event, code: &str, now: i64) -> Option<CoreError> {
    if event.status == EventStatus::Cancelled {
        return Some(CoreError::conflict("event_cancelled", "this event was cancelled"));
    }
    if !constant_time_eq(code.trim().as_bytes(), event.checkin_code.as_bytes()) {
        return Some(CoreError::invalid("wrong_code", "code: not this event's check-in code"));
    }
    if now < event.starts_at - CHECKIN_MARGIN_MS {
        return Some(CoreError::conflict(
            "checkin_not_open",
            "check-in opens one hour before the event starts",
        ));
    }
    if now > event.ends_at + CHECKIN_MARGIN_MS {
        return Some(CoreError::conflict(
            "checkin_closed",
            "check-in closed one hour after the event ended",
        ));
    }
    None
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
