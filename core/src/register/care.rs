//! The care register (关爱走访): care categories on a resident, how often they are visited and by
//! whom (party members or volunteers linked to the household, 党员联系户); visit records, where
//! "needs help" opens a wish on the resident's behalf in the same transaction; the grid's care
//! list with last and next visit; and the schedule's rule — visitors reminded when a visit falls
//! due, the leader alerted when it is overdue.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::building::may_manage;
use crate::alert::store::NewAlert;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{CoreError, CoreResult};
use crate::fields::{Description, Note, Title};
use crate::notify::NotificationKind;
use crate::outbox::NewNotification;
use crate::people::{Caller, Role, user};
use crate::schedule::Act;
use crate::wish::{NewWish, Urgency, store as wishes};

/// What a leader sets on a resident.
#[derive(Debug, Clone)]
pub struct CarePlan {
    /// Care categories, each one of `register.care_tags`.
    pub tags: Vec<String>,
    /// Visit at least this often, in milliseconds.
    pub visit_every_ms: i64,
    /// Who visits.
    pub visitor_ids: Vec<i64>,
}

/// One resident of a grid's care list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareEntry {
    /// The resident.
    pub resident_id: i64,
    /// Name.
    pub name: String,
    /// Address (the leader sees it: they lead the grid).
    pub address: Option<String>,
    /// Care categories.
    pub tags: Vec<String>,
    /// Visit interval, ms.
    pub visit_every_ms: i64,
    /// Who visits.
    pub visitor_ids: Vec<i64>,
    /// The last visit and its outcome.
    pub last_visit_at: Option<i64>,
    /// ok, needs_help, not_home.
    pub last_outcome: Option<String>,
    /// When the next visit is due (from the last one, or from when care began).
    pub next_due_at: i64,
}

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

/// The resident's grid, if the caller manages it.
async fn managed_grid(conn: &mut AnyConnection, caller: &Caller, resident_id: i64) -> CoreResult<i64> {
    let resident = user::get(conn, resident_id)
        .await
        .map_err(|_| CoreError::NotFound("resident"))?;
    match resident.grid_id {
        Some(g) if may_manage(caller, g) => Ok(g),
        _ => Err(CoreError::NotFound("resident")),
    }
}

/// Sets (replaces) a resident's care record: the leader of their grid, or an admin.
pub async fn set_plan(
    conn: &mut AnyConnection,
    caller: &Caller,
    resident_id: i64,
    plan: &CarePlan,
    settings: &Settings,
    now: i64,
) -> CoreResult<()> {
    managed_grid(conn, caller, resident_id).await?;
    let known = &settings.register.care_tags;
    if let Some(bad) = plan.tags.iter().find(|t| !known.contains(t)) {
        return Err(CoreError::invalid(
            "invalid_field",
            format!("tags: `{bad}` is not one of {}", known.join(", ")),
        ));
    }
    const DAY: i64 = 86_400_000;
    if !(DAY..=366 * DAY).contains(&plan.visit_every_ms) {
        return Err(CoreError::invalid("invalid_field", "visit_every: 1d to 366d"));
    }
    if plan.visitor_ids.len() > 10 {
        return Err(CoreError::invalid("invalid_field", "visitor_ids: at most 10"));
    }
    for visitor in &plan.visitor_ids {
        let roles = user::roles_of(conn, *visitor).await?;
        if !(roles.contains(&Role::Volunteer) || roles.contains(&Role::GridLeader)) || *visitor == resident_id {
            return Err(CoreError::invalid(
                "not_a_volunteer",
                format!("visitor_ids: user {visitor} is not a volunteer or party member"),
            ));
        }
    }
    let mut tags = plan.tags.clone();
    tags.sort();
    tags.dedup();
    sqlx::query(
        "INSERT INTO care_plans (resident_id, tags, visit_every_ms, updated_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (resident_id) DO UPDATE \
         SET tags = $2, visit_every_ms = $3, updated_by = $4, updated_at = $5",
    )
    .bind(resident_id)
    .bind(tags.join(";"))
    .bind(plan.visit_every_ms)
    .bind(caller.user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM care_visitors WHERE resident_id = $1")
        .bind(resident_id)
        .execute(&mut *conn)
        .await?;
    for visitor in &plan.visitor_ids {
        sqlx::query(
            "INSERT INTO care_visitors (resident_id, visitor_id) VALUES ($1, $2) ON CONFLICT (resident_id, visitor_id) DO NOTHING",
        )
        .bind(resident_id)
        .bind(visitor)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

const ENTRY: &str = "SELECT c.resident_id, u.display_name, u.address, c.tags, c.visit_every_ms, c.created_at, \
    (SELECT MAX(v.at) FROM visits v WHERE v.resident_id = c.resident_id) AS last_at, \
    (SELECT v.outcome FROM visits v WHERE v.resident_id = c.resident_id ORDER BY v.at DESC, v.id DESC LIMIT 1) AS last_outcome, \
    u.grid_id FROM care_plans c JOIN users u ON u.id = c.resident_id";

fn entry(r: &sqlx::any::AnyRow) -> CareEntry {
    let tags: String = r.get(3);
    let every: i64 = r.get(4);
    let since: i64 = r.get(5);
    let last: Option<i64> = r.get("last_at");
    CareEntry {
        resident_id: r.get(0),
        name: r.get(1),
        address: r.get(2),
        tags: tags.split(';').filter(|t| !t.is_empty()).map(str::to_string).collect(),
        visit_every_ms: every,
        visitor_ids: Vec::new(),
        last_visit_at: last,
        last_outcome: r.get("last_outcome"),
        next_due_at: last.unwrap_or(since) + every,
    }
}

async fn visitors_of(conn: &mut AnyConnection, resident_id: i64) -> CoreResult<Vec<i64>> {
    let rows = sqlx::query("SELECT visitor_id FROM care_visitors WHERE resident_id = $1 ORDER BY visitor_id")
        .bind(resident_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The care list of a grid (its leader, admins), the soonest due first.
pub async fn of_grid(conn: &mut AnyConnection, caller: &Caller, grid_id: i64) -> CoreResult<Vec<CareEntry>> {
    if !may_manage(caller, grid_id) {
        return Err(CoreError::forbidden(
            "not_permitted",
            format!("only admins and the leader of grid {grid_id} may see its care list"),
        ));
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{ENTRY} WHERE u.grid_id = $1")))
        .bind(grid_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut list: Vec<CareEntry> = rows.iter().map(entry).collect();
    for e in list.iter_mut() {
        e.visitor_ids = visitors_of(conn, e.resident_id).await?;
    }
    list.sort_by_key(|e| (e.next_due_at, e.resident_id));
    Ok(list)
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

/// The schedule's rule: a visit due → a reminder to each visitor (once per due date); due longer
/// than `register.visit_overdue_after` → an alert for the grid's leader (once per due date).
pub async fn due(db: &Db, settings: &Settings, now: i64) -> CoreResult<Vec<Act>> {
    let mut conn = db.pool().acquire().await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{ENTRY} WHERE u.grid_id IS NOT NULL")))
        .fetch_all(&mut *conn)
        .await?;
    let grace = settings.register.visit_overdue_after.as_millis_i64();
    let mut acts = Vec::new();
    for r in &rows {
        let e = entry(r);
        let grid_id: i64 = r.get("grid_id");
        if e.next_due_at > now {
            continue;
        }
        let place = e.address.clone().unwrap_or_default();
        for visitor in visitors_of(&mut conn, e.resident_id).await? {
            acts.push(Act::Send(NewNotification {
                kind: NotificationKind::VisitDue,
                recipient_id: visitor,
                subject_type: "resident",
                subject_id: e.resident_id,
                urgent: false,
                payload: json!({ "resident_id": e.resident_id, "resident_name": e.name, "address": place,
                    "title": format!("走访{}", e.name), "due_at": e.next_due_at }),
                dedupe_key: format!("visit_due:{}:{}:{visitor}", e.resident_id, e.next_due_at),
            }));
        }
        if now >= e.next_due_at + grace {
            let days = (now - e.next_due_at) / 86_400_000;
            let alert = NewAlert {
                kind: "visit_overdue",
                level: 1,
                wish_id: None,
                grid_id,
                unique_key: format!("visit_overdue:{}:{}", e.resident_id, e.next_due_at),
                summary: format!("关爱对象{}的走访已逾期 {} 天", e.name, days.max(1)),
                due_at: None,
            };
            acts.push(Act::Raise {
                alert,
                urgent: false,
                title: format!("走访{}", e.name),
            });
        }
    }
    Ok(acts)
}

/// One resident's care record, as the care list shows it.
pub async fn entry_of(conn: &mut AnyConnection, resident_id: i64) -> CoreResult<CareEntry> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{ENTRY} WHERE c.resident_id = $1")))
        .bind(resident_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound("care record"))?;
    let mut e = entry(&row);
    e.visitor_ids = visitors_of(conn, resident_id).await?;
    Ok(e)
}
