//! The caller's personal calendar feed: make (or replace) its secret URL, or revoke it. The feed
//! itself is served outside the API, at `/calendar/{token}.ics`, for calendar apps that cannot
//! send a bearer token (`crate::feed`).

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::event::feed;

use super::Tag;
use super::auth::Done;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;

/// Where your calendar app finds your events. Keep it to yourself: whoever has it sees them.
#[derive(Object)]
struct CalendarFeedView {
    /// To subscribe in a calendar app (`webcal://…/calendar/TOKEN.ics`).
    url: String,
    /// The same feed over https, for apps that want it so.
    https_url: String,
}

#[derive(ApiResponse)]
enum Made {
    /// A new feed URL; any earlier one stops working.
    #[oai(status = 201)]
    Feed(Json<CalendarFeedView>),
}

pub struct CalendarApi(pub AppState);

#[OpenApi(tag = "Tag::Me")]
impl CalendarApi {
    /// A personal calendar feed of every event you registered for (cancelled ones marked so).
    /// Each call makes a new secret URL and revokes the one before.
    #[oai(path = "/me/calendar", method = "post")]
    async fn open(&self, auth: BearerAuth) -> Result<Made, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        let token = feed::open(&mut tx, caller.user_id, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        let https_url = format!("{}/calendar/{token}.ics", self.0.settings.public_url());
        let url = format!(
            "webcal://{}",
            https_url.split_once("://").map_or(https_url.as_str(), |(_, rest)| rest)
        );
        Ok(Made::Feed(Json(CalendarFeedView { url, https_url })))
    }

    /// Revoke your calendar feed: its URL stops working (204, also when there was none).
    #[oai(path = "/me/calendar", method = "delete")]
    async fn revoke(&self, auth: BearerAuth) -> Result<Done, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        feed::revoke(&mut tx, caller.user_id).await?;
        tx.commit().await?;
        Ok(Done::NoContent)
    }
}
