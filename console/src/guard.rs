//! Who is at the keyboard: the console session behind the cookie, and the CSRF check every form
//! passes. The CSRF token is derived from the session token (a keyed hash), so it needs no
//! storage, differs per session, and cannot be computed by a page that cannot read the cookie.

use poem::http::StatusCode;
use poem::{FromRequest, Request, RequestBody, Response};
use sha2::{Digest, Sha256};

use microwish_core::console::signin;
use microwish_core::people::{Caller, user};

use crate::ConsoleState;
use crate::{cookies, render};

/// A signed-in person and what their pages need to know of them.
pub struct Signed {
    /// Who, with roles and led grids, as every core rule sees them.
    pub caller: Caller,
    /// Display name, for the header.
    pub name: String,
    /// The token every form of this session carries.
    pub csrf: String,
    /// The session token (to end it on sign-out).
    pub token: String,
}

/// The CSRF token of a session.
pub fn csrf_for(session_token: &str) -> String {
    hex::encode(Sha256::digest(
        format!("microwish-console-csrf:{session_token}").as_bytes(),
    ))
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The signed-in person, if the cookie holds a live session of someone the console is for.
pub async fn current(state: &ConsoleState, req: &Request) -> Result<Option<Signed>, Response> {
    let Some(token) = cookies::get(req, cookies::SESSION) else {
        return Ok(None);
    };
    let failed = |e| render::internal(state, req, e);
    let Some(caller) = signin::session_caller(state.db.pool(), &token, state.now())
        .await
        .map_err(failed)?
    else {
        return Ok(None);
    };
    let mut conn = state.db.pool().acquire().await.map_err(|e| failed(e.into()))?;
    let name = user::get(&mut conn, caller.user_id).await.map_err(failed)?.display_name;
    Ok(Some(Signed {
        caller,
        name,
        csrf: csrf_for(&token),
        token,
    }))
}

/// The signed-in person, or a redirect to the sign-in page.
pub async fn require(state: &ConsoleState, req: &Request) -> Result<Signed, Response> {
    match current(state, req).await? {
        Some(signed) => Ok(signed),
        None => Err(render::redirect("/console/login")),
    }
}

/// A page handler asks for `Signed` like any extractor: without a live session the visitor is
/// sent to the sign-in page instead, so no page repeats the check.
impl<'a> FromRequest<'a> for Signed {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let state = req
            .data::<ConsoleState>()
            .ok_or_else(|| poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR))?;
        require(state, req).await.map_err(poem::Error::from_response)
    }
}

/// The signed-in person, for a form that changes something: the form's CSRF token must match.
pub async fn require_form(state: &ConsoleState, req: &Request, csrf: &str) -> Result<Signed, Response> {
    let signed = require(state, req).await?;
    if !same(&signed.csrf, csrf) {
        return Err(csrf_refused(state, req));
    }
    Ok(signed)
}

/// 403 for a form without the right CSRF token (an old tab, or another site's forged form).
pub fn csrf_refused(state: &ConsoleState, req: &Request) -> Response {
    tracing::warn!(path = %req.uri().path(), "console form refused: CSRF token missing or wrong");
    render::error(state, req, StatusCode::FORBIDDEN, "csrf", None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_differ_per_session_and_compare_exactly() {
        let (a, b) = (csrf_for("one"), csrf_for("two"));
        assert_ne!(a, b);
        assert!(same(&a, &csrf_for("one")));
        assert!(!same(&a, &b));
        assert!(!same(&a, ""));
    }
}
