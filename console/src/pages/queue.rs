//! The grid leader's queue, and its one-click actions: approve, reject (with a reason), assign to
//! a volunteer picked by name, release an overdue claim (with a reason), acknowledge and resolve
//! an alert. Each action is the same core
//! call the API makes, so the same rules decide; the page only reads the form and redirects.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use microwish_core::alert::store as alerts;
use microwish_core::console::queue::{self, QueueWish};
use microwish_core::fields::Note;
use microwish_core::people::grid;
use microwish_core::wish::Action;
use microwish_core::wish::store::{self as wishes, ChangeInput};
use microwish_core::{CoreError, CoreResult};

use super::{category_label, hours_since, local_time};
use crate::i18n::Lang;
use crate::{ConsoleState, guard, render};

/// What the action forms send; every field optional so a missing one is our 4xx, not a parse error.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    csrf: String,
    reason: String,
    note: String,
    volunteer_id: String,
}

fn wish_json(state: &ConsoleState, lang: Lang, now: i64, w: &QueueWish) -> Value {
    let s = &state.settings;
    json!({
        "id": w.id,
        "title": w.title,
        "category": category_label(s, lang, &w.category),
        "urgent": w.urgency == "urgent",
        "resident": w.resident_name,
        "building": w.building,
        "grid_id": w.grid_id,
        "grid_name": w.grid_name,
        "since": local_time(s, w.since),
        "hours": hours_since(now, w.since),
        "volunteer": w.volunteer_name,
        "due": w.due_at.map(|d| local_time(s, d)),
    })
}

/// GET /console/queue
#[handler]
pub async fn page(req: &Request, state: Data<&ConsoleState>) -> Response {
    let state = *state;
    let signed = match guard::require(state, req).await {
        Ok(signed) => signed,
        Err(resp) => return resp,
    };
    let now = state.now();
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        let q = queue::load(&mut conn, &signed.caller, &state.settings, now).await?;
        let volunteers = queue::volunteers(&mut conn).await?;
        let grids = grid::list(&mut conn).await?;
        Ok::<_, CoreError>((q, volunteers, grids))
    }
    .await;
    let (q, volunteers, grids) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::internal(state, req, err),
    };
    let lang = Lang::of(req);
    let grid_name = |id: Option<i64>| {
        id.and_then(|id| grids.iter().find(|g| g.id == id))
            .map(|g| g.name.clone())
    };
    let section = |list: &[QueueWish]| list.iter().map(|w| wish_json(state, lang, now, w)).collect::<Vec<_>>();
    let alerts: Vec<Value> = q
        .alerts
        .iter()
        .map(|a| {
            json!({
                "id": a.id, "kind": a.kind, "level": a.level, "summary": a.summary(lang.core()), "status": a.status,
                "wish_id": a.wish_id, "grid_name": grid_name(Some(a.grid_id)),
                "created": local_time(&state.settings, a.created_at),
            })
        })
        .collect();
    let volunteers: Vec<Value> = volunteers
        .iter()
        .map(|v| {
            let name = if v.name.is_empty() { format!("#{}", v.id) } else { v.name.clone() };
            json!({ "id": v.id, "name": name, "grid_id": v.grid_id, "grid_name": grid_name(v.grid_id), "holding": v.holding })
        })
        .collect();
    let done = req
        .uri()
        .query()
        .and_then(|q| q.strip_prefix("done="))
        .filter(|d| ["approve", "reject", "assign", "release", "ack", "resolve"].contains(d));
    let data = json!({
        "empty": q.is_empty(),
        "to_review": section(&q.to_review),
        "unclaimed": section(&q.unclaimed),
        "overdue": section(&q.overdue),
        "alerts": alerts,
        "volunteers": volunteers,
        "done": done,
    });
    render::page(state, req, Some(&signed), "queue.html", data, StatusCode::OK)
}

fn note(text: &str) -> CoreResult<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(Note::parse(text)?.into_inner()))
}

fn wish_input(action: &str, form: &ActionForm) -> CoreResult<Option<(Action, ChangeInput)>> {
    let input = match action {
        "approve" => (Action::Approve, ChangeInput::default()),
        "reject" => {
            let input = ChangeInput {
                note: note(&form.reason)?,
                ..Default::default()
            };
            (Action::Reject, input)
        }
        "release" => {
            let input = ChangeInput {
                note: note(&form.reason)?,
                ..Default::default()
            };
            (Action::Release, input)
        }
        "assign" => {
            let volunteer = form
                .volunteer_id
                .trim()
                .parse::<i64>()
                .map_err(|_| CoreError::invalid("invalid_field", "volunteer_id: pick a volunteer from the list"))?;
            let input = ChangeInput {
                volunteer_id: Some(volunteer),
                ..Default::default()
            };
            (Action::Assign, input)
        }
        _ => return Ok(None),
    };
    Ok(Some(input))
}

/// POST /console/wishes/{id}/{approve|reject|assign}
#[handler]
pub async fn wish_action(
    req: &Request,
    state: Data<&ConsoleState>,
    path: Path<(i64, String)>,
    form: Form<ActionForm>,
) -> Response {
    let state = *state;
    let (id, action) = path.0;
    let signed = match guard::require_form(state, req, &form.csrf).await {
        Ok(signed) => signed,
        Err(resp) => return resp,
    };
    let (action_kind, input) = match wish_input(&action, &form) {
        Ok(Some(found)) => found,
        Ok(None) => return render::error(state, req, StatusCode::NOT_FOUND, "not_found", None),
        Err(err) => return render::core_error(state, req, err),
    };
    let now = state.now();
    let applied = async {
        let mut tx = state.db.begin_write().await?;
        wishes::apply(
            &mut tx,
            Some(&signed.caller),
            id,
            action_kind,
            input,
            &state.settings,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, CoreError>(())
    }
    .await;
    match applied {
        Ok(()) => {
            state.outbox_wake.notify_one();
            render::redirect(&format!("/console/queue?done={action}"))
        }
        Err(err) => render::core_error(state, req, err),
    }
}

/// POST /console/alerts/{id}/{ack|resolve}
#[handler]
pub async fn alert_action(
    req: &Request,
    state: Data<&ConsoleState>,
    path: Path<(i64, String)>,
    form: Form<ActionForm>,
) -> Response {
    let state = *state;
    let (id, action) = path.0;
    let signed = match guard::require_form(state, req, &form.csrf).await {
        Ok(signed) => signed,
        Err(resp) => return resp,
    };
    let now = state.now();
    let applied = async {
        let resolution = match action.as_str() {
            "ack" => None,
            "resolve" => Some(note(&form.note)?.ok_or_else(|| CoreError::invalid("invalid_field", "note: required"))?),
            _ => return Err(CoreError::NotFound("action")),
        };
        let mut tx = state.db.begin_write().await?;
        match &resolution {
            None => alerts::acknowledge(&mut tx, &signed.caller, id, now).await?,
            Some(note) => alerts::resolve(&mut tx, &signed.caller, id, note, now).await?,
        };
        tx.commit().await?;
        Ok(())
    }
    .await;
    match applied {
        Ok(()) => render::redirect(&format!("/console/queue?done={action}")),
        Err(err) => render::core_error(state, req, err),
    }
}
