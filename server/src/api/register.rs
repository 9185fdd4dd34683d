//! The register over HTTP: buildings (admins, and leaders in their grids), households, and the
//! people of a grid as its leader sees them.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::register::fields::{BuildingName, Room, Unit};
use microwish_core::register::people::{GridPerson, PeopleFilter};
use microwish_core::register::{Building, building, household, roster};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// A new building.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct BuildingBody {
    /// The grid it belongs to.
    grid_id: i64,
    /// Unique in the community, e.g. "3号楼" (the import's `building` column).
    name: Text,
}

/// A building.
#[derive(Object)]
struct BuildingView {
    id: i64,
    grid_id: i64,
    name: String,
}

impl From<Building> for BuildingView {
    fn from(b: Building) -> Self {
        Self {
            id: b.id,
            grid_id: b.grid_id,
            name: b.name,
        }
    }
}

/// A new household (a room of the building).
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct HouseholdBody {
    /// Unit (单元), when the building has several.
    unit: Option<Text>,
    /// Room, e.g. "301".
    room: Text,
}

/// A household.
#[derive(Object)]
struct HouseholdView {
    id: i64,
    building_id: i64,
    unit: String,
    room: String,
}

/// One person of a grid.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PersonView {
    /// The register's person id (absent for an account the register does not list yet).
    person_id: Option<i64>,
    /// The person's account, if they have one.
    user_id: Option<i64>,
    name: String,
    /// In full: only the grid's leader and admins may list people.
    phone: Option<String>,
    relation: String,
    tags: Vec<String>,
    building_id: Option<i64>,
    building: Option<String>,
    unit: Option<String>,
    room: Option<String>,
    /// False for accounts whose residence request is still pending.
    verified: bool,
    roles: Vec<String>,
}

impl From<GridPerson> for PersonView {
    fn from(p: GridPerson) -> Self {
        Self {
            person_id: p.person_id,
            user_id: p.user_id,
            name: p.name,
            phone: p.phone,
            relation: p.relation,
            tags: p
                .tags
                .split(';')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            building_id: p.building_id,
            building: p.building,
            unit: p.unit,
            room: p.room,
            verified: p.verified,
            roles: p.roles.iter().map(|r| r.as_str().to_string()).collect(),
        }
    }
}

/// People of a grid.
#[derive(Object)]
struct PeoplePage {
    items: Vec<PersonView>,
}

#[derive(ApiResponse)]
enum BuildingCreated {
    /// The new building.
    #[oai(status = 201)]
    Building(Json<BuildingView>),
}

#[derive(ApiResponse)]
enum HouseholdCreated {
    /// The new household.
    #[oai(status = 201)]
    Household(Json<HouseholdView>),
}

pub struct RegisterApi(pub AppState);

#[OpenApi(tag = "Tag::Register")]
impl RegisterApi {
    /// Add a building to a grid (admins; a grid's leader for that grid). 409 if the name is taken.
    #[oai(path = "/admin/buildings", method = "post")]
    async fn create_building(&self, auth: BearerAuth, body: Json<BuildingBody>) -> Result<BuildingCreated, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let name = BuildingName::parse(&body.0.name)?;
        let mut tx = self.0.db.begin_write().await?;
        let b = building::create(&mut tx, &caller, body.0.grid_id, name, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(BuildingCreated::Building(Json(b.into())))
    }

    /// Buildings, of one grid or all (anyone signed in: residents pick theirs).
    #[oai(path = "/buildings", method = "get")]
    async fn buildings(
        &self,
        auth: BearerAuth,
        grid_id: Query<Option<i64>>,
    ) -> Result<Json<Vec<BuildingView>>, ApiError> {
        self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let list = building::list(&mut conn, grid_id.0).await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Add a room to the register (the grid's leader, admins). 409 `room_taken` if it is there.
    #[oai(path = "/buildings/:id/households", method = "post")]
    async fn create_household(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<HouseholdBody>,
    ) -> Result<HouseholdCreated, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let unit = Unit::parse(body.0.unit.as_deref().unwrap_or(""))?;
        let room = Room::parse(&body.0.room)?;
        let mut tx = self.0.db.begin_write().await?;
        let h = household::create(&mut tx, &caller, id.0, &unit, &room, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(HouseholdCreated::Household(Json(HouseholdView {
            id: h.id,
            building_id: h.building_id,
            unit: h.unit,
            room: h.room,
        })))
    }

    /// The people of a grid (its leader, admins): the register's people and the accounts living
    /// or asking to live there. `q` searches names and phones; `verified=false` lists those
    /// waiting for verification.
    #[oai(path = "/grids/:id/people", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn people(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        role: Query<Option<String>>,
        building_id: Query<Option<i64>>,
        q: Query<Option<String>>,
        verified: Query<Option<bool>>,
        limit: Query<Option<i64>>,
    ) -> Result<Json<PeoplePage>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let filter = PeopleFilter::parse(role.0.as_deref(), building_id.0, q.0.as_deref(), verified.0, limit.0)?;
        let list = roster::read(&self.0.db, &caller, id.0, &filter, self.0.clock.now_ms()).await?;
        Ok(Json(PeoplePage {
            items: list.into_iter().map(Into::into).collect(),
        }))
    }
}
