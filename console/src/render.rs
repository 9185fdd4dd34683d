//! Turning a template and its data into a response: the page layout (header, nav, language
//! switch, sign-out), error pages in the reader's language, redirects, and the headers every
//! console page carries (no framing, no caching, no referrer leaving the site, a strict CSP).

use minijinja::{Environment, UndefinedBehavior};
use poem::http::{StatusCode, header};
use poem::{Request, Response};
use serde_json::{Value, json};

use microwish_core::CoreError;

use crate::ConsoleState;
use crate::guard::Signed;
use crate::i18n::{Catalogs, Lang};
use crate::nav;

/// The templates and the catalogs, loaded once.
pub struct Templates {
    env: Environment<'static>,
    catalogs: Catalogs,
}

/// Every template, embedded in the binary.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("link.html", include_str!("../templates/link.html")),
    ("forms.html", include_str!("../templates/forms.html")),
    ("queue.html", include_str!("../templates/queue.html")),
    ("grids.html", include_str!("../templates/grids.html")),
    ("grid.html", include_str!("../templates/grid.html")),
    ("events.html", include_str!("../templates/events.html")),
    ("event.html", include_str!("../templates/event.html")),
    ("wish.html", include_str!("../templates/wish.html")),
    ("exports.html", include_str!("../templates/exports.html")),
    ("dashboard.html", include_str!("../templates/dashboard.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("register.html", include_str!("../templates/register.html")),
    ("people.html", include_str!("../templates/people.html")),
    ("care.html", include_str!("../templates/care.html")),
    ("imports.html", include_str!("../templates/imports.html")),
    ("import.html", include_str!("../templates/import.html")),
    ("party.html", include_str!("../templates/party.html")),
    ("cobuild.html", include_str!("../templates/cobuild.html")),
    ("registrations.html", include_str!("../templates/registrations.html")),
    ("letters.html", include_str!("../templates/letters.html")),
];

impl Templates {
    /// Parses every template (a broken template is a build mistake: the tests render each).
    pub fn load() -> Templates {
        let mut env = Environment::new();
        // A key missing from a catalog or a context is an error, not an empty string on screen.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).expect("console templates parse");
        }
        Templates {
            env,
            catalogs: Catalogs::load(),
        }
    }
}

/// The words of `lang`, for pages that build text outside a template (chart titles).
pub fn words(state: &ConsoleState, lang: Lang) -> &Value {
    state.templates.catalogs.of(lang)
}

/// Renders `template` for the signed-in person (`None` on the sign-in pages) with `data` merged
/// into the layout's context.
pub fn page(
    state: &ConsoleState,
    req: &Request,
    signed: Option<&Signed>,
    template: &str,
    data: Value,
    status: StatusCode,
) -> Response {
    let lang = Lang::of(req);
    let t = state.templates.catalogs.of(lang);
    let mut ctx = json!({
        "t": t,
        "lang": lang.code(),
        "other_lang": if lang == Lang::Zh { "en" } else { "zh-CN" },
        "here_encoded": encode_query_value(req.original_uri().path_and_query().map_or("/console/", |p| p.as_str())),
        "community": state.settings.community.name,
        "signed_in": signed.is_some(),
        "user_name": signed.map(|s| s.name.clone()).unwrap_or_default(),
        "csrf": signed.map(|s| s.csrf.clone()).unwrap_or_default(),
        "nav": signed.map(|s| nav::for_caller(&s.caller, req.original_uri().path(), t)).unwrap_or_default(),
    });
    if let (Some(ctx), Value::Object(data)) = (ctx.as_object_mut(), data) {
        ctx.extend(data);
    }
    let rendered = state
        .templates
        .env
        .get_template(template)
        .and_then(|tmpl| tmpl.render(&ctx));
    match rendered {
        Ok(body) => html(status, body),
        Err(err) => {
            tracing::error!(template, error = %err, "console template failed");
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!doctype html><title>500</title><p>Internal error; it has been logged.</p>".into(),
            )
        }
    }
}

/// Percent-encodes a value for a query string (everything but unreserved characters and `/`).
pub(crate) fn encode_query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An error page: `code` picks the localized explanation (`error_{code}` in the catalog, else
/// the one for the status); `detail` is what core said, shown below it.
pub fn error(state: &ConsoleState, req: &Request, status: StatusCode, code: &str, detail: Option<&str>) -> Response {
    let t = state.templates.catalogs.of(Lang::of(req));
    let key = format!("error_{code}");
    let fallback = format!("error_{}", status.as_u16());
    let message = t
        .get(&key)
        .or_else(|| t.get(&fallback))
        .or_else(|| t.get("error_other"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let data = json!({ "status": status.as_u16(), "message": message, "detail": detail });
    page(state, req, None, "error.html", data, status)
}

/// The page for a refusal or failure from core, with the status the API would answer.
pub fn core_error(state: &ConsoleState, req: &Request, err: CoreError) -> Response {
    let (status, code) = match &err {
        CoreError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        CoreError::Forbidden { code, .. } => (StatusCode::FORBIDDEN, *code),
        CoreError::Conflict { code, .. } => (StatusCode::CONFLICT, *code),
        CoreError::Invalid { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *code),
        CoreError::Database(_) | CoreError::Storage(_) => return internal(state, req, err),
    };
    error(state, req, status, code, Some(&err.to_string()))
}

/// 500: logged with context, answered opaquely.
pub fn internal(state: &ConsoleState, req: &Request, err: CoreError) -> Response {
    tracing::error!(path = %req.uri().path(), error = %err, "console request failed");
    error(state, req, StatusCode::INTERNAL_SERVER_ERROR, "internal", None)
}

/// 303 to `to` (after a form, so a reload does not post it again).
pub fn redirect(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

/// An HTML response with the console's protective headers.
pub fn html(status: StatusCode, body: String) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_FRAME_OPTIONS, "DENY")
        .header(header::REFERRER_POLICY, "same-origin")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        )
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        let t = Templates::load();
        for (name, _) in TEMPLATES {
            assert!(t.env.get_template(name).is_ok(), "{name}");
        }
    }
}
