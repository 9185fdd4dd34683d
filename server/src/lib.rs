//! microwish-server: the HTTP face of microwish (poem + poem-openapi) over microwish-core.
//! Handlers are thin — extract, convert to domain types, one call into core, map the answer —
//! and never send a notification themselves: core's outbox records them for the notifier.
#![forbid(unsafe_code)]

mod api;
mod auth;
mod error;
mod limit;
mod observe;
mod state;
mod text;
mod views;

use poem::web::Json;
use poem::{EndpointExt, Route, get, handler};
use poem_openapi::OpenApiService;

pub use error::ApiError;
pub use observe::Metrics;
pub use state::AppState;

/// Builds the whole HTTP application: the API under `/api/v1`, its OpenAPI document and Swagger
/// UI, health and readiness probes, and Prometheus metrics; every error answered as JSON.
pub fn app(state: AppState) -> impl poem::Endpoint + 'static {
    let api = OpenApiService::new(api::all(state.clone()), "microwish", env!("CARGO_PKG_VERSION"))
        .description("Micro-wishes (微心愿) for an old urban community: residents post, volunteers claim, grid leaders coordinate.")
        .server("/api/v1");
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    let body_limit = state.settings.server.body_limit_bytes;
    Route::new()
        .nest("/api/v1", api)
        .at("/openapi.json", spec)
        .nest("/docs", docs)
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at(
            "/metrics",
            poem::endpoint::PrometheusExporter::new(state.metrics.registry.clone()),
        )
        .with(limit::BodyLimit(body_limit))
        .data(state.clone())
        .with(observe::Observe(state.metrics.clone()))
}

/// Liveness: the process answers.
#[handler]
fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the database answers.
#[handler]
async fn readyz(state: poem::web::Data<&AppState>) -> poem::Result<Json<serde_json::Value>> {
    if state.db.ping().await {
        Ok(Json(serde_json::json!({ "status": "ready", "database": "ok" })))
    } else {
        Err(ApiError::new(
            poem::http::StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the database does not answer",
        )
        .into())
    }
}
