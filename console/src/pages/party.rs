//! The party secretary's party-building pages (admins): the branches with the grids they cover and
//! their members — community or in-service — with the hours and services each has given this year;
//! and co-building: the units with their agreements and contacts, the resources they offer, and
//! the projects that match a grid's wishes to a unit's resource, with where each stands.

use std::collections::HashMap;

use poem::http::StatusCode;
use poem::{Request, Response, handler, web::Data};
use serde_json::{Value, json};

use microwish_core::cobuild::project::{self, ProjectFilter};
use microwish_core::cobuild::resource::{self, ResourceFilter};
use microwish_core::cobuild::unit;
use microwish_core::console::party;
use microwish_core::insight::tz;
use microwish_core::party::{branch, target};
use microwish_core::people::grid;
use microwish_core::privacy::mask_phone;
use microwish_core::{CoreError, Settings};

use super::{category_label, local_time};
use crate::guard::Signed;
use crate::i18n::Lang;
use crate::{ConsoleState, render};

/// The start of this year in the community's zone, epoch ms.
fn year_start(settings: &Settings, now: i64) -> (i16, i64) {
    let zone = tz(settings);
    let today = jiff::Timestamp::from_millisecond(now)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone());
    let start = jiff::civil::date(today.year(), 1, 1)
        .to_zoned(zone)
        .map(|z| z.timestamp().as_millisecond());
    (today.year(), start.unwrap_or(0))
}

/// Grid names by id.
async fn grid_names(state: &ConsoleState) -> Result<HashMap<i64, String>, CoreError> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(grid::list(&mut conn)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect())
}

/// GET /console/party: branches and members.
#[handler]
pub async fn branches(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    let state = *state;
    if !signed.caller.is_admin() {
        return render::error(state, req, StatusCode::FORBIDDEN, "not_permitted", None);
    }
    let (year, since) = year_start(&state.settings, state.now());
    let span = target::year_bounds(&tz(&state.settings), year).unwrap_or((since, since));
    let share = target::share_gone(span.0, span.1, state.now());
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        let branches = branch::list(&mut conn).await?;
        let members = party::members(&mut conn, &signed.caller, since).await?;
        Ok::<_, CoreError>((branches, members, grid_names(state).await?))
    }
    .await;
    let (branches, members, grids) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::internal(state, req, err),
    };
    let branches: Vec<Value> = branches
        .iter()
        .map(|b| {
            let names: Vec<&str> = b.grid_ids.iter().filter_map(|g| grids.get(g).map(String::as_str)).collect();
            let members: Vec<Value> = members
                .iter()
                .filter(|m| m.branch_id == b.id)
                .map(|m| {
                    let goal = state.settings.party.target(m.category.as_str());
                    let on_track = target::on_track(goal, m.minutes, m.services, share);
                    json!({ "name": m.name, "category": m.category.as_str(), "hours": format!("{:.1}", m.minutes as f64 / 60.0),
                            "services": m.services, "target_hours": goal.hours, "target_services": goal.services,
                            "on_track": on_track })
                })
                .collect();
            json!({ "id": b.id, "name": b.name, "grids": names, "members": members })
        })
        .collect();
    let data = json!({ "branches": branches, "year": year });
    render::page(state, req, Some(&signed), "party.html", data, StatusCode::OK)
}

/// GET /console/party/cobuild: units, resources, projects.
#[handler]
pub async fn cobuild(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    let state = *state;
    if !signed.caller.is_admin() {
        return render::error(state, req, StatusCode::FORBIDDEN, "not_permitted", None);
    }
    let caller = &signed.caller;
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        let units = unit::list(&mut conn, caller).await?;
        let resources = resource::list(&mut conn, caller, &ResourceFilter::default()).await?;
        let projects = project::list(&mut conn, caller, &ProjectFilter::default()).await?;
        Ok::<_, CoreError>((units, resources, projects, grid_names(state).await?))
    }
    .await;
    let (units, resources, projects, grids) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::internal(state, req, err),
    };
    let (s, lang) = (&state.settings, Lang::of(req));
    let units: Vec<Value> = units
        .iter()
        .map(|u| {
            let phone = if unit::may_see_contact(caller, u) {
                u.contact_phone.clone()
            } else {
                mask_phone(&u.contact_phone)
            };
            json!({ "id": u.id, "name": u.name, "party_org": u.party_org, "contact": u.contact_name, "phone": phone,
                    "from": u.agreement_from, "to": u.agreement_to, "linked": u.contact_user_id.is_some() })
        })
        .collect();
    let resources: Vec<Value> = resources
        .iter()
        .map(|r| {
            json!({ "title": r.title, "unit": r.unit_name, "category": category_label(s, lang, &r.category),
                    "kind": r.kind.as_str(), "quantity": r.quantity, "status": r.status.as_str() })
        })
        .collect();
    let projects: Vec<Value> = projects
        .iter()
        .map(|p| {
            json!({ "id": p.id, "title": p.title, "grid": grids.get(&p.grid_id), "unit": p.unit_name,
                    "resource": p.resource_title, "status": p.status.as_str(), "wishes": p.wish_ids.len(),
                    "proposed": local_time(s, p.created_at), "delivered": p.delivered_at.map(|t| local_time(s, t)),
                    "credit_hours": p.credit.map(|(_, minutes)| format!("{:.1}", minutes as f64 / 60.0)) })
        })
        .collect();
    let data = json!({ "units": units, "resources": resources, "projects": projects });
    render::page(state, req, Some(&signed), "cobuild.html", data, StatusCode::OK)
}
