//! The party organisation: branches (党支部), the grids they cover and their members — admins only.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::party::{Branch, BranchInput, Member, branch, member};
use microwish_core::people::Caller;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// A branch's settings.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub(super) struct BranchBody {
    /// Unique name, 1 to 40 characters.
    name: Text,
    /// The grids it covers.
    #[oai(default)]
    grid_ids: Vec<i64>,
}

/// A branch.
#[derive(Object)]
pub(super) struct BranchView {
    id: i64,
    name: String,
    /// The grids it covers.
    grid_ids: Vec<i64>,
    /// How many party members it has.
    members: i64,
}

impl From<Branch> for BranchView {
    fn from(b: Branch) -> Self {
        Self {
            id: b.id,
            name: b.name,
            grid_ids: b.grid_ids,
            members: b.members,
        }
    }
}

/// A membership to set.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct MemberBody {
    /// community (社区党员) or in_service (在职党员).
    category: Text,
}

/// A party member of a branch.
#[derive(Object)]
pub(super) struct MemberView {
    user_id: i64,
    display_name: String,
    branch_id: i64,
    /// community or in_service.
    category: String,
}

impl From<Member> for MemberView {
    fn from(m: Member) -> Self {
        Self {
            user_id: m.user_id,
            display_name: m.display_name,
            branch_id: m.branch_id,
            category: m.category.to_string(),
        }
    }
}

#[derive(ApiResponse)]
pub(super) enum BranchCreated {
    /// The new branch.
    #[oai(status = 201)]
    Branch(Json<BranchView>),
}

#[derive(ApiResponse)]
pub(super) enum Removed {
    /// The membership is gone.
    #[oai(status = 204)]
    Done,
}

/// The caller, if an admin: party membership is kept by admins only.
pub(super) async fn admin(state: &AppState, auth: &BearerAuth) -> Result<Caller, ApiError> {
    let caller = state.caller(auth).await?;
    if !caller.is_admin() {
        return Err(ApiError::forbidden("admins only"));
    }
    Ok(caller)
}

/// Creates a branch (`POST /party/branches` and `POST /admin/branches` alike).
pub(super) async fn create_branch(
    state: &AppState,
    auth: &BearerAuth,
    body: BranchBody,
) -> Result<BranchCreated, ApiError> {
    let caller = admin(state, auth).await?;
    let input = BranchInput::parse(&body.name, body.grid_ids)?;
    let mut tx = state.db.begin_write().await?;
    let created = branch::create(&mut tx, &caller, input, state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(BranchCreated::Branch(Json(created.into())))
}

pub struct PartyApi(pub AppState);

impl PartyApi {
    async fn admin(&self, auth: &BearerAuth) -> Result<Caller, ApiError> {
        admin(&self.0, auth).await
    }
}

#[OpenApi(tag = "Tag::Party", prefix_path = "/party")]
impl PartyApi {
    /// Create a branch covering some grids.
    #[oai(path = "/branches", method = "post")]
    async fn create_branch(&self, auth: BearerAuth, body: Json<BranchBody>) -> Result<BranchCreated, ApiError> {
        create_branch(&self.0, &auth, body.0).await
    }

    /// Every branch.
    #[oai(path = "/branches", method = "get")]
    async fn branches(&self, auth: BearerAuth) -> Result<Json<Vec<BranchView>>, ApiError> {
        self.admin(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let all = branch::list(&mut conn).await?;
        Ok(Json(all.into_iter().map(Into::into).collect()))
    }

    /// Rename a branch and replace the grids it covers.
    #[oai(path = "/branches/:id", method = "put")]
    async fn update_branch(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<BranchBody>,
    ) -> Result<Json<BranchView>, ApiError> {
        let caller = self.admin(&auth).await?;
        let input = BranchInput::parse(&body.0.name, body.0.grid_ids)?;
        let mut tx = self.0.db.begin_write().await?;
        let updated = branch::update(&mut tx, &caller, id.0, input, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(updated.into()))
    }

    /// The party members of a branch.
    #[oai(path = "/branches/:id/members", method = "get")]
    async fn members(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<Vec<MemberView>>, ApiError> {
        self.admin(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let all = member::list(&mut conn, id.0).await?;
        Ok(Json(all.into_iter().map(Into::into).collect()))
    }

    /// Make a user a party member of this branch (moving them from another one).
    #[oai(path = "/branches/:id/members/:user_id", method = "put")]
    async fn put_member(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        user_id: Path<i64>,
        body: Json<MemberBody>,
    ) -> Result<Json<MemberView>, ApiError> {
        let caller = self.admin(&auth).await?;
        let category = body.0.category.parse()?;
        let mut tx = self.0.db.begin_write().await?;
        let put = member::put(&mut tx, &caller, id.0, user_id.0, category, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(put.into()))
    }

    /// End a user's membership of this branch.
    #[oai(path = "/branches/:id/members/:user_id", method = "delete")]
    async fn remove_member(&self, auth: BearerAuth, id: Path<i64>, user_id: Path<i64>) -> Result<Removed, ApiError> {
        let caller = self.admin(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        member::remove(&mut tx, &caller, id.0, user_id.0, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Removed::Done)
    }
}
