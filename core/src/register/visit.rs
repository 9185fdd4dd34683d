//! Care visits: recorded by the resident's visitors (or the grid's leader); "needs help" opens a
//! wish on the resident's behalf in the same transaction; the visit credits its visitor's hours
//! (`party.visit_minutes`), settles an overdue alert, and the resident's family hear how it went.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::care::managed_grid;
use crate::config::Settings;
use crate::error::{CoreError, CoreResult};
use crate::event::hours::{self, Credit};
use crate::fields::{Description, Note, Title};
use crate::notify::NotificationKind;
use crate::outbox::NewNotification;
use crate::people::{Caller, user};
use crate::wish::{NewWish, Urgency, store as wishes};

/// A visit as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// Id.
    pub id: i64,
    /// The resident.
    pub resident_id: i64,
    /// Who visited.
    pub visitor_id: i64,
    /// ok, needs_help, not_home.
    pub outcome: String,
    /// What they found.
    pub note: String,
    /// The wish opened for a "needs help" visit.
    pub wish_id: Option<i64>,
    /// When.
    pub at: i64,
}

/// Records a visit (a visitor of the resident, the grid's leader, an admin). "needs_help" opens a
/// wish on the resident's behalf, in the same transaction, and its id is on the visit.
pub async fn record_visit(
    conn: &mut AnyConnection,
    caller: &Caller,
    resident_id: i64,
    outcome: &str,
    note: Note,
    settings: &Settings,
    now: i64,
) -> CoreResult<Visit> {
    if !["ok", "needs_help", "not_home"].contains(&outcome) {
        return Err(CoreError::invalid(
            "invalid_field",
            "outcome: ok, needs_help or not_home",
        ));
    }
    let visitor = is_visitor(conn, caller.user_id, resident_id).await?;
    if !visitor && managed_grid(conn, caller, resident_id).await.is_err() {
        return Err(CoreError::NotFound("resident"));
    }
    let resident = user::get(conn, resident_id).await?;
    let grid_id = resident.grid_id.ok_or(CoreError::NotFound("resident"))?;
    let wish_id = if outcome == "needs_help" {
        let new = NewWish {
            title: Title::parse(
                &format!("走访发现{}需要帮助", resident.display_name)
                    .chars()
                    .take(40)
                    .collect::<String>(),
            )?,
            description: Description::parse(note.as_str())?,
            category: settings
                .wishes
                .categories
                .first()
                .map(|c| c.code.clone())
                .unwrap_or_default(),
            urgency: Urgency::Normal,
            repeat: None,
            slots: 1,
            due_at: None,
            on_behalf_of: Some(resident_id),
            consent_note: Some(Note::parse("关爱走访时居民当面提出")?),
        };
        Some(
            wishes::create(conn, caller, new, &settings.wishes, false, now)
                .await?
                .id,
        )
    } else {
        None
    };
    let row = sqlx::query(
        "INSERT INTO visits (resident_id, visitor_id, outcome, note, wish_id, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(resident_id)
    .bind(caller.user_id)
    .bind(outcome)
    .bind(note.as_str())
    .bind(wish_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let visit_id: i64 = row.get(0);
    credit(conn, caller.user_id, visit_id, settings, now).await?;
    tell_family(
        conn,
        resident_id,
        &resident.display_name,
        visit_id,
        outcome,
        note.as_str(),
        wish_id,
        now,
    )
    .await?;
    // A visit settles an overdue alert about this resident.
    sqlx::query(
        "UPDATE alerts SET status = 'resolved', resolved_by = $2, resolved_at = $3, resolution_note = 'visited', \
         updated_at = $3 WHERE kind = 'visit_overdue' AND grid_id = $4 AND unique_key LIKE $1 AND status <> 'resolved'",
    )
    .bind(format!("visit_overdue:{resident_id}:%"))
    .bind(caller.user_id)
    .bind(now)
    .bind(grid_id)
    .execute(&mut *conn)
    .await?;
    Ok(Visit {
        id: visit_id,
        resident_id,
        visitor_id: caller.user_id,
        outcome: outcome.to_string(),
        note: note.into_inner(),
        wish_id,
        at: now,
    })
}

/// Credits the visitor `party.visit_minutes` for the visit in the hours ledger (once per visit).
async fn credit(
    conn: &mut AnyConnection,
    visitor: i64,
    visit_id: i64,
    settings: &Settings,
    now: i64,
) -> CoreResult<()> {
    let minutes = i64::from(settings.party.visit_minutes);
    if minutes > 0 {
        let c = Credit {
            user_id: visitor,
            minutes,
            source: "visit",
            event_id: None,
            wish_id: None,
            visit_id: Some(visit_id),
            unique_key: format!("visit:{visit_id}"),
        };
        hours::credit(conn, &c, now).await?;
    }
    Ok(())
}

/// The resident's linked family hear how a visit went (and of the wish it opened).
#[allow(clippy::too_many_arguments)]
async fn tell_family(
    conn: &mut AnyConnection,
    resident_id: i64,
    name: &str,
    visit_id: i64,
    outcome: &str,
    note: &str,
    wish_id: Option<i64>,
    now: i64,
) -> CoreResult<()> {
    let (zh, en) = match outcome {
        "ok" => ("一切正常", "all is well"),
        "needs_help" => ("需要帮助", "needs help"),
        _ => ("不在家", "not at home"),
    };
    let family = super::family::list(conn, resident_id).await?;
    for link in family.iter().filter(|l| l.resident_id == resident_id) {
        let n = NewNotification {
            kind: NotificationKind::VisitRecorded,
            recipient_id: link.family_id,
            subject_type: "resident",
            subject_id: resident_id,
            urgent: false,
            payload: json!({ "resident_id": resident_id, "resident_name": name, "title": format!("走访{name}"),
                "outcome": outcome, "outcome_text": zh, "outcome_en": en, "note": note, "wish_id": wish_id }),
            dedupe_key: format!("visit:{visit_id}:family:{}", link.family_id),
        };
        crate::outbox::record(conn, &n, now).await?;
    }
    Ok(())
}

/// Whether `user_id` is one of the resident's visitors (who may then post a wish for them).
pub async fn is_visitor(conn: &mut AnyConnection, user_id: i64, resident_id: i64) -> CoreResult<bool> {
    let row = sqlx::query("SELECT 1 FROM care_visitors WHERE resident_id = $1 AND visitor_id = $2")
        .bind(resident_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}
