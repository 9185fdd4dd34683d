//! Residence requests over HTTP: a resident declares where they live; the grid's leader (or an
//! admin) approves or rejects; a phone verified by WeChat that the register knows settles it at once.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::fields::Note;
use microwish_core::register::fields::{Room, Unit};
use microwish_core::register::residence::{Decision, RequestStatus};
use microwish_core::register::{Place, ResidenceRequest};
use microwish_core::register::{requests, verify};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// Where you live.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct ResidenceBody {
    /// From `GET /api/v1/buildings`.
    building_id: i64,
    /// Unit (单元), when the building has several with the same room numbers.
    unit: Option<Text>,
    /// Room, e.g. "301".
    room: Text,
}

/// Why a request is refused.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct RejectBody {
    /// Up to 500 characters.
    reason: Text,
}

/// A residence request.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ResidenceView {
    id: i64,
    user_id: i64,
    grid_id: i64,
    building_id: Option<i64>,
    unit: Option<String>,
    room: Option<String>,
    household_id: Option<i64>,
    /// pending, verified, rejected, withdrawn.
    status: String,
    /// How it was verified: phone (matched the register), leader, staff.
    method: Option<String>,
    reason: Option<String>,
    decided_by: Option<i64>,
    created_at: String,
    decided_at: Option<String>,
}

impl From<ResidenceRequest> for ResidenceView {
    fn from(r: ResidenceRequest) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            grid_id: r.grid_id,
            building_id: r.building_id,
            unit: r.unit,
            room: r.room,
            household_id: r.household_id,
            status: r.status.as_str().to_string(),
            method: r.method,
            reason: r.reason,
            decided_by: r.decided_by,
            created_at: rfc3339(r.created_at),
            decided_at: r.decided_at.map(rfc3339),
        }
    }
}

/// Residence requests.
#[derive(Object)]
struct ResidencePage {
    items: Vec<ResidenceView>,
}

pub struct ResidenceApi(pub AppState);

impl ResidenceApi {
    async fn decide(
        &self,
        auth: &BearerAuth,
        id: i64,
        decision: Decision,
        reason: Option<Note>,
    ) -> Result<Json<ResidenceView>, ApiError> {
        let caller = self.0.caller(auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        let r = verify::decide(&mut tx, &caller, id, decision, reason, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(r.into()))
    }
}

#[OpenApi(tag = "Tag::Register")]
impl ResidenceApi {
    /// Declare where you live. Verified at once when the phone WeChat verified for you matches a
    /// person of that household in the register; otherwise it waits for the grid's leader, and
    /// your wishes wait for review until then. A newer declaration replaces a pending one.
    #[oai(path = "/me/residence", method = "post")]
    async fn declare(&self, auth: BearerAuth, body: Json<ResidenceBody>) -> Result<Json<ResidenceView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let place = Place::Room {
            building_id: body.0.building_id,
            unit: body.0.unit.as_deref().map(Unit::parse).transpose()?,
            room: Room::parse(&body.0.room)?,
        };
        let mut tx = self.0.db.begin_write().await?;
        let r = verify::file(&mut tx, &caller, caller.user_id, place, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(r.into()))
    }

    /// Residence requests of the grids you lead (admins: all), newest first.
    #[oai(path = "/residence-requests", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        grid_id: Query<Option<i64>>,
        status: Query<Option<String>>,
        limit: Query<Option<i64>>,
    ) -> Result<Json<ResidencePage>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let status = match status.0.as_deref() {
            None | Some("") => None,
            Some(s) => Some(
                s.parse::<RequestStatus>()
                    .map_err(|e| ApiError::invalid("invalid_field", format!("status: {e}")))?,
            ),
        };
        let limit = limit.0.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(ApiError::invalid("invalid_field", "limit: must be 1 to 500"));
        }
        let mut conn = self.0.db.pool().acquire().await?;
        let items = requests::list(&mut conn, &caller, grid_id.0, status, limit).await?;
        Ok(Json(ResidencePage {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Verify a pending request (the grid's leader, admins).
    #[oai(path = "/residence-requests/:id/approve", method = "post")]
    async fn approve(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<ResidenceView>, ApiError> {
        self.decide(&auth, id.0, Decision::Approve, None).await
    }

    /// Refuse a pending request, saying why (the grid's leader, admins).
    #[oai(path = "/residence-requests/:id/reject", method = "post")]
    async fn reject(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<RejectBody>,
    ) -> Result<Json<ResidenceView>, ApiError> {
        let reason = Note::parse(&body.0.reason)?;
        self.decide(&auth, id.0, Decision::Reject, Some(reason)).await
    }
}
