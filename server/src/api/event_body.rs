//! The bodies that create or edit an event and invite to it, and their reading into core's
//! checked input.

use poem_openapi::Object;

use microwish_core::clock::parse_rfc3339;
use microwish_core::event::{Audience, EventInput};
use microwish_core::party::Category;
use microwish_core::people::Role;

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

/// Whom to invite; each person is invited once however often they match.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
pub(super) struct InvitationBody {
    /// Everyone living in these grids.
    grid_ids: Option<Vec<i64>>,
    /// Everyone holding these roles: resident, volunteer, grid_leader, admin.
    roles: Option<Vec<Text>>,
    /// These people.
    user_ids: Option<Vec<i64>>,
    /// The party members of these branches (党支部).
    branch_ids: Option<Vec<i64>>,
    /// The party members of these categories: community, in_service.
    party_categories: Option<Vec<Text>>,
}

impl InvitationBody {
    /// The audience, checked: known roles and categories, bounded lists, not empty.
    pub(super) fn parse(self) -> Result<Audience, ApiError> {
        let roles: Result<Vec<Role>, _> = self
            .roles
            .unwrap_or_default()
            .iter()
            .map(|r| r.parse::<Role>())
            .collect();
        let categories: Result<Vec<Category>, _> = self
            .party_categories
            .unwrap_or_default()
            .iter()
            .map(|c| c.parse())
            .collect();
        let audience = Audience {
            grid_ids: self.grid_ids.unwrap_or_default(),
            roles: roles.map_err(|e| ApiError::invalid("invalid_field", format!("roles: {e}")))?,
            user_ids: self.user_ids.unwrap_or_default(),
            branch_ids: self.branch_ids.unwrap_or_default(),
            party_categories: categories?,
        };
        if audience.user_ids.len() > 10_000
            || audience.grid_ids.len() > 1000
            || audience.roles.len() > 10
            || audience.branch_ids.len() > 100
            || audience.party_categories.len() > 2
        {
            return Err(ApiError::invalid(
                "invalid_field",
                "at most 10,000 user_ids, 1,000 grid_ids, 10 roles, 100 branch_ids and 2 party_categories at once",
            ));
        }
        if audience == Audience::default() {
            return Err(ApiError::invalid(
                "empty_audience",
                "give grid_ids, roles, user_ids, branch_ids or party_categories",
            ));
        }
        Ok(audience)
    }
}
