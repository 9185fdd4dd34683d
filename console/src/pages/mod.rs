//! The console's pages, one module per section, and what they share: the front door, the static
//! files, the language switch, and how times and categories are shown.

pub mod audit;
pub mod dashboard;
pub mod event_edit;
pub mod events;
pub mod exports;
pub mod grids;
pub mod imports;
pub mod login;
pub mod party;
pub mod party_service;
pub mod people;
pub mod queue;
pub mod register;
pub mod wish;

use poem::http::{StatusCode, header};
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;

use microwish_core::db::AnyConnection;
use microwish_core::people::Caller;
use microwish_core::{CoreError, CoreResult, Settings};

use crate::i18n::Lang;
use crate::{ConsoleState, cookies, guard, render};

/// GET /console/: the queue when signed in, else the sign-in page.
#[handler]
pub async fn index(req: &Request, state: Data<&ConsoleState>) -> Response {
    match guard::current(*state, req).await {
        Ok(Some(_)) => render::redirect("/console/queue"),
        Ok(None) => render::redirect("/console/login"),
        Err(resp) => resp,
    }
}

/// GET /console/static/{file}: the style sheet and the one script (embedded; CSP allows only
/// same-origin scripts, so nothing is inline).
#[handler]
pub fn asset(file: Path<String>) -> Response {
    let (body, kind) = match file.0.as_str() {
        "console.css" => (include_str!("../../static/console.css"), "text/css; charset=utf-8"),
        "console.js" => (
            include_str!("../../static/console.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return Response::builder().status(StatusCode::NOT_FOUND).finish(),
    };
    Response::builder()
        .content_type(kind)
        .header(header::CACHE_CONTROL, "max-age=3600")
        .body(body)
}

/// Where to go back to after switching language.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Back {
    back: String,
}

/// GET /console/lang/{code}?back=PATH: remembers the language and returns to the page. A GET,
/// because it changes only how this browser is spoken to, nothing stored.
#[handler]
pub fn language(req: &Request, state: Data<&ConsoleState>, code: Path<String>, back: Query<Back>) -> Response {
    // Only back into the console: never an open redirect.
    let target = Some(back.0.back.as_str())
        .filter(|b| b.starts_with("/console/") && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or("/console/");
    let mut resp = render::redirect(target);
    if let Some(lang) = Lang::parse(&code.0) {
        let cookie = cookies::set(
            cookies::LANG,
            lang.code(),
            365 * 86_400,
            cookies::secure(req, &state.settings),
        );
        if let Ok(value) = cookie.parse() {
            resp.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    resp
}

/// One action of a form, for the person its session signs in (its CSRF token checked): `work` in
/// a write transaction, then a redirect to `back(answer)`; a refusal is the core's error page with
/// the status the API would answer. Recorded notifications are woken as the API does.
pub async fn act<T, F>(
    state: &ConsoleState,
    req: &Request,
    csrf: &str,
    back: impl FnOnce(T) -> String,
    work: F,
) -> Response
where
    F: AsyncFnOnce(&mut AnyConnection, &Caller) -> CoreResult<T>,
{
    let signed = match guard::require_form(state, req, csrf).await {
        Ok(signed) => signed,
        Err(resp) => return resp,
    };
    let applied = async {
        let mut tx = state.db.begin_write().await?;
        let answer = work(&mut tx, &signed.caller).await?;
        tx.commit().await?;
        Ok::<_, CoreError>(answer)
    }
    .await;
    match applied {
        Ok(answer) => {
            state.outbox_wake.notify_one();
            render::redirect(&back(answer))
        }
        Err(err) => render::core_error(state, req, err),
    }
}

/// The action a form's path names (`…/{id}/approve`), one of `known`; else the 404 page.
pub fn named<A: Copy>(
    state: &ConsoleState,
    req: &Request,
    name: &str,
    known: &[(&str, A)],
) -> Result<A, Box<Response>> {
    known
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| *a)
        .ok_or_else(|| Box::new(render::error(state, req, StatusCode::NOT_FOUND, "not_found", None)))
}

/// What a form's redirect says was done (`?done=…`), if it is one of `known`.
pub fn flash(req: &Request, known: &[&'static str]) -> Option<&'static str> {
    let query = req.uri().query()?;
    let done = query.split('&').find_map(|p| p.strip_prefix("done="))?;
    known.iter().copied().find(|k| *k == done)
}

/// Where someone lives as one line: building, unit and room, those given.
pub fn place(parts: [Option<&str>; 3]) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Epoch ms as local time in the community's zone, `2026-11-28 09:30`.
pub fn local_time(settings: &Settings, ms: i64) -> String {
    let tz = jiff::tz::TimeZone::get(&settings.community.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// How long since `since`, in whole hours (at least 0).
pub fn hours_since(now: i64, since: i64) -> i64 {
    (now - since).max(0) / 3_600_000
}

/// A category's label in the reader's language (the code when unknown).
pub fn category_label(settings: &Settings, lang: Lang, code: &str) -> String {
    settings
        .wishes
        .categories
        .iter()
        .find(|c| c.code == code)
        .map(|c| match lang {
            Lang::Zh => c.label_zh.clone(),
            Lang::En => c.label_en.clone(),
        })
        .unwrap_or_else(|| code.to_string())
}
