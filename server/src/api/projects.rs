//! Projects (项目清单) over HTTP: a grid's leader proposes one — wishes of their grid matched to a
//! unit's resource — the unit's contact agrees or declines, the leader or the contact reports it
//! delivered; the project's grid leader, the unit's contact and admins read them.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::cobuild::{self, Decision, NewProject, Project, ProjectAction, ProjectFilter};
use microwish_core::fields::{ItemTitle, Note};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;
use crate::views::TimelineView;

/// A proposal.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct ProjectBody {
    /// 1 to 60 characters, e.g. "为十位老人上门体检".
    title: Text,
    /// The unit's resource it uses (`GET /api/v1/resources?available=true`).
    resource_id: i64,
    /// 1 to 100 wishes of one grid you lead, of the resource's category, open or waiting for
    /// review, held by nobody and in no live project.
    wish_ids: Vec<i64>,
}

/// Why the unit declines.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct DeclineBody {
    /// Up to 500 characters; the leader reads it.
    reason: Text,
}

/// How the delivery went.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct DeliverBody {
    /// Minutes the unit spent in all (at most a day for each wish delivered); absent:
    /// `cobuild.minutes_per_service` for each wish.
    minutes: Option<i64>,
}

/// A project.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ProjectView {
    id: i64,
    title: String,
    /// proposed, agreed, delivered or declined.
    status: String,
    grid_id: i64,
    unit_id: i64,
    unit_name: String,
    resource_id: i64,
    resource_title: String,
    /// The wishes it serves.
    wish_ids: Vec<i64>,
    proposed_by: i64,
    /// Why it was declined.
    reason: Option<String>,
    created_at: String,
    agreed_at: Option<String>,
    delivered_at: Option<String>,
    declined_at: Option<String>,
    /// Wishes the unit was credited with on delivery.
    credited_services: Option<i64>,
    /// Minutes the unit was credited with on delivery.
    credited_minutes: Option<i64>,
}

impl From<Project> for ProjectView {
    fn from(p: Project) -> Self {
        Self {
            id: p.id,
            title: p.title,
            status: p.status.to_string(),
            grid_id: p.grid_id,
            unit_id: p.unit_id,
            unit_name: p.unit_name,
            resource_id: p.resource_id,
            resource_title: p.resource_title,
            wish_ids: p.wish_ids,
            proposed_by: p.proposed_by,
            reason: p.reason,
            created_at: rfc3339(p.created_at),
            agreed_at: p.agreed_at.map(rfc3339),
            delivered_at: p.delivered_at.map(rfc3339),
            declined_at: p.declined_at.map(rfc3339),
            credited_services: p.credit.map(|(s, _)| s),
            credited_minutes: p.credit.map(|(_, m)| m),
        }
    }
}

/// Projects.
#[derive(Object)]
struct ProjectList {
    /// Newest first.
    items: Vec<ProjectView>,
}

#[derive(ApiResponse)]
enum ProjectCreated {
    /// The proposed project; its wishes are referred to it and the unit is told.
    #[oai(status = 201)]
    Project(Json<ProjectView>),
}

pub struct ProjectApi(pub AppState);

impl ProjectApi {
    async fn decide(
        &self,
        auth: BearerAuth,
        id: i64,
        action: ProjectAction,
        decision: Decision,
    ) -> Result<Json<ProjectView>, ApiError> {
        let state = &self.0;
        let caller = state.caller(&auth).await?;
        let mut tx = state.db.begin_write().await?;
        let project = cobuild::decide(
            &mut tx,
            &caller,
            id,
            action,
            &decision,
            &state.settings,
            state.clock.now_ms(),
        )
        .await?;
        tx.commit().await?;
        state.outbox_wake.notify_one();
        Ok(Json(project.into()))
    }
}

#[OpenApi(tag = "Tag::CoBuilding")]
impl ProjectApi {
    /// Grid leader: propose a project — wishes of your grid matched to a unit's resource. The
    /// wishes are referred to it (no longer claimable or escalated); the unit's contact is
    /// emailed, and its WeCom work group told where it has a robot.
    #[oai(path = "/projects", method = "post")]
    async fn propose(&self, auth: BearerAuth, body: Json<ProjectBody>) -> Result<ProjectCreated, ApiError> {
        let state = &self.0;
        let caller = state.caller(&auth).await?;
        let new = NewProject {
            title: ItemTitle::parse(&body.0.title)?,
            resource_id: body.0.resource_id,
            wish_ids: body.0.wish_ids,
        };
        let mut tx = state.db.begin_write().await?;
        let project = cobuild::propose(&mut tx, &caller, &new, &state.settings, state.clock.now_ms()).await?;
        tx.commit().await?;
        state.outbox_wake.notify_one();
        Ok(ProjectCreated::Project(Json(project.into())))
    }

    /// The unit's contact (or an admin): take the project on; the grid's leader is told.
    #[oai(path = "/projects/:id/agree", method = "post")]
    async fn agree(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<ProjectView>, ApiError> {
        self.decide(auth, id.0, ProjectAction::Agree, Decision::default()).await
    }

    /// The unit's contact (or an admin): decline, with a reason the leader reads. The wishes
    /// return to the ordinary flow.
    #[oai(path = "/projects/:id/decline", method = "post")]
    async fn decline(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<DeclineBody>,
    ) -> Result<Json<ProjectView>, ApiError> {
        let reason = Note::parse(&body.0.reason)?.into_inner();
        let decision = Decision {
            reason: Some(reason),
            ..Decision::default()
        };
        self.decide(auth, id.0, ProjectAction::Decline, decision).await
    }

    /// The grid's leader or the unit's contact, once agreed: the service was done. Every wish
    /// still waiting is fulfilled and closed (its resident told), the unit credited, the
    /// resource's use recorded. The body is optional.
    #[oai(path = "/projects/:id/deliver", method = "post")]
    async fn deliver(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<Option<DeliverBody>>,
    ) -> Result<Json<ProjectView>, ApiError> {
        let decision = Decision {
            minutes: body.0.and_then(|b| b.minutes),
            ..Decision::default()
        };
        self.decide(auth, id.0, ProjectAction::Deliver, decision).await
    }

    /// Projects you may see (admins: all; leaders: their grids'; unit contacts: their units'),
    /// newest first, by grid and status.
    #[oai(path = "/projects", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        grid_id: Query<Option<i64>>,
        status: Query<Option<String>>,
    ) -> Result<Json<ProjectList>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let filter = ProjectFilter {
            grid_id: grid_id.0,
            status: status.0.as_deref().map(str::parse).transpose()?,
        };
        let mut conn = self.0.db.pool().acquire().await?;
        let items = cobuild::project::list(&mut conn, &caller, &filter).await?;
        Ok(Json(ProjectList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// One project.
    #[oai(path = "/projects/:id", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<ProjectView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        Ok(Json(cobuild::project::get(&mut conn, &caller, id.0).await?.into()))
    }

    /// Everything that happened to a project, oldest first.
    #[oai(path = "/projects/:id/timeline", method = "get")]
    async fn timeline(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<Vec<TimelineView>>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let steps = cobuild::project::timeline(&mut conn, &caller, id.0).await?;
        Ok(Json(steps.into_iter().map(Into::into).collect()))
    }
}
