//! Volunteer hours over HTTP: your own ledger, a grid's ranking for this month or year, and an
//! organiser's correction of an attendee's credit.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::event::hours::{self, Period};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// One ledger entry (entries are never edited; corrections are new entries).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct EntryView {
    id: i64,
    minutes: i64,
    /// event, wish, visit or correction.
    source: String,
    event_id: Option<i64>,
    wish_id: Option<i64>,
    /// The care visit (source visit).
    visit_id: Option<i64>,
    created_at: String,
}

/// Your volunteer hours.
#[derive(Object)]
struct HoursView {
    total_minutes: i64,
    entries: Vec<EntryView>,
}

/// One person in a grid's ranking.
#[derive(Object)]
struct RankedView {
    user_id: i64,
    display_name: String,
    minutes: i64,
}

/// A correction of one attendee's credit for an event.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct CorrectionBody {
    /// Who checked in.
    user_id: i64,
    /// Minutes to add, or (negative) to take away; the total for the event stays between 0
    /// and what the event is worth.
    minutes: i64,
    /// Why, 1 to 500 characters (kept in the ledger).
    reason: Text,
}

/// The person's total for the event after the correction.
#[derive(Object)]
struct CorrectedView {
    event_id: i64,
    user_id: i64,
    total_minutes: i64,
}

pub struct HoursApi(pub AppState);

#[OpenApi(tag = "Tag::Events")]
impl HoursApi {
    /// Your volunteer minutes: the total and every entry, newest first.
    #[oai(path = "/me/hours", method = "get")]
    async fn mine(&self, auth: BearerAuth) -> Result<Json<HoursView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let (total_minutes, entries) = hours::of_user(&mut conn, caller.user_id).await?;
        let entries = entries
            .into_iter()
            .map(|e| EntryView {
                id: e.id,
                minutes: e.minutes,
                source: e.source,
                event_id: e.event_id,
                wish_id: e.wish_id,
                visit_id: e.visit_id,
                created_at: rfc3339(e.created_at),
            })
            .collect();
        Ok(Json(HoursView { total_minutes, entries }))
    }

    /// A grid's people by volunteer minutes this `period` (month or year, community time zone).
    /// Its residents, its leader and admins may see it.
    #[oai(path = "/grids/:id/hours-ranking", method = "get")]
    async fn ranking(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        period: Query<Option<String>>,
    ) -> Result<Json<Vec<RankedView>>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let period = Period::parse(period.0.as_deref().unwrap_or("month"))?;
        let mut conn = self.0.db.pool().acquire().await?;
        // Permission before existence: outsiders hear 403 for grids that exist and those that do not.
        let me = microwish_core::people::user::get(&mut conn, caller.user_id).await?;
        if !(caller.is_admin() || caller.leads(id.0) || me.grid_id == Some(id.0)) {
            return Err(ApiError::forbidden(
                "only the grid's people, its leader and admins see its ranking",
            ));
        }
        microwish_core::people::grid::get(&mut conn, id.0).await?;
        let tz = jiff::tz::TimeZone::get(&self.0.settings.community.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let since = period.start(&tz, self.0.clock.now_ms());
        let list = hours::ranking(&mut conn, id.0, since).await?;
        Ok(Json(
            list.into_iter()
                .map(|r| RankedView {
                    user_id: r.user_id,
                    display_name: r.display_name,
                    minutes: r.minutes,
                })
                .collect(),
        ))
    }

    /// Organisers: correct an attendee's credit for an event that is over. The ledger keeps the
    /// original entry; the correction is a new one, with its reason.
    #[oai(path = "/events/:id/hours/corrections", method = "post")]
    async fn correct(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<CorrectionBody>,
    ) -> Result<Json<CorrectedView>, ApiError> {
        use microwish_core::event::corrections::{self, Correction};
        let caller = self.0.caller(&auth).await?;
        let reason = microwish_core::fields::Note::parse(&body.0.reason)?;
        if reason.as_str().is_empty() {
            return Err(ApiError::invalid("invalid_field", "reason: say why"));
        }
        let correction = Correction {
            event_id: id.0,
            user_id: body.0.user_id,
            minutes: body.0.minutes,
            note: reason.as_str(),
        };
        let cap = self.0.settings.events.max_credit_per_day.as_millis_i64();
        let mut tx = self.0.db.begin_write().await?;
        let total_minutes = corrections::correct(&mut tx, &caller, &correction, cap, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(CorrectedView {
            event_id: id.0,
            user_id: body.0.user_id,
            total_minutes,
        }))
    }
}
