//! Writing wishes: posting one and applying transitions. (Reads live in `query`, re-exported here.)
//! Wish store functions. Writers take `&mut AnyConnection` (a transaction, usually from
//! [`Db::begin_write`](crate::Db::begin_write)) so the change, its timeline row and its outbox
//! rows commit together; the same SQL runs on SQLite and PostgreSQL.

use sqlx::{AnyConnection, Row};

use super::access::{can_see, capacities};
use super::machine::{Action, Refusal, transition_any};
use super::model::{NewWish, Wish, WishStatus};
use super::notify::{self, Announcement};
pub use super::query::{get, list, load, timeline};
use crate::alert::store::{self as alerts, NewAlert};
use crate::config::{Settings, WishSettings};
use crate::error::{CoreError, CoreResult};
use crate::outbox::{self, NewNotification};
use crate::people::{Caller, Role, user};

/// The leader of a grid, if any.
async fn leader_of(conn: &mut AnyConnection, grid_id: i64) -> CoreResult<Option<i64>> {
    let row = sqlx::query("SELECT leader_user_id FROM grids WHERE id = $1")
        .bind(grid_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.and_then(|r| r.get("leader_user_id")))
}

/// One step of a wish's life, as the timeline records it.
struct Step<'a> {
    wish_id: i64,
    actor_id: Option<i64>,
    action: &'a str,
    from: Option<WishStatus>,
    to: WishStatus,
    note: Option<&'a str>,
}

async fn append_timeline(conn: &mut AnyConnection, step: Step<'_>, now: i64) -> CoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO wish_timeline (wish_id, at, actor_id, action, from_status, to_status, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(step.wish_id)
    .bind(now)
    .bind(step.actor_id)
    .bind(step.action)
    .bind(step.from.map(WishStatus::as_str))
    .bind(step.to.as_str())
    .bind(step.note)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.get(0))
}

/// Records the announcements of one timeline step in the outbox.
async fn announce(conn: &mut AnyConnection, wish: &Wish, step: i64, list: &[Announcement], now: i64) -> CoreResult<()> {
    for a in list {
        let payload = serde_json::json!({
            "wish_id": wish.id,
            "title": wish.title,
            "status": wish.status.as_str(),
            "grid_id": wish.grid_id,
            "urgency": wish.urgency.as_str(),
            "category": wish.category,
        });
        let n = NewNotification {
            kind: a.kind,
            recipient_id: a.recipient_id,
            subject_type: "wish",
            subject_id: wish.id,
            urgent: a.urgent,
            payload,
            dedupe_key: format!("wish:{}:step:{step}:{}:{}", wish.id, a.kind, a.recipient_id),
        };
        outbox::record(conn, &n, now).await?;
    }
    Ok(())
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
    if !rules.categories.iter().any(|c| c.code == new.category) {
        return Err(CoreError::invalid(
            "unknown_category",
            format!("category: `{}` is not one of GET /api/v1/categories", new.category),
        ));
    }
    let resident_id = new.on_behalf_of.unwrap_or(caller.user_id);
    let resident = user::get(conn, resident_id)
        .await
        .map_err(|_| CoreError::invalid("unknown_user", format!("on_behalf_of: no user {resident_id}")))?;
    let grid_id = resident.grid_id.ok_or_else(|| {
        CoreError::invalid(
            "grid_required",
            "the resident has no grid yet: set grid_id with PUT /api/v1/me first",
        )
    })?;
    let consent = new.consent_note.as_ref().map(|n| n.as_str()).filter(|n| !n.is_empty());
    if resident_id != caller.user_id {
        if !(caller.is_admin() || caller.leads(grid_id)) {
            return Err(CoreError::forbidden(
                "not_permitted",
                "only staff may post a wish on someone's behalf",
            ));
        }
        if consent.is_none() {
            return Err(CoreError::invalid(
                "consent_required",
                "consent_note: say how the resident agreed",
            ));
        }
    }
    let status = if needs_review || rules.review_required {
        WishStatus::PendingReview
    } else {
        WishStatus::Open
    };
    let row = sqlx::query(
        "INSERT INTO wishes (resident_id, created_by, consent_note, grid_id, title, description, category, urgency, \
         due_at, status, created_at, updated_at, opened_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, CASE WHEN $10 = 'open' THEN $11 END) RETURNING id",
    )
    .bind(resident_id)
    .bind(caller.user_id)
    .bind(consent)
    .bind(grid_id)
    .bind(new.title.as_str())
    .bind(new.description.as_str())
    .bind(&new.category)
    .bind(new.urgency.as_str())
    .bind(new.due_at)
    .bind(status.as_str())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let wish = load(conn, row.get(0)).await?;
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
    let step = append_timeline(conn, created, now).await?;
    let leader = leader_of(conn, grid_id).await?;
    announce(
        conn,
        &wish,
        step,
        &notify::on_created(&wish, leader, caller.user_id),
        now,
    )
    .await?;
    let vulnerable: i64 = sqlx::query("SELECT vulnerable FROM users WHERE id = $1")
        .bind(resident_id)
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    if wish.urgency == super::Urgency::Urgent || vulnerable != 0 {
        let (kind, why) = if wish.urgency == super::Urgency::Urgent {
            ("urgent", "紧急心愿")
        } else {
            ("vulnerable", "重点关照居民的心愿")
        };
        let alert = NewAlert {
            kind,
            level: 1,
            wish_id: Some(wish.id),
            grid_id,
            unique_key: format!("{kind}:{}", wish.id),
            summary: format!("{why}：「{}」", wish.title),
            due_at: None,
        };
        alerts::raise(conn, &alert, true, &wish.title, now).await?;
    }
    Ok(wish)
}

/// What a transition carries besides its action.
#[derive(Debug, Clone, Default)]
pub struct ChangeInput {
    /// Reason, note or comment.
    pub note: Option<String>,
    /// Rating 1–5 (confirm).
    pub rating: Option<i64>,
    /// The volunteer to assign (assign).
    pub volunteer_id: Option<i64>,
}

/// Applies one transition on behalf of `caller` (`None` = the system): decides it with the pure
/// state machine, writes it with a guarded update, appends the timeline and records the outbox
/// rows. Run it inside a write transaction.
pub async fn apply(
    conn: &mut AnyConnection,
    caller: Option<&Caller>,
    id: i64,
    action: Action,
    input: ChangeInput,
    settings: &Settings,
    now: i64,
) -> CoreResult<Wish> {
    let rules = &settings.wishes;
    let before = load(conn, id).await?;
    let actors = match caller {
        Some(c) if !can_see(c, &before) => return Err(CoreError::NotFound("wish")),
        Some(c) => capacities(c, &before),
        None => vec![super::Actor::System],
    };
    let to = transition_any(before.status, action, &actors).map_err(|r| refusal(r, action, &before))?;
    let actor_id = caller.map(|c| c.user_id);
    let mut after = before.clone();
    after.status = to;
    after.updated_at = now;
    match action {
        Action::Claim => {
            let me = actor_id.unwrap_or_default();
            check_claim_limit(conn, me, rules).await?;
            after.volunteer_id = Some(me);
            after.claimed_at = Some(now);
        }
        Action::Assign => {
            let volunteer = input
                .volunteer_id
                .ok_or_else(|| CoreError::invalid("invalid_field", "volunteer_id: required"))?;
            let roles = user::roles_of(conn, volunteer).await?;
            if !roles.contains(&Role::Volunteer) {
                return Err(CoreError::invalid(
                    "not_a_volunteer",
                    format!("volunteer_id: user {volunteer} is not a volunteer"),
                ));
            }
            if volunteer == before.resident_id {
                return Err(CoreError::invalid(
                    "not_a_volunteer",
                    "volunteer_id: a resident cannot fulfil their own wish",
                ));
            }
            check_claim_limit(conn, volunteer, rules).await?;
            after.volunteer_id = Some(volunteer);
            after.claimed_at = Some(now);
        }
        Action::Release => {
            require_note(&input, "reason")?;
            after.volunteer_id = None;
            after.claimed_at = None;
        }
        Action::Reject => require_note(&input, "reason")?,
        Action::Fulfil => {
            after.fulfilled_at = Some(now);
            after.fulfil_note = input.note.clone();
        }
        Action::Confirm => {
            let rating = input.rating.filter(|r| (1..=5).contains(r));
            after.rating = Some(rating.ok_or_else(|| CoreError::invalid("invalid_field", "rating: must be 1 to 5"))?);
            after.rating_comment = input.note.clone();
            after.closed_at = Some(now);
        }
        Action::AutoClose => after.closed_at = Some(now),
        Action::Approve | Action::Cancel => {}
    }
    if matches!(action, Action::Reject | Action::Release | Action::Cancel) {
        after.status_reason = input.note.clone();
    }
    let updated = sqlx::query(
        "UPDATE wishes SET status = $3, volunteer_id = $4, claimed_at = $5, fulfilled_at = $6, fulfil_note = $7, \
         closed_at = $8, rating = $9, rating_comment = $10, status_reason = $11, updated_at = $12, \
         opened_at = CASE WHEN $3 = 'open' THEN $12 ELSE opened_at END WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(before.status.as_str())
    .bind(after.status.as_str())
    .bind(after.volunteer_id)
    .bind(after.claimed_at)
    .bind(after.fulfilled_at)
    .bind(after.fulfil_note.clone())
    .bind(after.closed_at)
    .bind(after.rating)
    .bind(after.rating_comment.clone())
    .bind(after.status_reason.clone())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        // Someone else changed the wish between our read and our write: a lost race.
        return Err(refusal(Refusal::WrongStatus, action, &after));
    }
    let note = input.note.as_deref().filter(|n| !n.is_empty());
    let changed = Step {
        wish_id: id,
        actor_id,
        action: action.as_str(),
        from: Some(before.status),
        to,
        note,
    };
    let step = append_timeline(conn, changed, now).await?;
    announce(
        conn,
        &after,
        step,
        &notify::on_transition(&before, &after, action, actor_id),
        now,
    )
    .await?;
    follow_up_alerts(conn, &after, action, settings, now).await?;
    Ok(after)
}

/// What a transition does to the wish's alerts: a claim or a cancel ends "unclaimed", a
/// fulfilment ends "overdue", and a rating of 2 or less opens a callback (回访) for the leader.
async fn follow_up_alerts(
    conn: &mut AnyConnection,
    wish: &Wish,
    action: Action,
    settings: &Settings,
    now: i64,
) -> CoreResult<()> {
    let ends: &[&str] = match action {
        Action::Claim | Action::Assign => &["unclaimed", "unclaimed_escalated"],
        Action::Fulfil => &["overdue_claim"],
        Action::Cancel | Action::Reject => &["unclaimed", "unclaimed_escalated", "overdue_claim"],
        _ => &[],
    };
    if !ends.is_empty() {
        alerts::resolve_for_wish(conn, wish.id, ends, action.as_str(), now).await?;
    }
    if action == Action::Confirm && wish.rating.is_some_and(|r| r <= 2) {
        let alert = NewAlert {
            kind: "callback",
            level: 1,
            wish_id: Some(wish.id),
            grid_id: wish.grid_id,
            unique_key: format!("callback:{}", wish.id),
            summary: format!(
                "心愿「{}」获得 {} 星评价，请回访",
                wish.title,
                wish.rating.unwrap_or_default()
            ),
            due_at: Some(now + settings.escalation.callback_within.as_millis_i64()),
        };
        alerts::raise(conn, &alert, false, &wish.title, now).await?;
    }
    Ok(())
}

fn require_note(input: &ChangeInput, field: &str) -> CoreResult<()> {
    match input.note.as_deref() {
        Some(n) if !n.trim().is_empty() => Ok(()),
        _ => Err(CoreError::invalid("invalid_field", format!("{field}: required"))),
    }
}

fn refusal(refusal: Refusal, action: Action, wish: &Wish) -> CoreError {
    match (refusal, action) {
        (Refusal::NotPermitted, Action::Claim) => {
            CoreError::forbidden("not_permitted", "only volunteers may claim wishes, and not their own")
        }
        (Refusal::NotPermitted, _) => {
            CoreError::forbidden("not_permitted", format!("you may not {} this wish", action.as_str()))
        }
        (Refusal::WrongStatus, Action::Claim) => {
            CoreError::conflict("claim_lost", "this wish has already been claimed")
        }
        (Refusal::WrongStatus, _) => CoreError::conflict(
            "invalid_transition",
            format!("cannot {} a wish that is {}", action.as_str(), wish.status.as_str()),
        ),
    }
}

/// Refuses a claim past the configured number of open claims. Touching the volunteer's row
/// first serialises their concurrent claims on both engines, so the count cannot be raced.
async fn check_claim_limit(conn: &mut AnyConnection, volunteer: i64, rules: &WishSettings) -> CoreResult<()> {
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(volunteer)
        .execute(&mut *conn)
        .await?;
    let held: i64 = sqlx::query("SELECT COUNT(*) FROM wishes WHERE volunteer_id = $1 AND status = 'claimed'")
        .bind(volunteer)
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    if held >= i64::from(rules.max_open_claims) {
        return Err(CoreError::conflict(
            "claim_limit",
            format!(
                "you already hold {held} open claims (the limit is {}): fulfil or release one first",
                rules.max_open_claims
            ),
        ));
    }
    Ok(())
}
