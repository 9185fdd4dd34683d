//! The standalone notifier's own small HTTP face — `/metrics` (Prometheus) and `/healthz` on
//! `notifier.metrics_bind` — so a worker process running alone can be scraped and probed. It
//! lives in the binary, not the notifier crate: the notifier itself stays free of HTTP.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use poem::web::Json;
use poem::{EndpointExt, Route, get, handler};
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[handler]
fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Serves `/metrics` from `registry` and `/healthz` on `bind` until `stop` turns true; returns
/// the address it listens on (the real port when 0 was asked for).
pub async fn serve(
    bind: &str,
    registry: prometheus::Registry,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<(SocketAddr, JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("notifier.metrics_bind: cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    let app = Route::new()
        .at("/healthz", get(healthz))
        .at("/metrics", poem::endpoint::PrometheusExporter::new(registry))
        .map_to_response();
    let task = crate::startup::serve_until(listener, app, stop, Duration::from_secs(2))?;
    tracing::info!(%addr, "notifier metrics at /metrics, health at /healthz");
    Ok((addr, task))
}
