//! One grid's register for its leader (or an admin): the people — searched by name or phone,
//! filtered by building, role and verified — with phones as the API shows them to that leader,
//! each listing audited as the API's is (`register::roster::read`); and the care list with each
//! resident's visits ahead, due or overdue. Another grid's pages are refused as the API refuses.

use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use microwish_core::CoreError;
use microwish_core::console::register::names;
use microwish_core::people::grid;
use microwish_core::register::care::{self, Standing};
use microwish_core::register::people::PeopleFilter;
use microwish_core::register::{building, roster};

use super::{local_time, place};
use crate::guard::Signed;
use crate::i18n::Lang;
use crate::{ConsoleState, render};

/// The people page's filters; empty means any.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    q: String,
    building: String,
    role: String,
    verified: String,
}

impl Params {
    fn filter(&self) -> Result<PeopleFilter, CoreError> {
        let building = match self.building.trim() {
            "" => None,
            b => Some(
                b.parse()
                    .map_err(|_| CoreError::invalid("invalid_field", "building: pick one from the list"))?,
            ),
        };
        let verified = match self.verified.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => return Err(CoreError::invalid("invalid_field", "verified: yes or no")),
        };
        PeopleFilter::parse(Some(&self.role), building, Some(&self.q), verified, Some(500))
    }
}

/// GET /console/register/{grid}/people?q=&building=&role=&verified=
#[handler]
pub async fn people(
    req: &Request,
    state: Data<&ConsoleState>,
    signed: Signed,
    id: Path<i64>,
    params: Query<Params>,
) -> Response {
    let state = *state;
    let loaded = async {
        let filter = params.filter()?;
        // The list decides who may read it, before anything about the grid is looked up.
        let list = roster::read(&state.db, &signed.caller, id.0, &filter, state.now()).await?;
        let mut conn = state.db.pool().acquire().await?;
        let grid = grid::get(&mut conn, id.0).await?;
        Ok::<_, CoreError>((list, grid, building::list(&mut conn, Some(id.0)).await?))
    }
    .await;
    let (list, grid, buildings) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::core_error(state, req, err),
    };
    let rows: Vec<Value> = list
        .iter()
        .map(|p| {
            let place = place([p.building.as_deref(), p.unit.as_deref(), p.room.as_deref()]);
            json!({
                "name": p.name, "phone": p.phone, "place": place, "relation": p.relation,
                "tags": p.tags.split(';').filter(|t| !t.is_empty()).collect::<Vec<_>>(),
                "roles": p.roles.iter().map(|r| r.as_str()).filter(|r| *r != "resident").collect::<Vec<_>>(),
                "verified": p.verified, "account": p.user_id.is_some(),
            })
        })
        .collect();
    let p = &params.0;
    let data = json!({
        "grid": { "id": grid.id, "name": grid.name },
        "people": rows,
        "buildings": buildings.iter().map(|b| json!({ "id": b.id.to_string(), "name": b.name })).collect::<Vec<_>>(),
        "f": { "q": p.q, "building": p.building, "role": p.role, "verified": p.verified },
    });
    render::page(state, req, Some(&signed), "people.html", data, StatusCode::OK)
}

/// GET /console/register/{grid}/care
#[handler]
pub async fn care_list(req: &Request, state: Data<&ConsoleState>, signed: Signed, id: Path<i64>) -> Response {
    let state = *state;
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        let list = care::of_grid(&mut conn, &signed.caller, id.0).await?;
        let visitors: Vec<i64> = list.iter().flat_map(|e| e.visitor_ids.iter().copied()).collect();
        let named = names(&mut conn, &visitors).await?;
        Ok::<_, CoreError>((list, named, grid::get(&mut conn, id.0).await?))
    }
    .await;
    let (list, named, grid) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::core_error(state, req, err),
    };
    let (s, now) = (&state.settings, state.now());
    let t = render::words(state, Lang::of(req));
    // Care tags are configurable (`register.care_tags`): the known ones have words, others show as set.
    let tag = |tag: &String| {
        t.get(format!("care_tag_{tag}"))
            .and_then(Value::as_str)
            .unwrap_or(tag)
            .to_string()
    };
    let grace = s.register.visit_overdue_after.as_millis_i64();
    let rows: Vec<Value> = list
        .iter()
        .map(|e| {
            let standing = match e.standing(now, grace) {
                Standing::Ahead => "ahead",
                Standing::Due => "due",
                Standing::Overdue => "overdue",
            };
            let visitors: Vec<String> = e
                .visitor_ids
                .iter()
                .map(|v| named.get(v).filter(|n| !n.is_empty()).cloned().unwrap_or_else(|| format!("#{v}")))
                .collect();
            json!({
                "name": e.name, "address": e.address, "tags": e.tags.iter().map(tag).collect::<Vec<_>>(), "every_days": e.visit_every_ms / 86_400_000,
                "visitors": visitors, "last": e.last_visit_at.map(|t| local_time(s, t)), "outcome": e.last_outcome,
                "next": local_time(s, e.next_due_at), "standing": standing,
            })
        })
        .collect();
    let count = |what: &str| rows.iter().filter(|r| r["standing"] == what).count();
    let data = json!({
        "grid": { "id": grid.id, "name": grid.name },
        "care": rows,
        "due": count("due"),
        "overdue": count("overdue"),
    });
    render::page(state, req, Some(&signed), "care.html", data, StatusCode::OK)
}
