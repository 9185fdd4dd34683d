//! Errors in the reader's language: a middleware that answers every error as JSON worded for
//! whoever asked — the language their profile chose (looked up only when an error is answered,
//! so a good answer costs nothing, and then kept beside the cached caller, see `callers`), else
//! the request's `Accept-Language` (English when it comes first), else Simplified Chinese.
//! The route's pattern travels on with the answer for the metrics outside.

use poem::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION};
use poem::{Endpoint, IntoResponse, Middleware, PathPattern, Request, Response, Result};

use microwish_core::Lang;
use microwish_core::people::session;

use crate::state::AppState;

/// The middleware.
pub struct Localize(pub AppState);

impl<E: Endpoint> Middleware<E> for Localize {
    type Output = LocalizeEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        LocalizeEndpoint {
            inner: ep,
            state: self.0.clone(),
        }
    }
}

/// The endpoint wrapped by [`Localize`].
pub struct LocalizeEndpoint<E> {
    inner: E,
    state: AppState,
}

impl<E> LocalizeEndpoint<E> {
    /// The language to answer `token`'s owner in, or `accept`'s.
    async fn lang(&self, token: Option<&str>, accept: Option<&str>) -> Lang {
        if let Some(token) = token {
            let now = self.state.clock.now_ms();
            let callers = &self.state.callers;
            let chosen = match callers.language(token, now) {
                Some(chosen) => chosen,
                None => {
                    let generation = callers.generation();
                    match session::language(self.state.db.pool(), token, now).await {
                        Ok(chosen) => {
                            callers.put_language(token, chosen, generation);
                            chosen
                        }
                        Err(err) => {
                            tracing::warn!(error = %err, "could not read the caller's language");
                            None
                        }
                    }
                }
            };
            if let Some(lang) = chosen {
                return lang;
            }
        }
        accept.map(Lang::from_tag).unwrap_or_default()
    }
}

impl<E: Endpoint> Endpoint for LocalizeEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        // Kept as header values (shared bytes, no copy) until an error needs reading them.
        let token = req.headers().get(AUTHORIZATION).cloned();
        let accept = req.headers().get(ACCEPT_LANGUAGE).cloned();
        match self.inner.call(req).await {
            Ok(response) => Ok(response.into_response()),
            Err(err) => {
                let token = token
                    .as_ref()
                    .and_then(|h| h.to_str().ok())
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .map(str::trim);
                let accept = accept.as_ref().and_then(|h| h.to_str().ok());
                let lang = self.lang(token, accept).await;
                let pattern = err.data::<PathPattern>().cloned();
                let mut response = super::to_json(err, lang).await;
                if let Some(pattern) = pattern {
                    response.set_data(pattern);
                }
                Ok(response)
            }
        }
    }
}
