//! The party organisation's contract paths under `/admin`: creating a branch (the same as
//! `POST /party/branches`) and setting one person's membership. A member's party status is never
//! self-declared: admins only.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::party::member;

use super::Tag;
use super::party::{BranchBody, BranchCreated, MemberView, Removed, admin, create_branch};
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// One person's membership.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct PartyBody {
    /// The branch they belong to; `null` ends their membership.
    branch_id: MaybeUndefined<i64>,
    /// community (社区党员) or in_service (在职党员); absent keeps theirs (new members: community).
    category: Option<Text>,
}

#[derive(ApiResponse)]
enum PartySet {
    /// They are a member of this branch now.
    #[oai(status = 200)]
    Member(Json<MemberView>),
    /// `branch_id` was null: they are not a party member (any more).
    #[oai(status = 204)]
    Ended,
}

pub struct PartyAdminApi(pub AppState);

#[OpenApi(tag = "Tag::Party", prefix_path = "/admin")]
impl PartyAdminApi {
    /// Create a branch covering some grids (the same as `POST /party/branches`).
    #[oai(path = "/branches", method = "post")]
    async fn create_branch(&self, auth: BearerAuth, body: Json<BranchBody>) -> Result<BranchCreated, ApiError> {
        create_branch(&self.0, &auth, body.0).await
    }

    /// Set a person's party membership: their branch (moving them from another) and category,
    /// or `{"branch_id": null}` to end it.
    #[oai(path = "/users/:id/party", method = "put")]
    async fn put(&self, auth: BearerAuth, id: Path<i64>, body: Json<PartyBody>) -> Result<PartySet, ApiError> {
        let caller = admin(&self.0, &auth).await?;
        let branch = match body.0.branch_id {
            MaybeUndefined::Value(branch) => Some(branch),
            MaybeUndefined::Null => None,
            MaybeUndefined::Undefined => {
                return Err(ApiError::invalid(
                    "invalid_field",
                    "branch_id: required (null ends the membership)",
                ));
            }
        };
        let category = body.0.category.map(|c| c.parse()).transpose()?;
        let mut tx = self.0.db.begin_write().await?;
        let set = member::assign(&mut tx, &caller, id.0, branch, category, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(set.map_or(PartySet::Ended, |m| PartySet::Member(Json(m.into()))))
    }

    /// End a person's party membership (nothing to end is no error).
    #[oai(path = "/users/:id/party", method = "delete")]
    async fn delete(&self, auth: BearerAuth, id: Path<i64>) -> Result<Removed, ApiError> {
        let caller = admin(&self.0, &auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        member::assign(&mut tx, &caller, id.0, None, None, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Removed::Done)
    }
}
