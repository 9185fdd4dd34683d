//! The register's front page: residence requests waiting on the caller (approve; reject with a
//! reason), the grids they oversee with links to each one's people and care list, and a form to
//! register a resident who has no WeChat. Each decision is the API's core call
//! (`verify::decide`, `offline::register`), so the same rules and the same audit apply.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use microwish_core::console::register;
use microwish_core::fields::{DisplayName, Note, Phone};
use microwish_core::people::grid;
use microwish_core::register::fields::{Room, Unit};
use microwish_core::register::residence::Decision;
use microwish_core::register::{Place, building, offline, verify};
use microwish_core::{CoreError, CoreResult};

use super::{act, flash, local_time, place};
use crate::guard::Signed;
use crate::{ConsoleState, render};

/// The decision form: a reason when rejecting.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    csrf: String,
    reason: String,
}

/// The new-resident form; every field optional so a missing one is our 422, not a parse error.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResidentForm {
    csrf: String,
    display_name: String,
    phone: String,
    building_id: String,
    unit: String,
    room: String,
}

impl ResidentForm {
    fn parse(&self) -> CoreResult<(DisplayName, Phone, Place)> {
        let building_id = self
            .building_id
            .trim()
            .parse()
            .map_err(|_| CoreError::invalid("invalid_field", "building_id: pick a building"))?;
        let unit = Some(self.unit.trim())
            .filter(|u| !u.is_empty())
            .map(Unit::parse)
            .transpose()?;
        let place = Place::Room {
            building_id,
            unit,
            room: Room::parse(&self.room)?,
        };
        Ok((
            DisplayName::parse(&self.display_name)?,
            Phone::parse(&self.phone)?,
            place,
        ))
    }
}

/// What the page's flash may say after a form.
const DONE: &[&str] = &["residence_approve", "residence_reject", "registered"];

/// GET /console/register
#[handler]
pub async fn page(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    let state = *state;
    let caller = &signed.caller;
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        let waiting = register::waiting(&mut conn, caller, 200).await?;
        let grids: Vec<_> = grid::list(&mut conn)
            .await?
            .into_iter()
            .filter(|g| caller.oversees(g.id))
            .collect();
        let buildings = building::list(&mut conn, None).await?;
        Ok::<_, CoreError>((waiting, grids, buildings))
    }
    .await;
    let (waiting, grids, buildings) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::internal(state, req, err),
    };
    let s = &state.settings;
    let waiting: Vec<Value> = waiting
        .iter()
        .map(|w| {
            let place = place([w.building.as_deref(), w.unit.as_deref(), w.room.as_deref()]);
            json!({ "id": w.id, "name": w.name, "grid": w.grid, "place": place, "since": local_time(s, w.created_at) })
        })
        .collect();
    let buildings: Vec<Value> = buildings
        .iter()
        .filter(|b| caller.oversees(b.grid_id))
        .map(|b| json!({ "id": b.id, "name": b.name }))
        .collect();
    let data = json!({
        "waiting": waiting,
        "grids": grids.iter().map(|g| json!({ "id": g.id, "name": g.name })).collect::<Vec<_>>(),
        "buildings": buildings,
        "done": flash(req, DONE),
    });
    render::page(state, req, Some(&signed), "register.html", data, StatusCode::OK)
}

/// POST /console/residence/{id}/{approve|reject}
#[handler]
pub async fn decide(
    req: &Request,
    state: Data<&ConsoleState>,
    path: Path<(i64, String)>,
    form: Form<DecisionForm>,
) -> Response {
    let (id, action) = path.0;
    let known = [("approve", Decision::Approve), ("reject", Decision::Reject)];
    let decision = match super::named(*state, req, &action, &known) {
        Ok(decision) => decision,
        Err(not_found) => return *not_found,
    };
    let now = state.now();
    let back = |()| format!("/console/register?done=residence_{action}");
    act(*state, req, &form.csrf, back, async |tx, caller| {
        let reason = Some(form.reason.trim())
            .filter(|r| !r.is_empty())
            .map(Note::parse)
            .transpose()?;
        verify::decide(tx, caller, id, decision, reason, now).await.map(drop)
    })
    .await
}

/// POST /console/residents: a resident without WeChat, in a building the caller oversees.
#[handler]
pub async fn register_resident(req: &Request, state: Data<&ConsoleState>, form: Form<ResidentForm>) -> Response {
    let now = state.now();
    let back = |()| "/console/register?done=registered".to_string();
    act(*state, req, &form.csrf, back, async |tx, caller| {
        let (name, phone, place) = form.parse()?;
        offline::register(tx, caller, name, phone, place, now).await.map(drop)
    })
    .await
}
