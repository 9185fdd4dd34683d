//! Changing an event from its page: its time, place, capacity and words — through the core update
//! the API calls, which tells everyone still expecting it of a new time or place (a new calendar
//! SEQUENCE) and promotes from the waitlist when places open — and calling it off, which tells
//! them too. Both need the organiser's power (admins; the leader of the event's grid).

use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use serde::Deserialize;

use microwish_core::event::store;

use super::act;
use super::events::{EventForm, tz};
use crate::ConsoleState;

/// The cancel form: only its CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelForm {
    csrf: String,
}

/// POST /console/events/{id}/edit
#[handler]
pub async fn update(req: &Request, state: Data<&ConsoleState>, id: Path<i64>, form: Form<EventForm>) -> Response {
    let (settings, now, id) = (&state.settings, state.now(), id.0);
    let back = move |()| format!("/console/events/{id}?done=updated");
    act(*state, req, form.csrf(), back, async |tx, caller| {
        let input = form.parse(settings)?;
        store::update(tx, caller, id, input, &tz(settings), now).await.map(drop)
    })
    .await
}

/// POST /console/events/{id}/cancel
#[handler]
pub async fn cancel(req: &Request, state: Data<&ConsoleState>, id: Path<i64>, form: Form<CancelForm>) -> Response {
    let (settings, now, id) = (&state.settings, state.now(), id.0);
    let back = move |()| format!("/console/events/{id}?done=cancelled");
    act(*state, req, &form.csrf, back, async |tx, caller| {
        store::cancel(tx, caller, id, &tz(settings), now).await.map(drop)
    })
    .await
}
