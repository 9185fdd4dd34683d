//! Request observation: a request id on every request (taken from `x-request-id` or made up),
//! a tracing span carrying it, and Prometheus request counts and latency histograms.

use std::time::Instant;

use poem::PathPattern;
use poem::http::Method;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};
use rand::RngCore;
use tracing::Instrument;

/// The request metrics and the registry that exports them.
#[derive(Clone)]
pub struct Metrics {
    /// Registry served at `/metrics`.
    pub registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    /// Registers the HTTP metrics in a fresh registry.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "microwish_http_requests_total",
                "HTTP requests by method, route and status",
            ),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "microwish_http_request_duration_seconds",
                "HTTP request latency by method and route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["method", "route"],
        )
        .expect("valid metric");
        registry.register(Box::new(requests.clone())).expect("register once");
        registry.register(Box::new(latency.clone())).expect("register once");
        Self {
            registry,
            requests,
            latency,
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The label of a request that matched no route: one series however many paths are probed.
const UNMATCHED: &str = "unmatched";

/// The route label: the template of the route that answered (`/api/v1/wishes/:id`), as poem's
/// router records it on the response, or one label for anything unmatched. Labelling by the raw
/// path would let a client mint a permanent series per random path.
fn route_label(pattern: Option<&PathPattern>) -> &str {
    match pattern {
        // A nest's own prefix (`/api/v1`, `/docs`) is what the outer router records when the
        // inner one found nothing: that is unmatched too.
        Some(p) if !NEST_PREFIXES.contains(&&*p.0) => &p.0,
        _ => UNMATCHED,
    }
}

/// Prefixes under which other routers are nested (see `crate::app`).
const NEST_PREFIXES: [&str; 2] = ["/api/v1", "/docs"];

/// The method label: the standard methods by name, anything else as one label.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [Method; 7] = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::HEAD,
        Method::OPTIONS,
    ];
    KNOWN.iter().find(|m| *m == method).map_or("OTHER", Method::as_str)
}

/// The middleware.
pub struct Observe(pub Metrics);

impl<E: Endpoint> Middleware<E> for Observe {
    type Output = ObserveEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        ObserveEndpoint {
            inner: ep,
            metrics: self.0.clone(),
        }
    }
}

/// The endpoint wrapped by [`Observe`].
pub struct ObserveEndpoint<E> {
    inner: E,
    metrics: Metrics,
}

impl<E: Endpoint> Endpoint for ObserveEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let request_id = req
            .header("x-request-id")
            .filter(|id| id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            .map(str::to_string)
            .unwrap_or_else(|| {
                let mut bytes = [0u8; 8];
                rand::rng().fill_bytes(&mut bytes);
                hex::encode(bytes)
            });
        let method = method_label(req.method());
        let span = tracing::info_span!("request", id = %request_id, %method, path = %req.uri().path());
        let started = Instant::now();
        let result = self.inner.call(req).instrument(span.clone()).await;
        let (mut response, pattern) = match result {
            Ok(r) => {
                let r = r.into_response();
                let pattern = r.data::<PathPattern>().cloned();
                (r, pattern)
            }
            Err(err) => {
                let pattern = err.data::<PathPattern>().cloned();
                (
                    crate::error::to_json(err, microwish_core::Lang::default()).await,
                    pattern,
                )
            }
        };
        let route = route_label(pattern.as_ref());
        let status = response.status();
        let elapsed = started.elapsed();
        self.metrics
            .requests
            .with_label_values(&[method, route, status.as_str()])
            .inc();
        self.metrics
            .latency
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
        // `parent:` rather than entering the span: nothing to do at all unless debug is on.
        tracing::debug!(parent: &span, status = status.as_u16(), micros = elapsed.as_micros() as u64, "done");
        if let Ok(value) = request_id.parse() {
            response.headers_mut().insert("x-request-id", value);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_templates_never_from_raw_input() {
        let pattern = PathPattern("/api/v1/wishes/:id/claim".into());
        assert_eq!(route_label(Some(&pattern)), "/api/v1/wishes/:id/claim");
        assert_eq!(route_label(Some(&PathPattern("/api/v1".into()))), UNMATCHED);
        assert_eq!(route_label(None), UNMATCHED);
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "OTHER");
    }
}
