//! Bearer-token authentication: the OpenAPI security scheme and its resolution to a [`Caller`].

use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

use microwish_core::people::{Caller, session};

use crate::error::ApiError;
use crate::state::AppState;

/// `Authorization: Bearer TOKEN`, where the token comes from `POST /api/v1/auth/wechat`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub struct BearerAuth(pub Bearer);

impl AppState {
    /// The caller behind a bearer token, from the per-process cache when it is fresh (see
    /// `callers`); 401 when unknown or expired, 429 when this user has sent too many requests.
    pub async fn caller(&self, auth: &BearerAuth) -> Result<Caller, ApiError> {
        let now = self.clock.now_ms();
        let token = &auth.0.token;
        let caller = match self.callers.get(token, now) {
            Some(caller) => caller,
            None => {
                let generation = self.callers.generation();
                let (caller, expires_at) = session::caller(self.db.pool(), token, now)
                    .await?
                    .ok_or_else(ApiError::unauthenticated)?;
                self.callers.put(token, caller.clone(), expires_at, now, generation);
                caller
            }
        };
        self.limits.user(caller.user_id)?;
        Ok(caller)
    }
}
