//! `POST /auth/wechat`: exchange a `wx.login` code for a session token.

use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::people::{session, user};
use microwish_wechat::WechatError;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;
use crate::views::UserView;

/// The login request.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct LoginBody {
    /// The code from `wx.login` (single-use, valid about 5 minutes).
    code: Text,
}

/// A new session.
#[derive(Object)]
struct LoginView {
    /// Bearer token for `Authorization: Bearer TOKEN`.
    token: String,
    /// When the token expires.
    expires_at: String,
    /// The signed-in user.
    user: UserView,
}

pub struct AuthApi(pub AppState);

/// Nothing to say: it is done.
#[derive(ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// Maps code2Session failures to answers a mini-program can act on. `session_key` is never logged.
fn login_error(err: WechatError) -> ApiError {
    match err.errcode() {
        Some(40029 | 40163) => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_code",
            "the login code is invalid, expired or already used: call wx.login again",
        ),
        Some(-1 | 45011) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "wechat_busy",
            "WeChat is busy: retry in a few seconds",
        ),
        Some(40226) => ApiError::new(
            StatusCode::FORBIDDEN,
            "login_blocked",
            "WeChat blocked this login as high-risk",
        ),
        _ => {
            let rid = match &err {
                WechatError::Api { rid, .. } => rid.clone().unwrap_or_default(),
                _ => String::new(),
            };
            tracing::error!(error = %err, errcode = ?err.errcode(), rid = %rid, "code2Session failed");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "wechat_error",
                "WeChat login failed; it has been logged",
            )
        }
    }
}

#[OpenApi(tag = "Tag::Auth")]
impl AuthApi {
    /// Sign in with a `wx.login` code. Creates the user (as a resident) on first sign-in.
    #[oai(path = "/auth/wechat", method = "post")]
    async fn login(&self, body: Json<LoginBody>) -> Result<Json<LoginView>, ApiError> {
        let code = body.0.code.trim();
        if code.is_empty() || code.len() > 128 {
            return Err(ApiError::invalid(
                "invalid_field",
                "code: must be the 1–128 character code from wx.login",
            ));
        }
        let session = self.0.wechat.code2session(code).await.map_err(login_error)?;
        let now = self.0.clock.now_ms();
        let ttl = self.0.settings.auth.session_ttl.as_millis_i64();
        let mut tx = self.0.db.begin_write().await?;
        let (user, created) = user::find_or_create(&mut tx, &session.openid, now).await?;
        let token = session::create(&mut tx, user.id, now, ttl).await?;
        tx.commit().await?;
        tracing::info!(user = user.id, created, "signed in");
        Ok(Json(LoginView {
            token,
            expires_at: rfc3339(now + ttl),
            user: user.into(),
        }))
    }

    /// Sign out: this token stops working at once.
    #[oai(path = "/auth/logout", method = "post")]
    async fn logout(&self, auth: BearerAuth) -> Result<Done, ApiError> {
        self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        session::revoke(&mut tx, &auth.0.token).await?;
        tx.commit().await?;
        self.0.callers.forget_token(&auth.0.token);
        Ok(Done::NoContent)
    }
}
