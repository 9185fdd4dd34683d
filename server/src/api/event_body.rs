//! The body that creates or edits an event, and its reading into core's checked input.

use poem_openapi::Object;

use microwish_core::clock::parse_rfc3339;
use microwish_core::event::EventInput;

use crate::error::ApiError;
use crate::text::Text;

/// A new event, or an event's new values.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub(super) struct EventBody {
    /// 1 to 40 characters.
    title: Text,
    /// Up to 1,000 characters.
    description: Text,
    /// Where, 1 to 120 characters.
    location: Text,
    /// RFC 3339; shown in the community's time zone.
    starts_at: Text,
    /// RFC 3339, after `starts_at`.
    ends_at: Text,
    /// Places, at least 1; omit for no limit (extra yeses are waitlisted).
    capacity: Option<i64>,
    /// The grid; omit for the whole community (admins only). Grid leaders: their own grid.
    grid_id: Option<i64>,
    /// Let residents of the event's grid check in without an invitation (default false).
    walk_ins: Option<bool>,
}

impl EventBody {
    pub(super) fn parse(self) -> Result<EventInput, ApiError> {
        let time = |field: &str, text: &str| {
            parse_rfc3339(text)
                .ok_or_else(|| ApiError::invalid("invalid_time", format!("{field}: must be an RFC 3339 time")))
        };
        let starts_at = time("starts_at", &self.starts_at)?;
        let ends_at = time("ends_at", &self.ends_at)?;
        let mut input = EventInput::parse(
            &self.title,
            &self.description,
            &self.location,
            starts_at,
            ends_at,
            self.capacity,
            self.grid_id,
        )?;
        input.walk_ins = self.walk_ins.unwrap_or(false);
        Ok(input)
    }
}
