//! Residents without a smartphone (no WeChat account): a grid leader registers them with name,
//! phone and household, so they exist in the system — leaders and linked family post for them,
//! and their news goes to their family or becomes the leader's phone call.

use rand::RngCore;
use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::building::{self, may_manage};
use super::fields::{Room, Unit};
use super::verify::{self, Place};
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult};
use crate::fields::{DisplayName, Phone};
use crate::people::{Caller, Role, user};

/// Registers an offline resident in a household of a grid the caller manages; the residence is
/// verified by the caller's authority. Returns the new account's id.
pub async fn register(
    conn: &mut AnyConnection,
    caller: &Caller,
    name: DisplayName,
    phone: Phone,
    place: Place,
    now: i64,
) -> CoreResult<i64> {
    let Place::Room { building_id, .. } = &place else {
        return Err(CoreError::invalid("invalid_field", "building_id: required"));
    };
    let b = building::get(conn, *building_id)
        .await
        .map_err(|_| CoreError::invalid("unknown_building", format!("building_id: no building {building_id}")))?;
    if !may_manage(caller, b.grid_id) {
        return Err(CoreError::forbidden(
            "not_permitted",
            "only the grid's leader and admins may register residents",
        ));
    }
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    // A placeholder no WeChat login can ever produce (real openids have no colon).
    let openid = format!("offline:{}", hex::encode(bytes));
    let row = sqlx::query(
        "INSERT INTO users (openid, display_name, phone, offline, created_at, updated_at) \
         VALUES ($1, $2, $3, 1, $4, $4) RETURNING id",
    )
    .bind(&openid)
    .bind(name.as_str())
    .bind(phone.as_str())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.get(0);
    user::grant(conn, id, Role::Resident).await?;
    // A room the register lacks is added: the leader vouches for it.
    if let Place::Room {
        building_id,
        unit,
        room,
    } = &place
    {
        let unit_text = unit.as_ref().map_or("", Unit::as_str);
        if super::household::find(conn, *building_id, unit.as_ref(), room)
            .await?
            .is_none()
        {
            super::household::find_or_create(conn, *building_id, unit_text, Room::as_str(room), now).await?;
        }
    }
    verify::file(conn, caller, id, place, now).await?;
    let fact = Action::ResidentRegister.on(Subject::User(id)).in_grid(b.grid_id);
    audit::record(
        conn,
        Some(caller),
        fact.with(json!({ "name": name.as_str(), "building": b.name })),
        now,
    )
    .await?;
    Ok(id)
}
