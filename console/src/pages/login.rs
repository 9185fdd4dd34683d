//! Signing in and out. The sign-in page shows a QR code of a fresh ticket (`mwconsole:TICKET`);
//! the leader scans it in the mini-program, which approves it over the API; the page, polling,
//! then posts its form and the browser holding the ticket cookie is signed in. Without
//! JavaScript the leader presses the button after approving. A one-time link from
//! `microwish admin console-link` is the fallback. Only the browser that was shown a ticket can
//! redeem it (the ticket travels in an HttpOnly cookie, not in the form).

use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use rand::RngCore;
use serde::Deserialize;
use serde_json::json;

use microwish_core::console::signin::{self, GrantKind, Refusal};

use crate::guard::{self, same};
use crate::{ConsoleState, cookies, render};

/// A form that carries only its CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    csrf: String,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The sign-in forms' CSRF token: the pre-session cookie's value, made if missing.
fn presession(req: &Request) -> String {
    cookies::get(req, cookies::PRESESSION)
        .filter(|v| v.len() == 64)
        .unwrap_or_else(random_hex)
}

fn qr_svg(ticket: &str) -> String {
    match qrcode::QrCode::new(format!("mwconsole:{ticket}")) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(240, 240)
            .build(),
        Err(err) => {
            tracing::error!(error = %err, "cannot draw the sign-in QR code");
            String::new()
        }
    }
}

/// GET /console/login: the QR code (the same one across reloads while it is still pending).
#[handler]
pub async fn page(req: &Request, state: Data<&ConsoleState>) -> Response {
    let state = *state;
    match guard::current(state, req).await {
        Ok(Some(_)) => return render::redirect("/console/queue"),
        Ok(None) => {}
        Err(resp) => return resp,
    }
    let now = state.now();
    let ttl = state.settings.console.ticket_ttl.as_millis_i64();
    let ticket = async {
        let mut tx = state.db.begin_write().await?;
        if let Some(held) = cookies::get(req, cookies::TICKET)
            && signin::ticket_status(&mut tx, &held, now).await? == Err(Refusal::Pending)
        {
            return Ok(held);
        }
        let ticket = signin::issue_ticket(&mut tx, now, ttl).await?;
        tx.commit().await?;
        Ok::<_, microwish_core::CoreError>(ticket)
    }
    .await;
    let ticket = match ticket {
        Ok(ticket) => ticket,
        Err(err) => return render::internal(state, req, err),
    };
    let pre = presession(req);
    let secure = cookies::secure(req, &state.settings);
    let data = json!({
        "qr_svg": qr_svg(&ticket),
        "ticket": ticket,
        "form_csrf": pre,
        "minutes": ttl / 60_000,
        "expired": req.uri().query().is_some_and(|q| q.contains("expired")),
    });
    let mut resp = render::page(state, req, None, "login.html", data, StatusCode::OK);
    let headers = resp.headers_mut();
    for cookie in [
        cookies::set(cookies::TICKET, &ticket, ttl / 1000, secure),
        cookies::set(cookies::PRESESSION, &pre, ttl / 1000, secure),
    ] {
        if let Ok(value) = cookie.parse() {
            headers.append(poem::http::header::SET_COOKIE, value);
        }
    }
    resp
}

/// GET /console/login/status: where this browser's ticket stands (for the polling script).
#[handler]
pub async fn status(req: &Request, state: Data<&ConsoleState>) -> Response {
    let ticket = cookies::get(req, cookies::TICKET).unwrap_or_default();
    let answer = match state.db.pool().acquire().await {
        Ok(mut conn) => signin::ticket_status(&mut conn, &ticket, state.now()).await,
        Err(err) => Err(err.into()),
    };
    let status = match answer {
        Ok(Ok(_)) => "approved",
        Ok(Err(Refusal::Pending)) => "pending",
        Ok(Err(_)) => "expired",
        Err(err) => return render::internal(*state, req, err),
    };
    Response::builder()
        .content_type("application/json")
        .header("cache-control", "no-store")
        .body(json!({ "status": status }).to_string())
}

/// Signs the browser in: the session cookie set, the sign-in cookies cleared, on to the queue.
fn signed_in(state: &ConsoleState, req: &Request, session: &str) -> Response {
    let secure = cookies::secure(req, &state.settings);
    let ttl = state.settings.console.session_ttl.as_millis_i64() / 1000;
    let mut resp = render::redirect("/console/queue");
    for cookie in [
        cookies::set(cookies::SESSION, session, ttl, secure),
        cookies::clear(cookies::TICKET, secure),
        cookies::clear(cookies::PRESESSION, secure),
    ] {
        if let Ok(value) = cookie.parse() {
            resp.headers_mut().append(poem::http::header::SET_COOKIE, value);
        }
    }
    resp
}

/// Redeems a grant for this browser after checking the sign-in form's CSRF token.
async fn redeem_grant(state: &ConsoleState, req: &Request, kind: GrantKind, token: &str, csrf: &str) -> Response {
    let expected = cookies::get(req, cookies::PRESESSION).unwrap_or_default();
    if expected.is_empty() || !same(&expected, csrf) {
        return guard::csrf_refused(state, req);
    }
    let now = state.now();
    let ttl = state.settings.console.session_ttl.as_millis_i64();
    let outcome = async {
        let mut tx = state.db.begin_write().await?;
        let outcome = signin::redeem(&mut tx, kind, token, now, ttl).await?;
        tx.commit().await?;
        Ok::<_, microwish_core::CoreError>(outcome)
    }
    .await;
    match (outcome, kind) {
        (Ok(Ok((session, user))), _) => {
            tracing::info!(user, ?kind, "console signed in");
            signed_in(state, req, &session)
        }
        (Ok(Err(Refusal::Pending)), _) => render::error(state, req, StatusCode::CONFLICT, "ticket_pending", None),
        (Ok(Err(_)), GrantKind::Qr) => render::redirect("/console/login?expired=1"),
        (Ok(Err(_)), GrantKind::Link) => render::error(state, req, StatusCode::GONE, "link_spent", None),
        (Err(err), _) => render::core_error(state, req, err),
    }
}

/// POST /console/login: redeem this browser's approved ticket.
#[handler]
pub async fn redeem(req: &Request, state: Data<&ConsoleState>, form: Form<CsrfForm>) -> Response {
    let ticket = cookies::get(req, cookies::TICKET).unwrap_or_default();
    redeem_grant(*state, req, GrantKind::Qr, &ticket, &form.csrf).await
}

/// GET /console/link/{token}: a page with one button, so that a link preview fetching the URL
/// does not spend the link.
#[handler]
pub async fn link_page(req: &Request, state: Data<&ConsoleState>, token: Path<String>) -> Response {
    let pre = presession(req);
    let action = format!(
        "/console/link/{}",
        token.0.chars().filter(char::is_ascii_hexdigit).collect::<String>()
    );
    let data = json!({ "form_csrf": pre, "action": action });
    let mut resp = render::page(*state, req, None, "link.html", data, StatusCode::OK);
    let cookie = cookies::set(cookies::PRESESSION, &pre, 3600, cookies::secure(req, &state.settings));
    if let Ok(value) = cookie.parse() {
        resp.headers_mut().append(poem::http::header::SET_COOKIE, value);
    }
    resp
}

/// POST /console/link/{token}: spend the link and sign in.
#[handler]
pub async fn link_redeem(
    req: &Request,
    state: Data<&ConsoleState>,
    token: Path<String>,
    form: Form<CsrfForm>,
) -> Response {
    redeem_grant(*state, req, GrantKind::Link, &token.0, &form.csrf).await
}

/// POST /console/logout: end the session here and now.
#[handler]
pub async fn logout(req: &Request, state: Data<&ConsoleState>, form: Form<CsrfForm>) -> Response {
    let state = *state;
    let signed = match guard::require_form(state, req, &form.csrf).await {
        Ok(signed) => signed,
        Err(resp) => return resp,
    };
    let ended = async {
        let mut conn = state.db.pool().acquire().await?;
        signin::end_session(&mut conn, &signed.token).await
    }
    .await;
    if let Err(err) = ended {
        return render::internal(state, req, err);
    }
    let mut resp = render::redirect("/console/login");
    let cookie = cookies::clear(cookies::SESSION, cookies::secure(req, &state.settings));
    if let Ok(value) = cookie.parse() {
        resp.headers_mut().append(poem::http::header::SET_COOKIE, value);
    }
    resp
}
