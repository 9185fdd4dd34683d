//! Posting a wish: who it is for (the caller, or a resident staff post for with their consent),
//! whether it waits for review, and its first timeline row, notifications and alerts.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::model::{NewWish, Wish, WishStatus};
use super::query::load;
use super::trail::{self, Step};
use super::{effects, notify};
use crate::audit::{self, Action, Subject};
use crate::config::WishSettings;
use crate::error::{CoreError, CoreResult};
use crate::people::{Caller, user};

/// Whom a wish is for, as checked before it is written.
struct Resident {
    id: i64,
    grid_id: i64,
    /// Whether the grid comes from a verified residence (else from a pending request).
    verified: bool,
    vulnerable: bool,
    /// Posted for them by staff (an admin or their grid's leader), not by them or their family.
    by_staff: bool,
}

/// Posts a wish. `needs_review` comes from the content check; configuration may also require it.
pub async fn create(
    conn: &mut AnyConnection,
    caller: &Caller,
    new: NewWish,
    rules: &WishSettings,
    needs_review: bool,
    now: i64,
) -> CoreResult<Wish> {
    check_category(rules, &new.category)?;
    if !(1..=rules.max_slots).contains(&new.slots) {
        return Err(CoreError::invalid(
            "invalid_field",
            format!("slots: must be 1 to {} (wishes.max_slots)", rules.max_slots),
        ));
    }
    let consent = new.consent_note.as_ref().map(|n| n.as_str()).filter(|n| !n.is_empty());
    let resident = resident_for(conn, caller, new.on_behalf_of, consent.is_some()).await?;
    let status = if needs_review || rules.review_required || !resident.verified {
        WishStatus::PendingReview
    } else {
        WishStatus::Open
    };
    let row = sqlx::query(
        "INSERT INTO wishes (resident_id, created_by, consent_note, grid_id, title, description, category, urgency, \
         due_at, status, created_at, updated_at, opened_at, slots, repeat_every, repeat_until) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, CASE WHEN $10 = 'open' THEN $11 END, $12, $13, $14) \
         RETURNING id",
    )
    .bind(resident.id)
    .bind(caller.user_id)
    .bind(consent)
    .bind(resident.grid_id)
    .bind(new.title.as_str())
    .bind(new.description.as_str())
    .bind(&new.category)
    .bind(new.urgency.as_str())
    .bind(new.due_at)
    .bind(status.as_str())
    .bind(now)
    .bind(i64::from(new.slots))
    .bind(new.repeat.map(|r| r.every.as_str()))
    .bind(new.repeat.and_then(|r| r.until))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.get(0);
    if new.repeat.is_some() {
        // A recurring wish is the first occurrence of its series, named after it.
        sqlx::query("UPDATE wishes SET series_id = id, occurrence = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let wish = load(conn, id).await?;
    // The consent note stays on the wish, shown only to those who may see contact details; the
    // timeline, which everyone who sees the wish can read, does not repeat it.
    let created = Step {
        wish_id: wish.id,
        actor_id: Some(caller.user_id),
        action: "create",
        from: None,
        to: status,
        note: None,
    };
    let leader = trail::leader_of(conn, resident.grid_id).await?;
    let announced = notify::on_created(&wish, leader, caller.user_id, resident.verified);
    trail::record(conn, created, &wish, &announced, now).await?;
    // An unverified resident's urgent wish asks the leader for a quick review (above) instead
    // of alerting the grid's work group: nobody raises alarms in a grid they merely claim.
    if resident.verified {
        effects::on_posted(conn, &wish, resident.vulnerable, now).await?;
    }
    if resident.by_staff {
        let detail = json!({ "title": wish.title, "resident_id": resident.id, "consent_note": consent });
        let fact = Action::WishPostFor.on(Subject::Wish(wish.id)).in_grid(wish.grid_id);
        audit::record(conn, Some(caller), fact.with(detail), now).await?;
    }
    Ok(wish)
}

/// Refuses a category code that is not configured (posting and editing alike).
pub(super) fn check_category(rules: &WishSettings, code: &str) -> CoreResult<()> {
    if !rules.categories.iter().any(|c| c.code == code) {
        return Err(CoreError::invalid(
            "unknown_category",
            format!("category: `{code}` is not one of GET /api/v1/categories"),
        ));
    }
    Ok(())
}

/// The resident a wish is for: the caller, or — for staff or linked family, with the resident's consent — the
/// person named in `on_behalf_of`. They must live in a grid.
async fn resident_for(
    conn: &mut AnyConnection,
    caller: &Caller,
    on_behalf_of: Option<i64>,
    consented: bool,
) -> CoreResult<Resident> {
    let resident_id = on_behalf_of.unwrap_or(caller.user_id);
    let for_someone_else = resident_id != caller.user_id;
    // Whoever may not post for this id hears the same answer whether it exists or not: the
    // permission is decided before (and regardless of) the lookup. Only admins learn "no user".
    let refused = || {
        CoreError::forbidden(
            "not_permitted",
            "only staff may post a wish on someone's behalf (grid leaders: for their own grid)",
        )
    };
    // Linked family may post for their resident, like staff (consent recorded the same way).
    // So may the care visitors of the resident (a visit that finds them in need opens a wish).
    let family = for_someone_else
        && (crate::register::family::is_family(conn, caller.user_id, resident_id).await?
            || crate::register::visit::is_visitor(conn, caller.user_id, resident_id).await?);
    let outsider = for_someone_else && !caller.is_admin() && !family;
    if outsider && caller.led_grids.is_empty() {
        return Err(refused());
    }
    let resident = match user::get(conn, resident_id).await {
        Ok(resident) => resident,
        Err(_) if outsider => return Err(refused()),
        Err(_) => {
            return Err(CoreError::invalid(
                "unknown_user",
                format!("on_behalf_of: no user {resident_id}"),
            ));
        }
    };
    // The grid comes from a verified residence; until then, from the pending request, and the
    // wish waits for that grid's leader.
    let (grid_id, verified) = match resident.grid_id {
        Some(grid_id) => (grid_id, true),
        None => match crate::register::requests::pending_of(conn, resident_id).await? {
            Some(request) => (request.grid_id, false),
            None if outsider => return Err(refused()),
            None => {
                return Err(CoreError::invalid(
                    "grid_required",
                    "the resident has no residence yet: declare it with POST /api/v1/me/residence first",
                ));
            }
        },
    };
    if for_someone_else {
        if !(caller.is_admin() || caller.leads(grid_id) || family) {
            return Err(refused());
        }
        if !consented {
            return Err(CoreError::invalid(
                "consent_required",
                "consent_note: say how the resident agreed",
            ));
        }
    }
    let vulnerable: i64 = sqlx::query("SELECT vulnerable FROM users WHERE id = $1")
        .bind(resident_id)
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    Ok(Resident {
        id: resident_id,
        grid_id,
        verified,
        vulnerable: vulnerable != 0,
        by_staff: for_someone_else && !family,
    })
}
