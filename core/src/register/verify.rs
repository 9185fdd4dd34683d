//! Verifying a residence: filing a request (verified at once by a phone match or the filer's
//! authority), the leader's approve and reject, and what a verified residence sets on the account
//! (grid, household, building, address). Writers run inside the caller's transaction; the request
//! rows themselves are read through `requests`.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::building::{self, may_manage};
use super::fields::{Room, Unit};
use super::household;
use super::requests::{ResidenceRequest, get, pending_of};
use super::residence::{self, Decision, Method, RequestStatus};
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult};
use crate::fields::Note;
use crate::people::{Caller, grid};

/// Where someone says they live.
#[derive(Debug, Clone)]
pub enum Place {
    /// Only a grid (the older `PUT /me {"grid_id"}`).
    Grid(i64),
    /// A room of a building, optionally in a unit.
    Room {
        /// Building.
        building_id: i64,
        /// Unit, when the building has several with the same room numbers.
        unit: Option<Unit>,
        /// Room.
        room: Room,
    },
}

/// The register person whose phone is `user_id`'s WeChat-verified phone, in that household (or,
/// for a grid-only request, anywhere in that grid), and not already another account's.
async fn phone_match(
    conn: &mut AnyConnection,
    user_id: i64,
    grid_id: i64,
    household_id: Option<i64>,
) -> CoreResult<Option<(i64, i64)>> {
    let row = sqlx::query(
        "SELECT p.id, p.household_id FROM users u JOIN people p ON p.phone = u.phone \
         JOIN households h ON h.id = p.household_id JOIN buildings b ON b.id = h.building_id \
         WHERE u.id = $1 AND u.phone_verified = 1 AND b.grid_id = $2 AND ($3 = 0 OR p.household_id = $3) \
         AND (p.user_id IS NULL OR p.user_id = $1) ORDER BY p.id LIMIT 1",
    )
    .bind(user_id)
    .bind(grid_id)
    .bind(household_id.unwrap_or(0))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| (r.get(0), r.get(1))))
}

/// Files a request for `user_id` (the caller, or an offline resident a leader registers). A
/// newer request replaces a pending older one.
pub async fn file(
    conn: &mut AnyConnection,
    caller: &Caller,
    user_id: i64,
    place: Place,
    now: i64,
) -> CoreResult<ResidenceRequest> {
    let (grid_id, building_id, unit, room, household_id) = match &place {
        Place::Grid(grid_id) => {
            grid::get(conn, *grid_id)
                .await
                .map_err(|_| CoreError::invalid("unknown_grid", format!("grid_id: no grid {grid_id}")))?;
            (*grid_id, None, None, None, None)
        }
        Place::Room {
            building_id,
            unit,
            room,
        } => {
            let b = building::get(conn, *building_id).await.map_err(|_| {
                CoreError::invalid("unknown_building", format!("building_id: no building {building_id}"))
            })?;
            let household = household::find(conn, b.id, unit.as_ref(), room).await?;
            let unit = unit.as_ref().map(|u| u.as_str().to_string());
            (b.grid_id, Some(b.id), unit, Some(room.as_str().to_string()), household)
        }
    };
    // A room the register lacks cannot be matched: a phone found elsewhere does not say the
    // caller lives where they said. Such a request waits for the leader.
    let unknown_room = building_id.is_some() && household_id.is_none();
    let matched = match unknown_room {
        true => None,
        false => phone_match(conn, user_id, grid_id, household_id).await?,
    };
    let (status, method) = residence::on_filing(matched.is_some(), may_manage(caller, grid_id));
    sqlx::query(
        "UPDATE residence_requests SET status = 'withdrawn', updated_at = $2 WHERE user_id = $1 AND status = 'pending'",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let decided = (status == RequestStatus::Verified).then_some(now);
    let row = sqlx::query(
        "INSERT INTO residence_requests (user_id, grid_id, building_id, unit, room, household_id, status, method, \
         decided_by, decided_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(user_id)
    .bind(grid_id)
    .bind(building_id)
    .bind(unit)
    .bind(room)
    .bind(matched.map(|(_, h)| h).or(household_id))
    .bind(status.as_str())
    .bind(method.map(Method::as_str))
    .bind(decided.map(|_| caller.user_id))
    .bind(decided)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let request = get(conn, row.get(0)).await?;
    if status == RequestStatus::Verified {
        settle(conn, &request, matched.map(|(p, _)| p), now).await?;
    }
    super::announce::sync(conn, user_id, now).await?;
    get(conn, request.id).await
}

/// Tries a pending request of `user_id` again, after their phone was verified by WeChat.
pub async fn recheck_phone(conn: &mut AnyConnection, user_id: i64, now: i64) -> CoreResult<Option<ResidenceRequest>> {
    let Some(pending) = pending_of(conn, user_id).await? else {
        return Ok(None);
    };
    if pending.building_id.is_some() && pending.household_id.is_none() {
        return Ok(None);
    }
    let Some((person, household)) = phone_match(conn, user_id, pending.grid_id, pending.household_id).await? else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE residence_requests SET status = 'verified', method = 'phone', household_id = $2, decided_by = $3, \
         decided_at = $4, updated_at = $4 WHERE id = $1 AND status = 'pending'",
    )
    .bind(pending.id)
    .bind(household)
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let request = get(conn, pending.id).await?;
    settle(conn, &request, Some(person), now).await?;
    super::announce::sync(conn, user_id, now).await?;
    get(conn, pending.id).await.map(Some)
}

/// Approves or rejects a pending request (the leader of its grid, or an admin).
pub async fn decide(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    decision: Decision,
    reason: Option<Note>,
    now: i64,
) -> CoreResult<ResidenceRequest> {
    let before = get(conn, id).await?;
    if !may_manage(caller, before.grid_id) {
        return Err(CoreError::NotFound("residence request"));
    }
    let reason = reason.map(Note::into_inner).filter(|r| !r.is_empty());
    if decision == Decision::Reject && reason.is_none() {
        return Err(CoreError::invalid("invalid_field", "reason: required"));
    }
    let to = residence::decide(before.status, decision).ok_or_else(|| {
        CoreError::conflict(
            "invalid_transition",
            format!("this request is {}, not pending", before.status),
        )
    })?;
    let method = (to == RequestStatus::Verified).then_some(Method::Leader.as_str());
    let updated = sqlx::query(
        "UPDATE residence_requests SET status = $2, method = $3, reason = $4, decided_by = $5, decided_at = $6, \
         updated_at = $6 WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(to.as_str())
    .bind(method)
    .bind(reason)
    .bind(caller.user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(CoreError::conflict(
            "invalid_transition",
            "this request was decided meanwhile",
        ));
    }
    let after = get(conn, id).await?;
    if to == RequestStatus::Verified {
        settle(conn, &after, None, now).await?;
    }
    super::announce::sync(conn, after.user_id, now).await?;
    let action = match decision {
        Decision::Approve => Action::ResidenceApprove,
        Decision::Reject => Action::ResidenceReject,
    };
    let detail = json!({ "user_id": after.user_id, "room": after.room, "reason": after.reason });
    let fact = action.on(Subject::ResidenceRequest(id)).in_grid(after.grid_id);
    audit::record(conn, Some(caller), fact.with(detail), now).await?;
    get(conn, id).await
}

/// What a verified residence sets: the account's grid, its household (created if the leader
/// approved a room the register lacked) with the person linked, and building and address.
async fn settle(
    conn: &mut AnyConnection,
    request: &ResidenceRequest,
    matched_person: Option<i64>,
    now: i64,
) -> CoreResult<()> {
    let household = match (request.household_id, request.building_id, request.room.as_deref()) {
        (Some(h), _, _) => Some(h),
        (None, Some(b), Some(room)) => {
            Some(household::find_or_create(conn, b, request.unit.as_deref().unwrap_or(""), room, now).await?)
        }
        _ => None,
    };
    let (building, address) = match household {
        Some(h) => {
            household::link_account(conn, h, request.user_id, matched_person, now).await?;
            let (b, a) = household::address(conn, h).await?;
            (Some(b), Some(a))
        }
        None => (None, None),
    };
    sqlx::query(
        "UPDATE users SET grid_id = $2, household_id = $3, building = COALESCE($4, building), \
         address = COALESCE($5, address), updated_at = $6 WHERE id = $1",
    )
    .bind(request.user_id)
    .bind(request.grid_id)
    .bind(household)
    .bind(building)
    .bind(address)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE residence_requests SET household_id = $2 WHERE id = $1")
        .bind(request.id)
        .bind(household)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
