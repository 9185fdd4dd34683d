//! Residents without a smartphone and their families: a leader registers an offline resident;
//! one-time family codes; linking, listing and unlinking. Linked family post `on_behalf_of` the
//! resident (with a consent note) and receive copies of the resident's wish news.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::fields::{DisplayName, Phone};
use microwish_core::people::user;
use microwish_core::register::family::{self, Link};
use microwish_core::register::fields::{Room, Unit};
use microwish_core::register::{Place, offline};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;
use crate::views::UserView;

/// A resident without WeChat.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct OfflineResidentBody {
    display_name: Text,
    /// Mainland mobile number (a landline-only resident: a family member's).
    phone: Text,
    building_id: i64,
    unit: Option<Text>,
    room: Text,
}

/// A one-time family code.
#[derive(Object)]
struct CodeView {
    /// Eight letters and digits, to read out or write down; works once.
    code: String,
    expires_at: String,
}

/// A code to redeem.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct RedeemBody {
    code: Text,
}

/// A family link.
#[derive(Object)]
struct LinkView {
    resident_id: i64,
    resident_name: String,
    family_id: i64,
    family_name: String,
    created_at: String,
}

impl From<Link> for LinkView {
    fn from(l: Link) -> Self {
        Self {
            resident_id: l.resident_id,
            resident_name: l.resident_name,
            family_id: l.family_id,
            family_name: l.family_name,
            created_at: rfc3339(l.created_at),
        }
    }
}

/// The caller's links, as resident and as family member.
#[derive(Object)]
struct LinksView {
    items: Vec<LinkView>,
}

#[derive(ApiResponse)]
enum Registered {
    /// The new resident's account (verified residence, no WeChat).
    #[oai(status = 201)]
    Resident(Json<UserView>),
}

#[derive(ApiResponse)]
enum CodeCreated {
    /// The code.
    #[oai(status = 201)]
    Code(Json<CodeView>),
}

#[derive(ApiResponse)]
enum Unlinked {
    /// The link is gone.
    #[oai(status = 204)]
    Done,
}

pub struct FamilyApi(pub AppState);

impl FamilyApi {
    async fn code(&self, auth: &BearerAuth, resident: Option<i64>) -> Result<CodeCreated, ApiError> {
        let caller = self.0.caller(auth).await?;
        let ttl = self.0.settings.register.family_code_ttl.as_millis_i64();
        let mut tx = self.0.db.begin_write().await?;
        let resident = resident.unwrap_or(caller.user_id);
        let (code, expires_at) = family::create_code(&mut tx, &caller, resident, ttl, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(CodeCreated::Code(Json(CodeView {
            code,
            expires_at: rfc3339(expires_at),
        })))
    }
}

#[OpenApi(tag = "Tag::Register")]
impl FamilyApi {
    /// Register a resident who has no WeChat account (the grid's leader, admins). Their residence
    /// is verified by you; leaders and linked family post for them.
    #[oai(path = "/residents", method = "post")]
    async fn register(&self, auth: BearerAuth, body: Json<OfflineResidentBody>) -> Result<Registered, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let b = body.0;
        let name = DisplayName::parse(&b.display_name)?;
        let phone = Phone::parse(&b.phone)?;
        let place = Place::Room {
            building_id: b.building_id,
            unit: b.unit.as_deref().map(Unit::parse).transpose()?,
            room: Room::parse(&b.room)?,
        };
        let now = self.0.clock.now_ms();
        let mut tx = self.0.db.begin_write().await?;
        let id = offline::register(&mut tx, &caller, name, phone, place, now).await?;
        let resident = user::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Registered::Resident(Json(resident.into())))
    }

    /// A one-time code for your family: whoever enters it may post for you and hears of your wishes.
    #[oai(path = "/me/family-codes", method = "post")]
    async fn my_code(&self, auth: BearerAuth) -> Result<CodeCreated, ApiError> {
        self.code(&auth, None).await
    }

    /// A one-time family code for a resident without WeChat (the grid's leader, admins).
    #[oai(path = "/residents/:id/family-codes", method = "post")]
    async fn resident_code(&self, auth: BearerAuth, id: Path<i64>) -> Result<CodeCreated, ApiError> {
        self.code(&auth, Some(id.0)).await
    }

    /// Enter a family code: you are linked to that resident from now on. 422 `invalid_code`
    /// for an unknown, expired or used code.
    #[oai(path = "/me/family", method = "post")]
    async fn redeem(&self, auth: BearerAuth, body: Json<RedeemBody>) -> Result<Json<LinkView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        let link = family::redeem(&mut tx, &caller, &body.0.code, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(link.into()))
    }

    /// Your family links, as resident and as family member.
    #[oai(path = "/me/family", method = "get")]
    async fn list(&self, auth: BearerAuth) -> Result<Json<LinksView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let items = family::list(&mut conn, caller.user_id).await?;
        Ok(Json(LinksView {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// End a link; either side may.
    #[oai(path = "/family-links/:resident_id/:family_id", method = "delete")]
    async fn unlink(
        &self,
        auth: BearerAuth,
        resident_id: Path<i64>,
        family_id: Path<i64>,
    ) -> Result<Unlinked, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        family::unlink(&mut tx, &caller, resident_id.0, family_id.0).await?;
        tx.commit().await?;
        Ok(Unlinked::Done)
    }
}
