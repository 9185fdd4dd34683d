//! The one error type at the HTTP edge and the catch-all that turns every failure — ours,
//! poem's (malformed JSON, unknown route, body too large) — into `{"code", "message", "detail"}`
//! with a 4xx, or an opaque 500 that is logged with context. `message` is the catalogue's words
//! for the code in the reader's language (`catalogue`, chosen per request by `localize`);
//! `detail` is the refusing code's own precise reason.

mod catalogue;
mod localize;

pub use localize::Localize;

use poem::error::ResponseError;
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use serde::Serialize;

use microwish_core::{CoreError, Lang};

/// An error answered to a client.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// The precise reason, as the refusing code puts it (English; the answer's `detail`).
    pub message: String,
    /// Seconds to wait before trying again (`Retry-After`), for 429 and 503.
    pub retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    detail: &'a str,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 429: too many requests; try again in `wait_ms` (rounded up to whole seconds).
    pub fn rate_limited(wait_ms: i64) -> Self {
        let seconds = u64::try_from(wait_ms.max(1)).unwrap_or(1).div_ceil(1000);
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests: try again in {seconds} s"),
            )
        }
    }

    /// 401: no valid session.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first: Authorization: Bearer TOKEN",
        )
    }

    /// 422: a field is not acceptable.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 403: the caller may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 500 for an internal failure: logged here with its context, answered opaquely.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; it has been logged",
        )
    }
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        self.response(Lang::default())
    }
}

impl ApiError {
    /// The answer, its message in `lang`.
    pub fn response(&self, lang: Lang) -> Response {
        let mut response = json_error(self.status, self.code, &self.message, lang, self.retry_after);
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert("retry-after", seconds.into());
        }
        response
    }
}

/// The JSON error body with its status: the catalogue's words for `code` in `lang`, and `detail`
/// (left out when empty).
pub fn json_error(status: StatusCode, code: &str, detail: &str, lang: Lang, retry_after: Option<u64>) -> Response {
    let message = catalogue::message(lang, code, detail, retry_after);
    let body = serde_json::to_string(&Body {
        code,
        message: &message,
        detail,
    })
    .unwrap_or_default();
    Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(body)
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::NotFound(what) => Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found")),
            CoreError::Forbidden { code, message } => Self::new(StatusCode::FORBIDDEN, code, message),
            CoreError::Conflict { code, message } => Self::new(StatusCode::CONFLICT, code, message),
            CoreError::Invalid { code, message } => Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message),
            CoreError::Database(e) => Self::internal("database error", e),
            CoreError::Storage(e) => Self::internal("storage error", e),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal("database error", err)
    }
}

/// Answers any error that reached the top as JSON, worded in `lang`. Errors we raised keep their
/// code; poem's own (parse failures, unknown routes, size limits) get a code from their status;
/// an error that carries a whole response is answered with it.
pub async fn to_json(err: poem::Error, lang: Lang) -> Response {
    if let Some(api) = err.downcast_ref::<ApiError>() {
        return api.response(lang);
    }
    // An error made from a whole response (the console's "sign in first" redirect) is its answer.
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let code = match status {
        StatusCode::BAD_REQUEST => "malformed",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_field",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        s if s.is_server_error() => {
            tracing::error!(error = %err, status = %s, "unhandled error");
            return json_error(
                s,
                "internal",
                "something went wrong on our side; it has been logged",
                lang,
                None,
            );
        }
        _ => "error",
    };
    let message = match status {
        StatusCode::NOT_FOUND => "no such route or resource".to_string(),
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large".to_string(),
        _ => err.to_string(),
    };
    json_error(status, code, &message, lang, None).into_response()
}

/// The error body as documented in the OpenAPI document.
#[derive(poem_openapi::Object)]
#[oai(rename = "Error")]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `claim_lost`, `invalid_field`, `unauthenticated`; the
    /// same in every language.
    pub code: String,
    /// What to show the person, in their language: the profile's `language`, else the request's
    /// `Accept-Language` (English when it comes first), else Simplified Chinese.
    pub message: String,
    /// The precise reason for developers (English), e.g. `title: 1 to 100 characters`.
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
}

impl poem_openapi::ApiResponse for ApiError {
    fn meta() -> poem_openapi::registry::MetaResponses {
        use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses};
        use poem_openapi::types::Type;
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "An error: 4xx for the caller's mistakes (400 malformed, 401, 403, 404, 409, 413, 422, 429, 503 retry later), 5xx for ours",
                    status: None,
                    status_range: Some("4XX".into()),
                    content: vec![MetaMediaType {
                        content_type: "application/json",
                        schema: ErrorBody::schema_ref(),
                    }],
                    headers: vec![],
                },
                MetaResponse {
                    description: "Our failure or an upstream one (502 WeChat failed, 503 busy or not ready: retry later), logged",
                    status: None,
                    status_range: Some("5XX".into()),
                    content: vec![MetaMediaType {
                        content_type: "application/json",
                        schema: ErrorBody::schema_ref(),
                    }],
                    headers: vec![],
                },
            ],
        }
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        use poem_openapi::types::Type;
        ErrorBody::register(registry);
    }
}
