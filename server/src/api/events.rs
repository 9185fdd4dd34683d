//! Community events over HTTP: create and edit, invite an audience, answer yes or no, cancel,
//! check in at the venue. Each handler is one call into `microwish_core::event`.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::event::{Event, invite, places, store};
use microwish_core::people::Caller;

use super::Tag;
use super::event_body::{EventBody, InvitationBody};
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;
use crate::views::EventView;

/// How many were newly invited.
#[derive(Object)]
struct Invited {
    invited: u64,
}

/// An answer.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct RsvpBody {
    /// yes or no.
    response: Text,
}

/// Your place after answering.
#[derive(Object)]
struct RsvpView {
    /// registered, waitlisted or declined.
    status: String,
}

/// The code shown at the venue.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct CheckinBody {
    code: Text,
}

/// A recorded attendance.
#[derive(Object)]
struct AttendanceView {
    event_id: i64,
    user_id: i64,
    checked_in_at: String,
    /// Volunteer minutes it will credit once the event is over (if it runs as planned).
    minutes: i64,
}

#[derive(ApiResponse)]
enum Created {
    /// The event, as published.
    #[oai(status = 201)]
    Event(Json<EventView>),
}

pub struct EventApi(pub AppState);

impl EventApi {
    fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0.settings.community.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    async fn view(&self, caller: &Caller, e: Event) -> Result<EventView, ApiError> {
        let mut conn = self.0.db.pool().acquire().await?;
        let (registered, waitlisted) = places::counts(&mut conn, e.id).await?;
        let mine = places::place_of(&mut conn, e.id, caller.user_id).await?;
        Ok(EventView::new(caller, e, (registered, waitlisted), mine))
    }
}

#[OpenApi(tag = "Tag::Events")]
impl EventApi {
    /// Admins: an event for the community or a grid; grid leaders: for their own grid.
    #[oai(path = "/events", method = "post")]
    async fn create(&self, auth: BearerAuth, body: Json<EventBody>) -> Result<Created, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let input = body.0.parse()?;
        let now = self.0.clock.now_ms();
        if input.starts_at <= now {
            return Err(ApiError::invalid("invalid_time", "starts_at: must be in the future"));
        }
        let mut tx = self.0.db.begin_write().await?;
        let event = store::create(&mut tx, &caller, input, now).await?;
        tx.commit().await?;
        Ok(Created::Event(Json(self.view(&caller, event).await?)))
    }

    /// An event (anyone signed in).
    #[oai(path = "/events/:id", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<EventView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let event = store::load(&mut *self.0.db.pool().acquire().await?, id.0).await?;
        Ok(Json(self.view(&caller, event).await?))
    }

    /// Edit an event. A new time or place re-sends the invitation with a higher SEQUENCE.
    #[oai(path = "/events/:id", method = "put")]
    async fn update(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<EventBody>,
    ) -> Result<Json<EventView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let input = body.0.parse()?;
        let mut tx = self.0.db.begin_write().await?;
        let event = store::update(&mut tx, &caller, id.0, input, &self.tz(), self.0.clock.now_ms()).await?;
        tx.commit().await?;
        self.0.outbox_wake.notify_one();
        Ok(Json(self.view(&caller, event).await?))
    }

    /// Invite grids, roles, party branches and categories, and people (a grid leader: people of
    /// their own grids only). Enqueued in batches.
    #[oai(path = "/events/:id/invitations", method = "post")]
    async fn invite(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<InvitationBody>,
    ) -> Result<Json<Invited>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        self.0.limits.invitation(caller.user_id)?;
        let audience = body.0.parse()?;
        let clock = self.0.clock.clone();
        let invited = invite::invite(&self.0.db, &caller, id.0, &audience, &self.tz(), || clock.now_ms()).await?;
        self.0.outbox_wake.notify_one();
        Ok(Json(Invited { invited }))
    }

    /// Answer yes or no (idempotent). With a capacity, extra yeses are waitlisted in order.
    #[oai(path = "/events/:id/rsvp", method = "post")]
    async fn rsvp(&self, auth: BearerAuth, id: Path<i64>, body: Json<RsvpBody>) -> Result<Json<RsvpView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let yes = match &*body.0.response {
            "yes" => true,
            "no" => false,
            _ => return Err(ApiError::invalid("invalid_field", "response: yes or no")),
        };
        let mut tx = self.0.db.begin_write().await?;
        let place = places::rsvp(&mut tx, &caller, id.0, yes, &self.tz(), self.0.clock.now_ms()).await?;
        tx.commit().await?;
        self.0.outbox_wake.notify_one();
        Ok(Json(RsvpView {
            status: place.as_str().to_string(),
        }))
    }

    /// Call an event off; everyone still expecting it is told (calendar METHOD:CANCEL).
    #[oai(path = "/events/:id/cancel", method = "post")]
    async fn cancel(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<EventView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        let event = store::cancel(&mut tx, &caller, id.0, &self.tz(), self.0.clock.now_ms()).await?;
        tx.commit().await?;
        self.0.outbox_wake.notify_one();
        Ok(Json(self.view(&caller, event).await?))
    }

    /// Check in with the venue's code, from an hour before the start to an hour after the end.
    /// Invited people only (or residents of the event's grid where walk-ins are allowed); the
    /// hours are credited once the event is over. A few wrong codes lock you out for a while.
    #[oai(path = "/events/:id/checkin", method = "post")]
    async fn checkin(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<CheckinBody>,
    ) -> Result<Json<AttendanceView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let now = self.0.clock.now_ms();
        let limits = &self.0.limits;
        limits.checkin_allowed(&self.0.db, id.0, caller.user_id, now).await?;
        let mut tx = self.0.db.begin_write().await?;
        let cap = self.0.settings.events.max_credit_per_day.as_millis_i64();
        let a = match places::checkin(&mut tx, &caller, id.0, &body.0.code, cap, now).await {
            Err(err @ microwish_core::CoreError::Invalid { code: "wrong_code", .. }) => {
                drop(tx);
                limits.checkin_failed(&self.0.db, id.0, caller.user_id, now).await?;
                return Err(err.into());
            }
            other => other?,
        };
        tx.commit().await?;
        Ok(Json(AttendanceView {
            event_id: a.event_id,
            user_id: a.user_id,
            checked_in_at: rfc3339(a.checked_in_at),
            minutes: a.minutes,
        }))
    }
}
