//! `GET /calendar/{token}.ics`: a person's calendar feed, for calendar apps polling a secret URL
//! (they send no bearer token). An unknown or revoked token is 404, like any path that is not there.

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Response, handler};

use crate::error::ApiError;
use crate::state::AppState;

/// The feed.
#[handler]
pub async fn calendar(state: Data<&AppState>, file: Path<String>) -> poem::Result<Response> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such calendar feed");
    let token = file.0.strip_suffix(".ics").ok_or_else(not_found)?;
    let name = format!("{} · 活动", state.settings.community.name);
    let ics = microwish_core::event::feed::ics(state.db.pool(), token, &name, state.clock.now_ms())
        .await
        .map_err(ApiError::from)?
        .ok_or_else(not_found)?;
    Ok(Response::builder()
        .content_type("text/calendar; charset=utf-8")
        .header("cache-control", "private, max-age=300")
        .body(ics))
}
