//! The people of a grid as its leader sees them: the register's people (with their account, if
//! any) and the accounts living or asking to live there that the register does not list yet.
//! Only the grid's leader and admins may list them, so phones are shown in full — and each
//! listing of accounts' contact details is audited like a wish's.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::building::may_manage;
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult};
use crate::people::{Caller, Role};
use crate::privacy::mask_phone;

/// One person of a grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridPerson {
    /// The register's person id (none for an account the register does not list yet).
    pub person_id: Option<i64>,
    /// The account, if the person has one.
    pub user_id: Option<i64>,
    /// Name.
    pub name: String,
    /// Phone (full: only the leader and admins list people).
    pub phone: Option<String>,
    /// Relation to the household head.
    pub relation: String,
    /// Tags, `;`-separated.
    pub tags: String,
    /// Building.
    pub building_id: Option<i64>,
    /// Building name.
    pub building: Option<String>,
    /// Unit.
    pub unit: Option<String>,
    /// Room.
    pub room: Option<String>,
    /// The register's people and accounts with a verified residence here are verified;
    /// accounts whose request is pending are not.
    pub verified: bool,
    /// Roles of the account.
    pub roles: Vec<Role>,
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Accounts holding this role.
    pub role: Option<Role>,
    /// In this building.
    pub building_id: Option<i64>,
    /// Name or phone contains this.
    pub q: Option<String>,
    /// Verified or not.
    pub verified: Option<bool>,
    /// At most this many.
    pub limit: i64,
}

fn like_pattern(q: &str) -> String {
    let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// The people of `grid_id`, by building, unit, room and name.
pub async fn of_grid(
    conn: &mut AnyConnection,
    caller: &Caller,
    grid_id: i64,
    filter: &PeopleFilter,
) -> CoreResult<Vec<GridPerson>> {
    if !may_manage(caller, grid_id) {
        return Err(CoreError::forbidden(
            "not_permitted",
            format!("only admins and the leader of grid {grid_id} may list its people"),
        ));
    }
    let rows = sqlx::query(
        "SELECT * FROM ( \
           SELECT p.id AS person_id, p.user_id AS user_id, p.name AS name, COALESCE(p.phone, u.phone) AS phone, \
             p.relation AS relation, p.tags AS tags, b.id AS building_id, b.name AS building, h.unit AS unit, \
             h.room AS room, CAST(CASE WHEN p.user_id IS NULL OR u.grid_id = $1 THEN 1 ELSE 0 END AS BIGINT) AS verified \
           FROM people p JOIN households h ON h.id = p.household_id JOIN buildings b ON b.id = h.building_id \
           LEFT JOIN users u ON u.id = p.user_id WHERE b.grid_id = $1 \
           UNION ALL \
           SELECT NULL, u.id, u.display_name, u.phone, '', '', NULL, u.building, NULL, NULL, \
             CAST(CASE WHEN u.grid_id = $1 THEN 1 ELSE 0 END AS BIGINT) \
           FROM users u WHERE (u.grid_id = $1 OR EXISTS (SELECT 1 FROM residence_requests r \
             WHERE r.user_id = u.id AND r.grid_id = $1 AND r.status = 'pending')) \
           AND NOT EXISTS (SELECT 1 FROM people p2 JOIN households h2 ON h2.id = p2.household_id \
             JOIN buildings b2 ON b2.id = h2.building_id WHERE p2.user_id = u.id AND b2.grid_id = $1) \
         ) x WHERE ($2 = 0 OR x.building_id = $2) \
         AND ($3 = '' OR x.name LIKE $3 ESCAPE '\\' OR x.phone LIKE $3 ESCAPE '\\') \
         AND ($4 < 0 OR x.verified = $4) \
         AND ($5 = '' OR EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = x.user_id AND ur.role = $5)) \
         ORDER BY x.building, x.unit, x.room, x.name LIMIT $6",
    )
    .bind(grid_id)
    .bind(filter.building_id.unwrap_or(0))
    .bind(filter.q.as_deref().filter(|q| !q.is_empty()).map(like_pattern).unwrap_or_default())
    .bind(filter.verified.map_or(-1, i64::from))
    .bind(filter.role.map_or("", Role::as_str))
    .bind(filter.limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut people: Vec<GridPerson> = rows
        .iter()
        .map(|r| GridPerson {
            person_id: r.get("person_id"),
            user_id: r.get("user_id"),
            name: r.get("name"),
            phone: r.get("phone"),
            relation: r.get("relation"),
            tags: r.get("tags"),
            building_id: r.get("building_id"),
            building: r.get("building"),
            unit: r.get("unit"),
            room: r.get("room"),
            verified: r.get::<i64, _>("verified") != 0,
            roles: Vec::new(),
        })
        .collect();
    for person in people.iter_mut() {
        if let Some(user_id) = person.user_id {
            person.roles = crate::people::user::roles_of(conn, user_id).await?;
        }
    }
    Ok(people)
}

/// A person to add to a household, or the new values of one.
#[derive(Debug, Clone)]
pub struct PersonInput {
    /// Name (the person's identity within the household).
    pub name: super::fields::PersonName,
    /// Phone.
    pub phone: Option<crate::fields::Phone>,
    /// Relation to the household head.
    pub relation: super::fields::Relation,
    /// Tags.
    pub tags: super::fields::Tags,
}

/// The grid of a household, if the caller manages it.
pub(crate) async fn household_grid(conn: &mut AnyConnection, caller: &Caller, household_id: i64) -> CoreResult<i64> {
    let row =
        sqlx::query("SELECT b.grid_id FROM households h JOIN buildings b ON b.id = h.building_id WHERE h.id = $1")
            .bind(household_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(CoreError::NotFound("household"))?;
    let grid: i64 = row.get(0);
    if !may_manage(caller, grid) {
        return Err(CoreError::NotFound("household"));
    }
    Ok(grid)
}

/// Adds a person to a household of a grid the caller manages; 409 when the name is there.
pub async fn add(
    conn: &mut AnyConnection,
    caller: &Caller,
    household_id: i64,
    p: &PersonInput,
    now: i64,
) -> CoreResult<i64> {
    let grid = household_grid(conn, caller, household_id).await?;
    let row = sqlx::query(
        "INSERT INTO people (household_id, name, phone, relation, tags, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(household_id)
    .bind(p.name.as_str())
    .bind(p.phone.as_ref().map(|ph| ph.as_str().to_string()))
    .bind(p.relation.as_str())
    .bind(p.tags.as_str())
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        crate::error::on_constraint(e, |c| {
            c.contains("people")
                .then(|| CoreError::conflict("person_exists", "a person of this name is already in this household"))
        })
    })?;
    let id = row.get(0);
    let fact = Action::PersonAdd.on(Subject::Person(id)).in_grid(grid);
    audit::record(conn, Some(caller), fact.with(person_facts(household_id, p)), now).await?;
    Ok(id)
}

/// Changes a person's phone, relation and tags (the name is their identity: remove and re-add
/// to rename); the leader of their grid or an admin.
pub async fn update(
    conn: &mut AnyConnection,
    caller: &Caller,
    person_id: i64,
    p: &PersonInput,
    now: i64,
) -> CoreResult<()> {
    let household: i64 = sqlx::query("SELECT household_id FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound("person"))?
        .get(0);
    let grid = household_grid(conn, caller, household)
        .await
        .map_err(|_| CoreError::NotFound("person"))?;
    sqlx::query("UPDATE people SET phone = $2, relation = $3, tags = $4, updated_at = $5 WHERE id = $1")
        .bind(person_id)
        .bind(p.phone.as_ref().map(|ph| ph.as_str().to_string()))
        .bind(p.relation.as_str())
        .bind(p.tags.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let fact = Action::PersonUpdate.on(Subject::Person(person_id)).in_grid(grid);
    audit::record(conn, Some(caller), fact.with(person_facts(household, p)), now).await
}

/// What the audit log keeps of a person written: the phone masked, as a shared screen shows it.
fn person_facts(household_id: i64, p: &PersonInput) -> serde_json::Value {
    json!({
        "household_id": household_id, "name": p.name.as_str(), "relation": p.relation.as_str(),
        "tags": p.tags.as_str(), "phone": p.phone.as_ref().map(|ph| mask_phone(ph.as_str())),
    })
}
