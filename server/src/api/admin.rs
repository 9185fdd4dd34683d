//! Community staff: grids and their leaders, users' roles, and the notification queue.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::fields::GridName;
use microwish_core::outbox::{self, Notification};
use microwish_core::people::grid::{self, GridInput};
use microwish_core::people::{Caller, Role, session, user};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;
use crate::views::{GridView, UserView};

/// A grid's settings.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct GridBody {
    /// Unique name, up to 40 characters.
    name: Text,
    /// The grid leader (given the grid_leader role).
    leader_user_id: Option<i64>,
    /// The WeCom group robot's key.
    wecom_robot_key: Option<Text>,
}

impl GridBody {
    fn parse(self) -> Result<GridInput, ApiError> {
        let key = self
            .wecom_robot_key
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty());
        if key
            .as_ref()
            .is_some_and(|k| k.len() > 128 || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(ApiError::invalid(
                "invalid_field",
                "wecom_robot_key: the key= part of the robot's webhook URL",
            ));
        }
        Ok(GridInput {
            name: GridName::parse(&self.name)?,
            leader_user_id: self.leader_user_id,
            wecom_robot_key: key,
        })
    }
}

/// Roles to set.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct RolesBody {
    /// Any of resident, volunteer, grid_leader, admin (resident is always kept).
    roles: Vec<Text>,
}

/// A notification and its delivery state.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct NotificationView {
    id: i64,
    kind: String,
    recipient_id: i64,
    subject_type: String,
    subject_id: i64,
    urgent: bool,
    /// The channel of the latest attempt (set by the notifier).
    channel: Option<String>,
    /// pending, sending, sent, retry, dead, skipped.
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: String,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind.to_string(),
            recipient_id: n.recipient_id,
            subject_type: n.subject_type,
            subject_id: n.subject_id,
            urgent: n.urgent,
            channel: n.channel,
            status: n.status.as_str().to_string(),
            attempts: n.attempts,
            last_error: n.last_error,
            created_at: rfc3339(n.created_at),
        }
    }
}

/// How many sessions were ended.
#[derive(Object)]
struct Revoked {
    revoked: u64,
}

#[derive(ApiResponse)]
enum GridCreated {
    /// The new grid.
    #[oai(status = 201)]
    Grid(Json<GridView>),
}

pub struct AdminApi(pub AppState);

impl AdminApi {
    async fn admin(&self, auth: &BearerAuth) -> Result<Caller, ApiError> {
        let caller = self.0.caller(auth).await?;
        if !caller.is_admin() {
            return Err(ApiError::forbidden("admins only"));
        }
        Ok(caller)
    }
}

#[OpenApi(tag = "Tag::Admin", prefix_path = "/admin")]
impl AdminApi {
    /// Create a grid.
    #[oai(path = "/grids", method = "post")]
    async fn create_grid(&self, auth: BearerAuth, body: Json<GridBody>) -> Result<GridCreated, ApiError> {
        let caller = self.admin(&auth).await?;
        let input = body.0.parse()?;
        let mut tx = self.0.db.begin_write().await?;
        let grid = grid::create(&mut tx, Some(&caller), input, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        self.0.callers.forget_all();
        Ok(GridCreated::Grid(Json(GridView::new(grid, true))))
    }

    /// Change a grid's name, leader or robot key.
    #[oai(path = "/grids/:id", method = "put")]
    async fn update_grid(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<GridBody>,
    ) -> Result<Json<GridView>, ApiError> {
        let caller = self.admin(&auth).await?;
        let input = body.0.parse()?;
        let mut tx = self.0.db.begin_write().await?;
        let grid = grid::update(&mut tx, Some(&caller), id.0, input, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        self.0.callers.forget_all();
        Ok(Json(GridView::new(grid, true)))
    }

    /// Set a user's roles.
    #[oai(path = "/users/:id/roles", method = "put")]
    async fn set_roles(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<RolesBody>,
    ) -> Result<Json<UserView>, ApiError> {
        let caller = self.admin(&auth).await?;
        let roles = body
            .0
            .roles
            .iter()
            .map(|r| r.parse::<Role>())
            .collect::<Result<Vec<_>, _>>();
        let roles = roles.map_err(|e| ApiError::invalid("invalid_field", format!("roles: {e}")))?;
        let mut tx = self.0.db.begin_write().await?;
        let user = user::set_roles(&mut tx, &caller, id.0, &roles, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        // Dropping the grid-leader role also drops its grids, so other callers are not touched.
        self.0.callers.forget_user(id.0);
        Ok(Json(user.into()))
    }

    /// Notifications, newest first, optionally by status.
    #[oai(path = "/notifications", method = "get")]
    async fn notifications(
        &self,
        auth: BearerAuth,
        status: Query<Option<String>>,
        kind: Query<Option<String>>,
        limit: Query<Option<i64>>,
    ) -> Result<Json<Vec<NotificationView>>, ApiError> {
        self.admin(&auth).await?;
        const STATUSES: [&str; 6] = ["pending", "sending", "sent", "retry", "dead", "skipped"];
        if let Some(s) = status.0.as_deref().filter(|s| !STATUSES.contains(s)) {
            return Err(ApiError::invalid(
                "invalid_field",
                format!("status: `{s}` is not one of {}", STATUSES.join(", ")),
            ));
        }
        let limit = limit.0.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(ApiError::invalid("invalid_field", "limit: must be 1 to 1000"));
        }
        let mut conn = self.0.db.pool().acquire().await?;
        let list = outbox::list(&mut conn, status.0.as_deref(), kind.0.as_deref(), limit).await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Queue a notification again now.
    #[oai(path = "/notifications/:id/retry", method = "post")]
    async fn retry(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<NotificationView>, ApiError> {
        let caller = self.admin(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        let n = outbox::retry(&mut tx, &caller, id.0, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        self.0.outbox_wake.notify_one();
        Ok(Json(n.into()))
    }

    /// End every session of a user (a lost phone, a leaked token). Taking a role away with
    /// `PUT /admin/users/{id}/roles` does this too.
    #[oai(path = "/users/:id/sessions", method = "delete")]
    async fn revoke_sessions(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<Revoked>, ApiError> {
        let caller = self.admin(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        let revoked = session::revoke_user(&mut tx, &caller, id.0, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        self.0.callers.forget_user(id.0);
        tracing::info!(user = id.0, revoked, "sessions revoked by an admin");
        Ok(Json(Revoked { revoked }))
    }
}
