//! `POST /console/tickets/{ticket}/approve`: a grid leader or admin, signed in to the
//! mini-program, approves the QR code a console shows; that console then signs in as them.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::console::signin;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;

/// The approval.
#[derive(Object)]
struct ApprovedView {
    /// Always `approved`: the console showing the code signs in within seconds.
    status: String,
}

pub struct ConsoleApi(pub AppState);

#[OpenApi(tag = "Tag::Auth")]
impl ConsoleApi {
    /// Grid leader or admin: approve the sign-in code scanned from the web console's QR code
    /// (the QR text is `mwconsole:` followed by the ticket). 404 when unknown or expired, 409
    /// when already approved, 403 for people the console is not for.
    #[oai(path = "/console/tickets/:ticket/approve", method = "post")]
    async fn approve(&self, auth: BearerAuth, ticket: Path<String>) -> Result<Json<ApprovedView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        signin::approve_ticket(&mut tx, &caller, &ticket.0, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        tracing::info!(user = caller.user_id, "console sign-in approved");
        Ok(Json(ApprovedView {
            status: "approved".into(),
        }))
    }
}
