//! The care register (关爱走访): care categories on a resident, how often they are visited and by
//! whom (party members or volunteers linked to the household, 党员联系户); the grid's care
//! list with last and next visit. Visits are recorded in `visit`, the schedule's rule is `care_due`.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::building::may_manage;
use crate::audit::{self, Action, Subject};
use crate::config::Settings;
use crate::error::{CoreError, CoreResult};
use crate::people::{Caller, Role, user};

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

/// Where a resident's visits stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The next visit is still ahead.
    Ahead,
    /// The visit is due: the visitors are reminded.
    Due,
    /// Due longer than `register.visit_overdue_after`: the leader is alerted.
    Overdue,
}

impl CareEntry {
    /// Where this resident's visits stand at `now`, given the grace before a due visit is overdue.
    pub fn standing(&self, now: i64, grace_ms: i64) -> Standing {
        if now < self.next_due_at {
            Standing::Ahead
        } else if now < self.next_due_at.saturating_add(grace_ms) {
            Standing::Due
        } else {
            Standing::Overdue
        }
    }
}

/// The resident's grid, if the caller manages it.
pub(super) async fn managed_grid(conn: &mut AnyConnection, caller: &Caller, resident_id: i64) -> CoreResult<i64> {
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
    let grid = managed_grid(conn, caller, resident_id).await?;
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
    let detail = json!({ "tags": tags, "visit_every_ms": plan.visit_every_ms, "visitor_ids": plan.visitor_ids });
    let fact = Action::CareSet.on(Subject::User(resident_id)).in_grid(grid);
    audit::record(conn, Some(caller), fact.with(detail), now).await
}

pub(super) const ENTRY: &str = "SELECT c.resident_id, u.display_name, u.address, c.tags, c.visit_every_ms, c.created_at, \
    (SELECT MAX(v.at) FROM visits v WHERE v.resident_id = c.resident_id) AS last_at, \
    (SELECT v.outcome FROM visits v WHERE v.resident_id = c.resident_id ORDER BY v.at DESC, v.id DESC LIMIT 1) AS last_outcome, \
    u.grid_id FROM care_plans c JOIN users u ON u.id = c.resident_id";

pub(super) fn entry(r: &sqlx::any::AnyRow) -> CareEntry {
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

pub(super) async fn visitors_of(conn: &mut AnyConnection, resident_id: i64) -> CoreResult<Vec<i64>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visit_is_ahead_then_due_then_overdue() {
        let e = CareEntry {
            resident_id: 1,
            name: String::new(),
            address: None,
            tags: Vec::new(),
            visit_every_ms: 7,
            visitor_ids: Vec::new(),
            last_visit_at: None,
            last_outcome: None,
            next_due_at: 100,
        };
        assert_eq!(e.standing(99, 10), Standing::Ahead);
        assert_eq!(e.standing(100, 10), Standing::Due);
        assert_eq!(e.standing(109, 10), Standing::Due);
        assert_eq!(e.standing(110, 10), Standing::Overdue);
    }
}
