//! Events: the ones the caller organises, a form to create one, and each event's page — the
//! check-in code big enough to read across the venue, registrants and the waitlist in order,
//! who checked in, and an invitation form. Creating and inviting are the API's core calls.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use microwish_core::console::events;
use microwish_core::event::{Audience, EventInput, invite, store};
use microwish_core::people::{Role, grid};
use microwish_core::{CoreError, CoreResult, Settings};

use super::local_time;
use crate::guard::Signed;
use crate::{ConsoleState, guard, render};

/// The new-event form; every field optional so a missing one is our 422, not a parse error.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EventForm {
    csrf: String,
    title: String,
    description: String,
    location: String,
    starts_at: String,
    ends_at: String,
    capacity: String,
    grid_id: String,
    walk_ins: String,
}

/// The invitation form: one audience, `grid:ID` (everyone living there) or `role:NAME` (that
/// role; for a leader, within their own grids).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    csrf: String,
    audience: String,
}

pub(super) fn tz(settings: &Settings) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(&settings.community.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// `2026-12-01T09:30` (an `<input type=datetime-local>`) in the community's zone, as epoch ms.
fn local_input(settings: &Settings, field: &str, text: &str) -> CoreResult<i64> {
    text.trim()
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(tz(settings)).ok())
        .map(|z| z.timestamp().as_millisecond())
        .ok_or_else(|| {
            CoreError::invalid(
                "invalid_time",
                format!("{field}: a date and time like 2026-12-01T09:30"),
            )
        })
}

fn optional_id(field: &str, text: &str) -> CoreResult<Option<i64>> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| CoreError::invalid("invalid_field", format!("{field}: not a number"))),
    }
}

impl EventForm {
    /// The event the form describes (a checked box lets residents of the grid walk in).
    pub(super) fn parse(&self, settings: &Settings) -> CoreResult<EventInput> {
        let mut input = EventInput::parse(
            &self.title,
            &self.description,
            &self.location,
            local_input(settings, "starts_at", &self.starts_at)?,
            local_input(settings, "ends_at", &self.ends_at)?,
            optional_id("capacity", &self.capacity)?,
            optional_id("grid_id", &self.grid_id)?,
        )?;
        input.walk_ins = !self.walk_ins.is_empty();
        Ok(input)
    }

    /// The CSRF token it carries.
    pub(super) fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Epoch ms as an `<input type=datetime-local>` value in the community's zone.
fn input_value(settings: &Settings, ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz(settings)).strftime("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// The grids the caller may organise for, as form options.
async fn own_grids(state: &ConsoleState, caller: &microwish_core::people::Caller) -> CoreResult<Vec<Value>> {
    let mut conn = state.db.pool().acquire().await?;
    let grids = grid::list(&mut conn).await?;
    Ok(grids
        .into_iter()
        .filter(|g| caller.oversees(g.id))
        .map(|g| json!({ "id": g.id, "name": g.name }))
        .collect())
}

/// GET /console/events
#[handler]
pub async fn list(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    let state = *state;
    let loaded = async {
        let list = events::managed(&mut *state.db.pool().acquire().await?, &signed.caller, 200).await?;
        Ok::<_, CoreError>((list, own_grids(state, &signed.caller).await?))
    }
    .await;
    let (list, grids) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::internal(state, req, err),
    };
    let s = &state.settings;
    let rows: Vec<Value> = list
        .iter()
        .map(|e| {
            json!({
                "id": e.event.id, "title": e.event.title, "location": e.event.location,
                "starts": local_time(s, e.event.starts_at), "status": e.event.status.as_str(),
                "capacity": e.event.capacity, "registered": e.registered, "waitlisted": e.waitlisted,
                "invited": e.invited, "attended": e.attended,
            })
        })
        .collect();
    let data = json!({ "events": rows, "grids": grids, "community_wide": signed.caller.is_admin() });
    render::page(state, req, Some(&signed), "events.html", data, StatusCode::OK)
}

/// POST /console/events
#[handler]
pub async fn create(req: &Request, state: Data<&ConsoleState>, form: Form<EventForm>) -> Response {
    let state = *state;
    let signed = match guard::require_form(state, req, &form.csrf).await {
        Ok(signed) => signed,
        Err(resp) => return resp,
    };
    let created = async {
        let input = form.parse(&state.settings)?;
        let mut tx = state.db.begin_write().await?;
        let event = store::create(&mut tx, &signed.caller, input, state.now()).await?;
        tx.commit().await?;
        Ok::<_, CoreError>(event.id)
    }
    .await;
    match created {
        Ok(id) => render::redirect(&format!("/console/events/{id}")),
        Err(err) => render::core_error(state, req, err),
    }
}

/// GET /console/events/{id}
#[handler]
pub async fn one(req: &Request, state: Data<&ConsoleState>, signed: Signed, id: Path<i64>) -> Response {
    let state = *state;
    let loaded = async {
        let (event, people) = events::registrants(&mut *state.db.pool().acquire().await?, &signed.caller, id.0).await?;
        Ok::<_, CoreError>((event, people, own_grids(state, &signed.caller).await?))
    }
    .await;
    let (event, people, grids) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::core_error(state, req, err),
    };
    let s = &state.settings;
    let people: Vec<Value> = people
        .iter()
        .map(|p| {
            let name = if p.name.is_empty() {
                format!("#{}", p.user_id)
            } else {
                p.name.clone()
            };
            json!({ "name": name, "response": p.response, "checked_in": p.checked_in_at.map(|t| local_time(s, t)) })
        })
        .collect();
    let count = |r: &str| people.iter().filter(|p| p["response"] == r).count();
    let data = json!({
        "event": {
            "id": event.id, "title": event.title, "description": event.description, "location": event.location,
            "starts": local_time(s, event.starts_at), "ends": local_time(s, event.ends_at),
            "capacity": event.capacity, "status": event.status.as_str(), "code": event.checkin_code,
            "starts_input": input_value(s, event.starts_at), "ends_input": input_value(s, event.ends_at),
            "walk_ins": event.walk_ins,
        },
        "done": super::flash(req, &["updated", "cancelled"]),
        "registered": count("registered"),
        "waitlisted": count("waitlisted"),
        "attended": people.iter().filter(|p| !p["checked_in"].is_null()).count(),
        "people": people,
        "grids": grids,
        "invited_now": req.uri().query().and_then(|q| q.strip_prefix("invited=")).and_then(|n| n.parse::<u64>().ok()),
    });
    render::page(state, req, Some(&signed), "event.html", data, StatusCode::OK)
}

/// POST /console/events/{id}/invite
#[handler]
pub async fn invite_people(
    req: &Request,
    state: Data<&ConsoleState>,
    id: Path<i64>,
    form: Form<InviteForm>,
) -> Response {
    let state = *state;
    let signed = match guard::require_form(state, req, &form.csrf).await {
        Ok(signed) => signed,
        Err(resp) => return resp,
    };
    if !(state.invitation_allowed)(signed.caller.user_id) {
        return render::error(state, req, StatusCode::TOO_MANY_REQUESTS, "rate_limited", None);
    }
    let invited = async {
        let mut audience = Audience::default();
        match form.audience.trim().split_once(':') {
            Some(("grid", id)) => audience.grid_ids.extend(optional_id("audience", id)?),
            Some(("role", role)) => audience.roles.push(
                role.parse::<Role>()
                    .map_err(|e| CoreError::invalid("invalid_field", format!("audience: {e}")))?,
            ),
            _ => {}
        }
        if audience == Audience::default() {
            return Err(CoreError::invalid("empty_audience", "audience: pick a grid or a role"));
        }
        let clock = state.clock.clone();
        invite::invite(&state.db, &signed.caller, id.0, &audience, &tz(&state.settings), || {
            clock.now_ms()
        })
        .await
    }
    .await;
    match invited {
        Ok(n) => {
            state.outbox_wake.notify_one();
            render::redirect(&format!("/console/events/{}?invited={n}", id.0))
        }
        Err(err) => render::core_error(state, req, err),
    }
}
