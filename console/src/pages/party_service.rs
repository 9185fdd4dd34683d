//! The party secretary's 双报到 and year-end pages (admins): registrations waiting for a decision
//! — approve into the branch covering the applicant's grid or one picked, reject with a reason —
//! and the year's letters: each member's hours, services and ratings with the community's comment
//! to write, the letter to print, and the CSV for the units. The rules are core's
//! (`party::registration`, `party::feedback`); these pages only show and submit them.

use poem::http::{StatusCode, header};
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use microwish_core::CoreError;
use microwish_core::fields::{Comment, Note};
use microwish_core::insight::tz;
use microwish_core::party::registration::{self, Decision, ListQuery, RegistrationAction, RegistrationStatus};
use microwish_core::party::{branch, feedback, target};
use microwish_core::printable::{self, Issuer};

use super::{act, flash, local_time};
use crate::guard::Signed;
use crate::i18n::Lang;
use crate::{ConsoleState, render};

/// What a registration's decision form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    csrf: String,
    reason: String,
    /// A branch id, or empty for the branch covering the applicant's grid.
    branch_id: String,
}

/// The year a page is about: `?year=`, else this one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    year: Option<i64>,
}

/// What the comment form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    csrf: String,
    year: i64,
    comment: String,
}

const DONE: &[&str] = &["registration_approve", "registration_reject", "feedback_saved"];

fn forbidden(state: &ConsoleState, req: &Request) -> Response {
    render::error(state, req, StatusCode::FORBIDDEN, "not_permitted", None)
}

/// GET /console/party/registrations
#[handler]
pub async fn registrations(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    let state = *state;
    if !signed.caller.is_admin() {
        return forbidden(state, req);
    }
    let caller = &signed.caller;
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        let pending = ListQuery {
            status: Some(RegistrationStatus::Pending),
            limit: 200,
            ..ListQuery::default()
        };
        let recent = ListQuery {
            limit: 50,
            ..ListQuery::default()
        };
        let pending = registration::list(&mut conn, caller, pending).await?;
        let recent = registration::list(&mut conn, caller, recent).await?;
        Ok::<_, CoreError>((pending, recent, branch::list(&mut conn).await?))
    }
    .await;
    let (pending, recent, branches) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::internal(state, req, err),
    };
    let (s, lang) = (&state.settings, Lang::of(req));
    let post_label = |code: &String| {
        s.party
            .service_posts
            .iter()
            .find(|p| &p.code == code)
            .map_or(code.clone(), |p| match lang {
                Lang::Zh => p.label_zh.clone(),
                Lang::En => p.label_en.clone(),
            })
    };
    let view = |r: &registration::Registration| {
        let posts: Vec<String> = r.posts.iter().map(post_label).collect();
        let skills: Vec<String> = r.skills.iter().map(|c| super::category_label(s, lang, c)).collect();
        json!({ "id": r.id, "name": r.display_name, "work_unit": r.work_unit, "unit_branch": r.unit_branch,
                "posts": posts, "skills": skills, "status": r.status.as_str(), "reason": r.reason,
                "covering": branches.iter().find(|b| b.grid_ids.contains(&r.grid_id)).map(|b| b.name.clone()),
                "filed": local_time(s, r.created_at), "decided": r.decided_at.map(|t| local_time(s, t)) })
    };
    let decided: Vec<Value> = recent
        .iter()
        .filter(|r| r.status != RegistrationStatus::Pending)
        .map(view)
        .collect();
    let branches: Vec<Value> = branches.iter().map(|b| json!({ "id": b.id, "name": b.name })).collect();
    let data = json!({ "pending": pending.iter().map(view).collect::<Vec<_>>(), "decided": decided,
                       "branches": branches, "done": flash(req, DONE) });
    render::page(state, req, Some(&signed), "registrations.html", data, StatusCode::OK)
}

/// POST /console/party/registrations/{id}/{approve|reject}
#[handler]
pub async fn decide(
    req: &Request,
    state: Data<&ConsoleState>,
    path: Path<(i64, String)>,
    form: Form<DecisionForm>,
) -> Response {
    let (id, action) = path.0;
    let known = [
        ("approve", RegistrationAction::Approve),
        ("reject", RegistrationAction::Reject),
    ];
    let decision = match super::named(*state, req, &action, &known) {
        Ok(decision) => decision,
        Err(not_found) => return *not_found,
    };
    let now = state.now();
    let back = move |()| format!("/console/party/registrations?done=registration_{action}");
    act(*state, req, &form.csrf, back, async |tx, caller| {
        let branch_id = match form.branch_id.trim() {
            "" => None,
            id => Some(
                id.parse()
                    .map_err(|_| CoreError::invalid("invalid_field", "branch_id: a branch"))?,
            ),
        };
        let reason = Some(form.reason.trim())
            .filter(|r| !r.is_empty())
            .map(Note::parse)
            .transpose()?;
        registration::decide(tx, caller, id, decision, Decision { reason, branch_id }, now)
            .await
            .map(drop)
    })
    .await
}

/// The year of `?year=` for a page at `now`.
fn year_of(state: &ConsoleState, q: &YearQuery) -> Result<i16, CoreError> {
    target::parse_year(&tz(&state.settings), q.year, state.now())
}

/// GET /console/party/letters?year=
#[handler]
pub async fn letters(req: &Request, state: Data<&ConsoleState>, signed: Signed, q: Query<YearQuery>) -> Response {
    let state = *state;
    if !signed.caller.is_admin() {
        return forbidden(state, req);
    }
    let loaded = async {
        let year = year_of(state, &q)?;
        let mut conn = state.db.pool().acquire().await?;
        let all = feedback::letters(&mut conn, &state.settings, year, false, state.now()).await?;
        Ok::<_, CoreError>((year, all))
    }
    .await;
    let (year, all) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::core_error(state, req, err),
    };
    let members: Vec<Value> = all
        .iter()
        .map(|l| {
            let p = &l.progress;
            let s = &p.served;
            json!({ "user_id": p.member.user_id, "name": p.member.display_name, "category": p.member.category.as_str(),
                    "branch": p.branch_name, "work_unit": l.work_unit.as_ref().map(|(u, _)| u),
                    "hours": printable::hours(s.minutes()), "services": s.services(),
                    "rating": l.ratings.average.map(|a| format!("{a:.1}")), "ratings": l.ratings.count,
                    "on_track": p.on_track, "comment": l.feedback.as_ref().map(|f| f.comment.clone()) })
        })
        .collect();
    let data = json!({ "year": year, "members": members, "done": flash(req, DONE) });
    render::page(state, req, Some(&signed), "letters.html", data, StatusCode::OK)
}

/// POST /console/party/letters/{user_id}: the community's comment for a year.
#[handler]
pub async fn comment(
    req: &Request,
    state: Data<&ConsoleState>,
    user_id: Path<i64>,
    form: Form<CommentForm>,
) -> Response {
    let now = state.now();
    let year = form.year;
    let back = move |()| {
        format!(
            "/console/party/letters?year={year}&done=feedback_saved#member-{}",
            user_id.0
        )
    };
    act(*state, req, &form.csrf, back, async |tx, caller| {
        let year = year_of(state.0, &YearQuery { year: Some(form.year) })?;
        let comment = Comment::parse(&form.comment)?;
        feedback::write(tx, caller, user_id.0, year, comment, now)
            .await
            .map(drop)
    })
    .await
}

/// GET /console/party/letters/{user_id}/print?year=: the letter, fit to print.
#[handler]
pub async fn print(
    req: &Request,
    state: Data<&ConsoleState>,
    signed: Signed,
    user_id: Path<i64>,
    q: Query<YearQuery>,
) -> Response {
    let state = *state;
    if !signed.caller.is_admin() {
        return forbidden(state, req);
    }
    let zone = tz(&state.settings);
    let page = async {
        let year = year_of(state, &q)?;
        let mut conn = state.db.pool().acquire().await?;
        let letter = feedback::letter(&mut conn, &state.settings, user_id.0, year, state.now()).await?;
        let issuer = Issuer {
            lang: Lang::of(req).core(),
            community: &state.settings.community.name,
            tz: &zone,
            now: state.now(),
        };
        printable::letter(&letter, &issuer)
    }
    .await;
    match page {
        // A document of its own (no console frame): its one script is the print button.
        Ok(html) => Response::builder()
            .content_type("text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .header(
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
            )
            .body(html),
        Err(err) => render::core_error(state, req, err),
    }
}

/// GET /console/party/letters.csv?year=: the in-service members' sheet for their units.
#[handler]
pub async fn sheet(req: &Request, state: Data<&ConsoleState>, signed: Signed, q: Query<YearQuery>) -> Response {
    let state = *state;
    if !signed.caller.is_admin() {
        return forbidden(state, req);
    }
    let file = async {
        let year = year_of(state, &q)?;
        let mut conn = state.db.pool().acquire().await?;
        let all = feedback::letters(&mut conn, &state.settings, year, true, state.now()).await?;
        Ok::<_, CoreError>((year, feedback::csv(&all)?))
    }
    .await;
    match file {
        Ok((year, bytes)) => Response::builder()
            .content_type("text/csv; charset=utf-8")
            .header(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"feedback-{year}.csv\""),
            )
            .header(header::CACHE_CONTROL, "no-store")
            .body(bytes),
        Err(err) => render::core_error(state, req, err),
    }
}
