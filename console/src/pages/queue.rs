//! The grid leader's queue, and its one-click actions: approve, reject (with a reason), assign to
//! a volunteer picked by name, release an overdue claim (with a reason), acknowledge and resolve
//! an alert. Each action is the same core
//! call the API makes, so the same rules decide; the page only reads the form and redirects.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use microwish_core::alert::store as alerts;
use microwish_core::console::queue::{self, Queue, QueueWish, Section, VolunteerChoice};
use microwish_core::fields::Note;
use microwish_core::people::grid;
use microwish_core::wish::Action;
use microwish_core::wish::store::{self as wishes, ChangeInput};
use microwish_core::{CoreError, CoreResult};

use super::{act, category_label, flash, hours_since, local_time};
use crate::guard::Signed;
use crate::i18n::Lang;
use crate::{ConsoleState, render};

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

/// Wishes per page of one section.
const SECTION_PAGE: i64 = 50;

/// Where a section's page starts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AfterParam {
    after: String,
}

/// GET /console/queue: every section's first wishes, and the alerts.
#[handler]
pub async fn page(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        queue::load(&mut conn, &signed.caller, &state.settings, state.now()).await
    }
    .await;
    match loaded {
        Ok(q) => show(&state, req, &signed, q, None).await,
        Err(err) => render::internal(&state, req, err),
    }
}

/// GET /console/queue/{review|unclaimed|overdue}?after=: one section, a page at a time.
#[handler]
pub async fn one_section(
    req: &Request,
    state: Data<&ConsoleState>,
    signed: Signed,
    name: Path<String>,
    after: Query<AfterParam>,
) -> Response {
    let Some(section) = Section::parse(&name.0) else {
        return render::error(&state, req, StatusCode::NOT_FOUND, "not_found", None);
    };
    let loaded = async {
        let after = Some(after.after.as_str())
            .filter(|a| !a.is_empty())
            .map(str::parse)
            .transpose()?;
        let mut conn = state.db.pool().acquire().await?;
        let (s, now) = (&state.settings, state.now());
        queue::page(&mut conn, &signed.caller, s, now, (section, after, SECTION_PAGE)).await
    }
    .await;
    let (wishes, next) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::core_error(&state, req, err),
    };
    let mut q = Queue::default();
    match section {
        Section::Review => q.to_review = wishes,
        Section::Unclaimed => q.unclaimed = wishes,
        Section::Overdue => q.overdue = wishes,
    }
    let next = next.map(|n| format!("/console/queue/{}?after={n}", name.0));
    show(&state, req, &signed, q, Some((&name.0, next))).await
}

/// The queue page: all of `q`, or `only` one section with the link to its next page.
async fn show(
    state: &ConsoleState,
    req: &Request,
    signed: &Signed,
    q: Queue,
    only: Option<(&str, Option<String>)>,
) -> Response {
    let now = state.now();
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        Ok::<_, CoreError>((queue::volunteers(&mut conn).await?, grid::list(&mut conn).await?))
    }
    .await;
    let (volunteers, grids) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::internal(state, req, err),
    };
    let lang = Lang::of(req);
    let grid_name = |id: Option<i64>| {
        id.and_then(|id| grids.iter().find(|g| g.id == id))
            .map(|g| g.name.clone())
    };
    let rows = |list: &[QueueWish]| list.iter().map(|w| wish_json(state, lang, now, w)).collect::<Vec<_>>();
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
        .map(|v| volunteer_json(v, grid_name(v.grid_id)))
        .collect();
    let more: Vec<&str> = q.more.iter().map(|s| s.name()).collect();
    let data = json!({
        "empty": q.is_empty() && only.is_none(),
        "to_review": rows(&q.to_review),
        "unclaimed": rows(&q.unclaimed),
        "overdue": rows(&q.overdue),
        "alerts": alerts,
        "volunteers": volunteers,
        "done": flash(req, &["approve", "reject", "assign", "release", "ack", "resolve"]),
        "more": more,
        "only": only.as_ref().map(|(name, _)| *name),
        "next": only.and_then(|(_, next)| next),
    });
    render::page(state, req, Some(signed), "queue.html", data, StatusCode::OK)
}

/// A volunteer to pick by name (their id when they never set one), with the grid they live in.
pub(super) fn volunteer_json(v: &VolunteerChoice, grid_name: Option<String>) -> Value {
    let name = if v.name.is_empty() {
        format!("#{}", v.id)
    } else {
        v.name.clone()
    };
    json!({ "id": v.id, "name": name, "grid_id": v.grid_id, "grid_name": grid_name, "holding": v.holding })
}

fn note(text: &str) -> CoreResult<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(Note::parse(text)?.into_inner()))
}

fn wish_input(action: &str, form: &ActionForm) -> CoreResult<Option<(Action, ChangeInput)>> {
    let kind = match action {
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        "release" => Action::Release,
        "assign" => Action::Assign,
        _ => return Ok(None),
    };
    let input = match kind {
        Action::Reject | Action::Release => ChangeInput {
            note: note(&form.reason)?,
            ..Default::default()
        },
        Action::Assign => {
            let volunteer = form.volunteer_id.trim().parse::<i64>();
            let volunteer = volunteer
                .map_err(|_| CoreError::invalid("invalid_field", "volunteer_id: pick a volunteer from the list"))?;
            ChangeInput {
                volunteer_id: Some(volunteer),
                ..Default::default()
            }
        }
        _ => ChangeInput::default(),
    };
    Ok(Some((kind, input)))
}

/// POST /console/wishes/{id}/{approve|reject|assign|release}
#[handler]
pub async fn wish_action(
    req: &Request,
    state: Data<&ConsoleState>,
    path: Path<(i64, String)>,
    form: Form<ActionForm>,
) -> Response {
    let (id, action) = path.0;
    let (kind, input) = match wish_input(&action, &form) {
        Ok(Some(found)) => found,
        Ok(None) => return render::error(*state, req, StatusCode::NOT_FOUND, "not_found", None),
        Err(err) => return render::core_error(*state, req, err),
    };
    let (settings, now) = (&state.settings, state.now());
    let back = format!("/console/queue?done={action}");
    act(
        *state,
        req,
        &form.csrf,
        |()| back,
        async |tx, caller| {
            wishes::apply(tx, Some(caller), id, kind, input, settings, now)
                .await
                .map(drop)
        },
    )
    .await
}

/// POST /console/alerts/{id}/{ack|resolve}
#[handler]
pub async fn alert_action(
    req: &Request,
    state: Data<&ConsoleState>,
    path: Path<(i64, String)>,
    form: Form<ActionForm>,
) -> Response {
    let (id, action) = path.0;
    let now = state.now();
    let back = format!("/console/queue?done={action}");
    act(
        *state,
        req,
        &form.csrf,
        |()| back,
        async |tx, caller| {
            match action.as_str() {
                "ack" => alerts::acknowledge(tx, caller, id, now).await?,
                "resolve" => {
                    let note =
                        note(&form.note)?.ok_or_else(|| CoreError::invalid("invalid_field", "note: required"))?;
                    alerts::resolve(tx, caller, id, &note, now).await?
                }
                _ => return Err(CoreError::NotFound("action")),
            };
            Ok(())
        },
    )
    .await
}
