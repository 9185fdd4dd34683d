//! 双报到 over HTTP: the service posts one may take, an in-service party member's registration
//! with the community, and an admin's decision on it (`/party/registrations`).

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::fields::Note;
use microwish_core::party::registration::{
    self, Decision, ListQuery, Registration, RegistrationAction, RegistrationInput, RegistrationStatus,
};

use super::Tag;
use super::community::CategoryView;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// A registration as filed.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct RegistrationBody {
    /// Your work unit, 1 to 60 characters.
    work_unit: Text,
    /// Your work unit's party organisation, 1 to 60 characters.
    unit_branch: Text,
    /// What you can do: codes of `GET /api/v1/categories`.
    #[oai(default)]
    skills: Vec<Text>,
    /// The service posts you take (1 to 10): codes of `GET /api/v1/party/posts`.
    posts: Vec<Text>,
}

/// Why a registration is refused.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct RefusalBody {
    /// Up to 500 characters.
    reason: Text,
}

/// A 双报到 registration.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RegistrationView {
    id: i64,
    user_id: i64,
    display_name: String,
    /// The applicant's verified residence's grid.
    grid_id: i64,
    work_unit: String,
    unit_branch: String,
    skills: Vec<String>,
    posts: Vec<String>,
    /// pending, approved, rejected, withdrawn.
    status: String,
    reason: Option<String>,
    /// The branch they joined, once approved.
    branch_id: Option<i64>,
    decided_by: Option<i64>,
    decided_at: Option<String>,
    created_at: String,
}

impl From<Registration> for RegistrationView {
    fn from(r: Registration) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            display_name: r.display_name,
            grid_id: r.grid_id,
            work_unit: r.work_unit,
            unit_branch: r.unit_branch,
            skills: r.skills,
            posts: r.posts,
            status: r.status.to_string(),
            reason: r.reason,
            branch_id: r.branch_id,
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(rfc3339),
            created_at: rfc3339(r.created_at),
        }
    }
}

/// Registrations, newest first.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RegistrationPage {
    items: Vec<RegistrationView>,
    /// Pass as `before_id` for the next page; absent on the last.
    next_before_id: Option<i64>,
}

#[derive(ApiResponse)]
enum Filed {
    /// Filed: it waits for an admin.
    #[oai(status = 201)]
    Registration(Json<RegistrationView>),
}

pub struct RegistrationsApi(pub AppState);

impl RegistrationsApi {
    async fn decide(
        &self,
        auth: &BearerAuth,
        id: i64,
        action: RegistrationAction,
        decision: Decision,
    ) -> Result<Json<RegistrationView>, ApiError> {
        let caller = self.0.caller(auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        let r = registration::decide(&mut tx, &caller, id, action, decision, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        // Approval made them a volunteer: their cached roles are stale.
        self.0.callers.forget_user(r.user_id);
        Ok(Json(r.into()))
    }
}

#[OpenApi(tag = "Tag::Party", prefix_path = "/party")]
impl RegistrationsApi {
    /// The service posts (岗位) an in-service member may take (`party.service_posts`).
    #[oai(path = "/posts", method = "get")]
    async fn posts(&self) -> Json<Vec<CategoryView>> {
        let posts = self.0.settings.party.service_posts.iter().map(|p| CategoryView {
            code: p.code.clone(),
            label_zh: p.label_zh.clone(),
            label_en: p.label_en.clone(),
        });
        Json(posts.collect())
    }

    /// Register with the community as an in-service party member (双报到): needs a verified
    /// residence; one pending registration at a time. Admins are told; one of them decides.
    #[oai(path = "/registrations", method = "post")]
    async fn file(&self, auth: BearerAuth, body: Json<RegistrationBody>) -> Result<Filed, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let b = body.0;
        let known = (
            self.0.settings.wishes.categories.as_slice(),
            self.0.settings.party.service_posts.as_slice(),
        );
        let input = RegistrationInput::parse(&b.work_unit, &b.unit_branch, &b.skills, &b.posts, known)?;
        let mut tx = self.0.db.begin_write().await?;
        let r = registration::file(&mut tx, &caller, input, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Filed::Registration(Json(r.into())))
    }

    /// Registrations you may read, newest first: all for admins, your grids' for a leader, your
    /// own for anyone else.
    #[oai(path = "/registrations", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        status: Query<Option<String>>,
        grid_id: Query<Option<i64>>,
        before_id: Query<Option<i64>>,
        limit: Query<Option<i64>>,
    ) -> Result<Json<RegistrationPage>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let status = match status.0.as_deref() {
            None | Some("") => None,
            Some(s) => Some(s.parse::<RegistrationStatus>()?),
        };
        let limit = limit.0.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::invalid("invalid_field", "limit: must be 1 to 200"));
        }
        let q = ListQuery {
            status,
            grid_id: grid_id.0,
            before_id: before_id.0,
            limit,
        };
        let mut conn = self.0.db.pool().acquire().await?;
        let items = registration::list(&mut conn, &caller, q).await?;
        let next_before_id = (items.len() as i64 == limit)
            .then(|| items.last().map(|r| r.id))
            .flatten();
        Ok(Json(RegistrationPage {
            items: items.into_iter().map(Into::into).collect(),
            next_before_id,
        }))
    }

    /// One registration (its applicant, the leader of its grid, admins).
    #[oai(path = "/registrations/:id", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<RegistrationView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        Ok(Json(registration::get_for(&mut conn, &caller, id.0).await?.into()))
    }

    /// Approve a pending registration (an admin other than the applicant): the applicant becomes
    /// an in-service member of `branch_id`, or of the branch covering their grid, and a volunteer.
    #[oai(path = "/registrations/:id/approve", method = "post")]
    async fn approve(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        branch_id: Query<Option<i64>>,
    ) -> Result<Json<RegistrationView>, ApiError> {
        let decision = Decision {
            reason: None,
            branch_id: branch_id.0,
        };
        self.decide(&auth, id.0, RegistrationAction::Approve, decision).await
    }

    /// Reject a pending registration, saying why (an admin other than the applicant).
    #[oai(path = "/registrations/:id/reject", method = "post")]
    async fn reject(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<RefusalBody>,
    ) -> Result<Json<RegistrationView>, ApiError> {
        let decision = Decision {
            reason: Some(Note::parse(&body.0.reason)?),
            branch_id: None,
        };
        self.decide(&auth, id.0, RegistrationAction::Reject, decision).await
    }

    /// Withdraw your own pending registration.
    #[oai(path = "/registrations/:id/withdraw", method = "post")]
    async fn withdraw(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<RegistrationView>, ApiError> {
        self.decide(&auth, id.0, RegistrationAction::Withdraw, Decision::default())
            .await
    }
}
