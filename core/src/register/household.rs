//! Households (a room of a building, optionally in a unit) and the link between a register
//! person and the account that lives there.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::building::{self, may_manage};
use super::fields::{Room, Unit};
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult, on_constraint};
use crate::people::Caller;

/// A household as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    /// Id.
    pub id: i64,
    /// Building.
    pub building_id: i64,
    /// Unit ('' when none).
    pub unit: String,
    /// Room.
    pub room: String,
}

fn room_taken(constraint: &str) -> Option<CoreError> {
    constraint.contains("households").then(|| {
        CoreError::conflict(
            "room_taken",
            "this room is already in the register for that building and unit",
        )
    })
}

/// Adds a room to the register (the leader of the building's grid, or an admin).
pub async fn create(
    conn: &mut AnyConnection,
    caller: &Caller,
    building_id: i64,
    unit: &Unit,
    room: &Room,
    now: i64,
) -> CoreResult<Household> {
    let b = building::get(conn, building_id)
        .await
        .map_err(|_| CoreError::invalid("unknown_building", format!("building_id: no building {building_id}")))?;
    if !may_manage(caller, b.grid_id) {
        return Err(CoreError::forbidden(
            "not_permitted",
            "only admins and the grid's leader may add households",
        ));
    }
    let row = sqlx::query(
        "INSERT INTO households (building_id, unit, room, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         RETURNING id",
    )
    .bind(building_id)
    .bind(unit.as_str())
    .bind(room.as_str())
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| on_constraint(e, room_taken))?;
    let id = row.get(0);
    let detail = json!({ "building": b.name, "unit": unit.as_str(), "room": room.as_str() });
    let fact = Action::HouseholdCreate.on(Subject::Household(id)).in_grid(b.grid_id);
    audit::record(conn, Some(caller), fact.with(detail), now).await?;
    Ok(Household {
        id,
        building_id,
        unit: unit.as_str().to_string(),
        room: room.as_str().to_string(),
    })
}

/// The household at this place. Without a unit, a room number found in several units is
/// ambiguous and refused, rather than guessed.
pub async fn find(
    conn: &mut AnyConnection,
    building_id: i64,
    unit: Option<&Unit>,
    room: &Room,
) -> CoreResult<Option<i64>> {
    let rows = sqlx::query(
        "SELECT id FROM households WHERE building_id = $1 AND room = $2 AND ($3 = '*' OR unit = $3) ORDER BY id LIMIT 2",
    )
    .bind(building_id)
    .bind(room.as_str())
    .bind(unit.map_or("*", Unit::as_str))
    .fetch_all(&mut *conn)
    .await?;
    if rows.len() > 1 {
        return Err(CoreError::invalid(
            "ambiguous_room",
            "room: this room number exists in several units; give the unit too",
        ));
    }
    Ok(rows.first().map(|r| r.get(0)))
}

/// The household at this exact place, created if the register does not have it yet.
pub async fn find_or_create(
    conn: &mut AnyConnection,
    building_id: i64,
    unit: &str,
    room: &str,
    now: i64,
) -> CoreResult<i64> {
    sqlx::query(
        "INSERT INTO households (building_id, unit, room, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (building_id, unit, room) DO NOTHING",
    )
    .bind(building_id)
    .bind(unit)
    .bind(room)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query("SELECT id FROM households WHERE building_id = $1 AND unit = $2 AND room = $3")
        .bind(building_id)
        .bind(unit)
        .bind(room)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.get(0))
}

/// `3号楼2单元301` — how the register writes a household's address.
pub async fn address(conn: &mut AnyConnection, household_id: i64) -> CoreResult<(String, String)> {
    let row = sqlx::query(
        "SELECT b.name, h.unit, h.room FROM households h JOIN buildings b ON b.id = h.building_id WHERE h.id = $1",
    )
    .bind(household_id)
    .fetch_one(&mut *conn)
    .await?;
    let (building, unit, room): (String, String, String) = (row.get(0), row.get(1), row.get(2));
    Ok((building.clone(), format!("{building}{unit}{room}")))
}

/// Makes `user_id` the account of a person of `household_id`: the matched person if given, else
/// the unlinked person of the same name, else a new person. Any older link of the account (a
/// previous home) is dropped first, since one account lives in one place.
pub async fn link_account(
    conn: &mut AnyConnection,
    household_id: i64,
    user_id: i64,
    matched_person: Option<i64>,
    now: i64,
) -> CoreResult<i64> {
    sqlx::query("UPDATE people SET user_id = NULL, updated_at = $3 WHERE user_id = $1 AND household_id <> $2")
        .bind(user_id)
        .bind(household_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    if let Some(row) = sqlx::query("SELECT id FROM people WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(row.get(0));
    }
    let user = sqlx::query("SELECT display_name, phone FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    let (display_name, phone): (String, Option<String>) = (user.get(0), user.get(1));
    let name = if display_name.trim().is_empty() {
        format!("居民{user_id}")
    } else {
        display_name
    };
    let person = match matched_person {
        Some(id) => Some(id),
        None => sqlx::query("SELECT id FROM people WHERE household_id = $1 AND name = $2 AND user_id IS NULL")
            .bind(household_id)
            .bind(&name)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.get(0)),
    };
    if let Some(id) = person {
        sqlx::query("UPDATE people SET user_id = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        return Ok(id);
    }
    // A namesake with an account of their own already lives here: keep both, told apart.
    let taken = sqlx::query("SELECT 1 FROM people WHERE household_id = $1 AND name = $2")
        .bind(household_id)
        .bind(&name)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    let name = if taken { format!("{name}#{user_id}") } else { name };
    let row = sqlx::query(
        "INSERT INTO people (household_id, name, phone, user_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(household_id)
    .bind(name)
    .bind(phone)
    .bind(user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.get(0))
}
