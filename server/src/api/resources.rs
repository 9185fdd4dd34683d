//! Resources (资源清单) over HTTP: the unit's contact (or an admin) lists what the unit offers —
//! a venue, funds, a service, goods, a team — and keeps it current; grid leaders and admins find
//! what is available for a category of need.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::{parse_rfc3339, rfc3339};
use microwish_core::cobuild::resource::{self, NewResource, Resource, ResourceFilter, ResourceStatus};
use microwish_core::fields::ItemTitle;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// A resource as its keeper writes it.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct ResourceBody {
    /// 1 to 60 characters, e.g. "老年人健康体检".
    title: Text,
    /// The wish category it serves: a code from `GET /api/v1/categories`.
    category: Text,
    /// venue, funds, service, goods or team.
    kind: Text,
    /// Capacity, amount or head count (1 to 100,000,000): a project bundles at most this many wishes.
    quantity: Option<i64>,
    /// Available from (RFC 3339); absent: now.
    available_from: Option<Text>,
    /// Available until (RFC 3339); absent: open-ended.
    available_to: Option<Text>,
    /// available (default), paused or withdrawn.
    status: Option<Text>,
}

impl ResourceBody {
    fn parse(self, categories: &[String]) -> Result<NewResource, ApiError> {
        let time = |field: &str, text: Option<Text>| -> Result<Option<i64>, ApiError> {
            text.map(|t| {
                parse_rfc3339(&t)
                    .ok_or_else(|| ApiError::invalid("invalid_field", format!("{field}: an RFC 3339 time")))
            })
            .transpose()
        };
        let status = match self.status {
            None => ResourceStatus::Available,
            Some(s) => s.parse()?,
        };
        let new = NewResource {
            title: ItemTitle::parse(&self.title)?,
            category: self.category.into_inner(),
            kind: self.kind.parse()?,
            quantity: self.quantity,
            window: (
                time("available_from", self.available_from)?,
                time("available_to", self.available_to)?,
            ),
            status,
        };
        Ok(new.check(categories)?)
    }
}

/// A resource a co-building unit offers.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ResourceView {
    id: i64,
    unit_id: i64,
    unit_name: String,
    title: String,
    category: String,
    /// venue, funds, service, goods or team.
    kind: String,
    quantity: Option<i64>,
    available_from: Option<String>,
    available_to: Option<String>,
    /// available, paused or withdrawn.
    status: String,
}

impl From<Resource> for ResourceView {
    fn from(r: Resource) -> Self {
        Self {
            id: r.id,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            title: r.title,
            category: r.category,
            kind: r.kind.to_string(),
            quantity: r.quantity,
            available_from: r.available_from.map(rfc3339),
            available_to: r.available_to.map(rfc3339),
            status: r.status.to_string(),
        }
    }
}

/// Resources.
#[derive(Object)]
struct ResourceList {
    /// By id.
    items: Vec<ResourceView>,
}

#[derive(ApiResponse)]
enum ResourceCreated {
    /// The new resource.
    #[oai(status = 201)]
    Resource(Json<ResourceView>),
}

pub struct ResourceApi(pub AppState);

impl ResourceApi {
    async fn write(
        &self,
        auth: BearerAuth,
        (unit_id, id): (i64, Option<i64>),
        body: ResourceBody,
    ) -> Result<ResourceView, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let codes: Vec<String> = self
            .0
            .settings
            .wishes
            .categories
            .iter()
            .map(|c| c.code.clone())
            .collect();
        let new = body.parse(&codes)?;
        let mut tx = self.0.db.begin_write().await?;
        let r = resource::write(&mut tx, &caller, unit_id, id, &new, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(r.into())
    }
}

#[OpenApi(tag = "Tag::CoBuilding")]
impl ResourceApi {
    /// The unit's contact (or an admin): offer a resource.
    #[oai(path = "/units/:id/resources", method = "post")]
    async fn create(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<ResourceBody>,
    ) -> Result<ResourceCreated, ApiError> {
        let view = self.write(auth, (id.0, None), body.0).await?;
        Ok(ResourceCreated::Resource(Json(view)))
    }

    /// The unit's contact (or an admin): change a resource (every field, as on creation), pause
    /// or withdraw it.
    #[oai(path = "/units/:id/resources/:resource_id", method = "put")]
    async fn update(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        resource_id: Path<i64>,
        body: Json<ResourceBody>,
    ) -> Result<Json<ResourceView>, ApiError> {
        Ok(Json(self.write(auth, (id.0, Some(resource_id.0)), body.0).await?))
    }

    /// Grid leaders and admins: the resources on offer, by category, kind, unit, and (with
    /// `available=true`) only those that can be asked for now. A unit's contact sees their own.
    #[oai(path = "/resources", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        category: Query<Option<String>>,
        kind: Query<Option<String>>,
        unit_id: Query<Option<i64>>,
        available: Query<Option<bool>>,
    ) -> Result<Json<ResourceList>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let filter = ResourceFilter {
            category: category.0,
            kind: kind.0.as_deref().map(str::parse).transpose()?,
            status: None,
            unit_id: unit_id.0,
            available_at: available.0.unwrap_or(false).then(|| self.0.clock.now_ms()),
        };
        let mut conn = self.0.db.pool().acquire().await?;
        let items = resource::list(&mut conn, &caller, &filter).await?;
        Ok(Json(ResourceList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }
}
