//! Request body limit: bodies over `server.body_limit_bytes` get 413 whether or not they declare
//! a Content-Length (poem's own `SizeLimit` insists on the header, which GETs do not send).
//! Empty bodies are marked as JSON so endpoints with an optional body accept a bare POST.
//! A few paths take a limit of their own: the register's CSV import, photo uploads (a `*` in a
//! path stands for one segment, `/api/v1/wishes/*/photos`).

use poem::http::StatusCode;
use poem::{Body, Endpoint, Middleware, Request, Result};

use crate::error::ApiError;

/// The middleware: the default limit, and exact paths with limits of their own.
pub struct BodyLimit(pub usize, pub Vec<(&'static str, usize)>);

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        BodyLimitEndpoint {
            inner: ep,
            default: self.0,
            paths: self.1.clone(),
        }
    }
}

/// The endpoint wrapped by [`BodyLimit`].
pub struct BodyLimitEndpoint<E> {
    inner: E,
    default: usize,
    paths: Vec<(&'static str, usize)>,
}

/// Whether `path` matches `pattern`, segment by segment, `*` matching any one segment.
fn matches_path(pattern: &str, path: &str) -> bool {
    let (mut pattern, mut path) = (pattern.split('/'), path.split('/'));
    loop {
        match (pattern.next(), path.next()) {
            (None, None) => return true,
            (Some("*"), Some(segment)) if !segment.is_empty() => {}
            (Some(want), Some(got)) if want == got => {}
            _ => return false,
        }
    }
}

fn too_large(limit: usize) -> poem::Error {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("the request body is over {limit} bytes"),
    )
    .into()
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let path = req.uri().path();
        let limit = self
            .paths
            .iter()
            .find(|(p, _)| matches_path(p, path))
            .map_or(self.default, |(_, l)| *l);
        let declared = req.header("content-length").and_then(|v| v.parse::<usize>().ok());
        let mut empty = declared == Some(0);
        match declared {
            Some(len) if len > limit => {
                // Read (and drop) a moderately oversized body before answering, so the client gets
                // the 413 instead of a connection reset while it is still sending.
                if len <= limit.saturating_mul(16) {
                    let _ = req.take_body().into_bytes_limit(len).await;
                }
                return Err(too_large(limit));
            }
            Some(_) => {}
            None => {
                // Undeclared length (chunked): read it here, at most `limit` bytes.
                let body = req.take_body();
                let bytes = body.into_bytes_limit(limit).await.map_err(|_| too_large(limit))?;
                empty = bytes.is_empty();
                req.set_body(Body::from(bytes));
            }
        }
        // A POST without a body (cancel, claim) needs no Content-Type; give it one so an
        // optional JSON body parses as absent instead of failing with 415.
        if empty && req.header("content-type").is_none() {
            req.headers_mut()
                .insert("content-type", poem::http::HeaderValue::from_static("application/json"));
        }
        self.inner.call(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::matches_path;

    #[test]
    fn a_star_stands_for_one_segment() {
        let photos = "/api/v1/wishes/*/photos";
        assert!(matches_path(photos, "/api/v1/wishes/12/photos"));
        assert!(!matches_path(photos, "/api/v1/wishes//photos"));
        assert!(!matches_path(photos, "/api/v1/wishes/12/photos/3"));
        assert!(!matches_path(photos, "/api/v1/wishes/12"));
        assert!(matches_path("/a/b", "/a/b"));
    }
}
