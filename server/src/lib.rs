//! microwish-server: the HTTP face of microwish (poem + poem-openapi) over microwish-core.
//! Handlers are thin — extract, convert to domain types, one call into core, map the answer —
//! and never send a notification themselves: core's outbox records them for the notifier.
#![forbid(unsafe_code)]

mod api;
mod auth;
mod callers;
mod docs;
mod error;
mod feed;
mod limit;
mod observe;
mod pages;
mod payload;
mod rate;
mod state;
mod text;
mod views;

use poem::web::Json;
use poem::{EndpointExt, Route, get, handler};

pub use callers::Callers;
pub use error::ApiError;
pub use observe::Metrics;
pub use pages::Pages;
pub use rate::Limits;
pub use state::AppState;

/// The register's CSV import takes `register.import_limit_bytes`, not the default body limit.
const IMPORT_PATH: &str = "/api/v1/admin/households/import";
/// Photo uploads take `photos.max_bytes`.
const PHOTOS_PATH: &str = "/api/v1/wishes/*/photos";

/// Builds the whole HTTP application: the API under `/api/v1`, its OpenAPI document and Swagger
/// UI, health and readiness probes, and Prometheus metrics; every error answered as JSON.
pub fn app(state: AppState) -> impl poem::Endpoint + 'static {
    app_with(state, Vec::new(), &[])
}

/// [`app`] with more endpoints mounted beside the API (the web console under `/console`), under
/// the same body limit, request ids and metrics; `uploads` are their paths that take a register
/// sheet, allowed `register.import_limit_bytes` like the API's import.
pub fn app_with(
    state: AppState,
    mounts: Vec<(&'static str, poem::endpoint::BoxEndpoint<'static>)>,
    uploads: &[&'static str],
) -> impl poem::Endpoint + 'static {
    let api = docs::service(state.clone());
    let spec = docs::spec(state.clone());
    let docs = docs::swagger_ui(state.clone());
    let body_limit = state.settings.server.body_limit_bytes;
    let import_limit = state.settings.register.import_limit_bytes;
    let mut large = vec![(IMPORT_PATH, import_limit)];
    large.extend(uploads.iter().map(|p| (*p, import_limit)));
    large.push((PHOTOS_PATH, state.settings.photos.max_bytes));
    let mut routes = Route::new();
    for (path, endpoint) in mounts {
        routes = routes.nest(path, endpoint);
    }
    routes
        .nest("/api/v1", api)
        .at("/openapi.json", spec)
        .nest("/docs", docs)
        // The state only where a plain handler asks for it: `.data()` on the whole app cloned it
        // (a dozen reference counts) into every request (docs/benchmarks.md, fifth pass).
        .at("/calendar/:file", get(feed::calendar).data(state.clone()))
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz).data(state.clone()))
        .at(
            "/metrics",
            poem::endpoint::PrometheusExporter::new(state.metrics.registry.clone()),
        )
        .with(limit::BodyLimit(body_limit, large))
        .with(catch_panic())
        .with(rate::RateLimit(state.limits.clone()))
        .with(error::Localize(state.clone()))
        .with(observe::Observe(state.metrics.clone()))
}

/// A handler that panics answers the documented opaque JSON 500, and the panic is logged with
/// the request's span — instead of poem dropping the connection or answering plain text.
fn catch_panic() -> poem::middleware::CatchPanic<impl poem::middleware::PanicHandler> {
    poem::middleware::CatchPanic::new().with_handler(|panic: Box<dyn std::any::Any + Send>| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(panic = %what, "a handler panicked");
        error::json_error(
            poem::http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "a handler panicked; it has been logged",
            microwish_core::Lang::default(),
            None,
        )
    })
}

/// Liveness: the process answers.
#[handler]
fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the database takes a write, within 2 seconds (a load balancer's probe must not
/// hang on a locked SQLite file or an unreachable PostgreSQL).
#[handler]
async fn readyz(state: poem::web::Data<&AppState>) -> poem::Result<Json<serde_json::Value>> {
    let probe = tokio::time::timeout(std::time::Duration::from_millis(1500), state.db.writable()).await;
    match probe {
        Ok(Ok(())) => Ok(Json(serde_json::json!({ "status": "ready", "database": "ok" }))),
        other => {
            let why = match other {
                Ok(Err(err)) => err.to_string(),
                _ => "no answer within 1.5 s".to_string(),
            };
            tracing::warn!(reason = %why, "not ready: the database cannot be written");
            Err(ApiError::new(
                poem::http::StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "the database cannot be written",
            )
            .into())
        }
    }
}

#[cfg(test)]
mod tests {
    use poem::{Endpoint, EndpointExt, Request, handler};

    #[handler]
    fn boom() -> &'static str {
        panic!("boom")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_json_500() {
        let app = poem::Route::new()
            .at("/boom", poem::get(boom))
            .with(super::catch_panic());
        let resp = app
            .call(Request::builder().uri("/boom".parse().unwrap()).finish())
            .await
            .expect("an answer, not an error");
        assert_eq!(resp.status().as_u16(), 500);
        let body = resp.into_body().into_string().await.unwrap();
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["code"], "internal", "{body}");
    }
}
