//! The register's people one at a time, for the grid's leader: add a person to a household,
//! change their phone, relation and tags. (Whole sheets go through the CSV import.)

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::fields::Phone;
use microwish_core::register::fields::{PersonName, Relation, Tags};
use microwish_core::register::people::{self, PersonInput};
use microwish_core::register::removal;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// A person of the register.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct PersonBody {
    /// Up to 32 characters; the person's identity within the household (kept on update).
    name: Text,
    phone: Option<Text>,
    /// Relation to the household head (户主, 配偶, 子女…).
    relation: Option<Text>,
    /// Tags (独居, 低保…), at most 10.
    tags: Option<Vec<Text>>,
}

impl PersonBody {
    fn parse(self) -> Result<PersonInput, ApiError> {
        let tags: Vec<String> = self
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(Text::into_inner)
            .collect();
        Ok(PersonInput {
            name: PersonName::parse(&self.name)?,
            phone: self
                .phone
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .map(Phone::parse)
                .transpose()?,
            relation: Relation::parse(self.relation.as_deref().unwrap_or(""))?,
            tags: Tags::parse(&tags.join(";"))?,
        })
    }
}

/// The person's id.
#[derive(Object)]
struct PersonId {
    id: i64,
}

#[derive(ApiResponse)]
enum PersonAdded {
    /// The new person.
    #[oai(status = 201)]
    Person(Json<PersonId>),
}

#[derive(ApiResponse)]
enum Removed {
    /// Removed (and written to the audit log).
    #[oai(status = 204)]
    Done,
}

pub struct PeopleApi(pub AppState);

#[OpenApi(tag = "Tag::Register")]
impl PeopleApi {
    /// Add a person to a household (the grid's leader, admins). 409 `person_exists` for a name
    /// already there.
    #[oai(path = "/households/:id/people", method = "post")]
    async fn add(&self, auth: BearerAuth, id: Path<i64>, body: Json<PersonBody>) -> Result<PersonAdded, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let input = body.0.parse()?;
        let mut tx = self.0.db.begin_write().await?;
        let person = people::add(&mut tx, &caller, id.0, &input, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(PersonAdded::Person(Json(PersonId { id: person })))
    }

    /// Change a person's phone, relation and tags (the grid's leader, admins).
    #[oai(path = "/people/:id", method = "put")]
    async fn update(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<PersonBody>,
    ) -> Result<Json<PersonId>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let input = body.0.parse()?;
        let mut tx = self.0.db.begin_write().await?;
        people::update(&mut tx, &caller, id.0, &input, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(PersonId { id: id.0 }))
    }

    /// Remove a register person (the grid's leader, admins). 409 `person_has_account` for a
    /// person linked to an account (their wishes and visits stay on record); 404 for one the
    /// caller does not manage.
    #[oai(path = "/people/:id", method = "delete")]
    async fn remove(&self, auth: BearerAuth, id: Path<i64>) -> Result<Removed, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        removal::remove_person(&mut tx, &caller, id.0, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Removed::Done)
    }

    /// Remove an empty household (the grid's leader, admins). 409 `household_not_empty` while it
    /// has people, accounts or residence requests.
    #[oai(path = "/households/:id", method = "delete")]
    async fn remove_household(&self, auth: BearerAuth, id: Path<i64>) -> Result<Removed, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        removal::remove_household(&mut tx, &caller, id.0, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Removed::Done)
    }
}
