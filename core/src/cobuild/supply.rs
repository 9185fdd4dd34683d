//! Supply and demand of one grid, per wish category, over a period: the demand (wishes posted in
//! it; of those, still waiting, open past the category's limit, referred to co-building) against
//! the supply (the grid's volunteers with that skill who were active — claimed, fulfilled,
//! attended an event or visited — in the 30 days up to the period's end, and the co-building
//! resources available now in that category). Where to recruit, or which unit to ask. Every
//! count is one statement that runs on both engines; the category limits are applied in Rust.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use super::period::Window;
use crate::config::Settings;
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;

/// How far back a volunteer's last activity may lie for them to count as supply.
pub const ACTIVE_WITHIN_MS: i64 = 30 * 86_400_000;

/// One category's balance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balance {
    /// Category code.
    pub category: String,
    /// Wishes posted in the period.
    pub demand: i64,
    /// Of those, still under review or open.
    pub open: i64,
    /// Of those, open and unclaimed past the category's limit now.
    pub unclaimed_past_sla: i64,
    /// Of those, referred to co-building.
    pub referred: i64,
    /// Volunteers of the grid with this skill, active in the 30 days up to the period's end.
    pub volunteers: i64,
    /// Co-building resources of this category available now.
    pub resources: i64,
}

/// The grid's balance per configured category (every one, in configured order).
pub async fn of_grid(
    conn: &mut AnyConnection,
    caller: &Caller,
    grid_id: i64,
    window: &Window,
    settings: &Settings,
    now: i64,
) -> CoreResult<Vec<Balance>> {
    if !caller.oversees(grid_id) {
        return Err(CoreError::forbidden(
            "not_permitted",
            format!("only admins and the leader of grid {grid_id} read its supply and demand"),
        ));
    }
    crate::people::grid::get(conn, grid_id).await?;
    let mut by: BTreeMap<String, Balance> = BTreeMap::new();
    let rows = sqlx::query(
        "SELECT category, status, opened_at, referred_at FROM wishes WHERE grid_id = $1 AND created_at >= $2 AND created_at < $3",
    )
    .bind(grid_id)
    .bind(window.from)
    .bind(window.to)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let (category, status, opened): (String, String, Option<i64>) = (r.get(0), r.get(1), r.get(2));
        let sla = settings.escalation.sla(&category).as_millis_i64();
        let b = by.entry(category).or_default();
        b.demand += 1;
        b.open += i64::from(status == "open" || status == "pending_review");
        b.unclaimed_past_sla += i64::from(status == "open" && opened.is_some_and(|at| now - at >= sla));
        b.referred += i64::from(r.get::<Option<i64>, _>(3).is_some());
    }
    let end = window.to.min(now);
    for (category, n) in counts(conn, VOLUNTEERS, &[grid_id, end - ACTIVE_WITHIN_MS, end]).await? {
        by.entry(category).or_default().volunteers = n;
    }
    for (category, n) in counts(conn, RESOURCES, &[now]).await? {
        by.entry(category).or_default().resources = n;
    }
    Ok(settings
        .wishes
        .categories
        .iter()
        .map(|c| Balance {
            category: c.code.clone(),
            ..by.remove(&c.code).unwrap_or_default()
        })
        .collect())
}

/// The grid's (`$1`) volunteers with each skill who did something in `[$2, $3)`: claimed (or were
/// assigned) a wish or a slot of one, fulfilled one, checked in at an event, visited someone.
const VOLUNTEERS: &str = "SELECT s.category, COUNT(DISTINCT s.user_id) FROM user_skills s \
     JOIN users u ON u.id = s.user_id JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' \
     WHERE u.grid_id = $1 AND s.user_id IN ( \
       SELECT t.actor_id FROM wish_timeline t WHERE t.action = 'claim' AND t.at >= $2 AND t.at < $3 \
       UNION SELECT w.volunteer_id FROM wishes w WHERE w.claimed_at >= $2 AND w.claimed_at < $3 \
       UNION SELECT w.volunteer_id FROM wishes w WHERE w.fulfilled_at >= $2 AND w.fulfilled_at < $3 \
       UNION SELECT h.volunteer_id FROM wish_holders h WHERE h.claimed_at >= $2 AND h.claimed_at < $3 \
       UNION SELECT a.user_id FROM event_attendance a WHERE a.checked_in_at >= $2 AND a.checked_in_at < $3 \
       UNION SELECT v.visitor_id FROM visits v WHERE v.at >= $2 AND v.at < $3) \
     GROUP BY s.category";

/// Resources on offer at `$1`, by category (the community's: units serve every grid).
const RESOURCES: &str = "SELECT category, COUNT(*) FROM unit_resources WHERE status = 'available' \
     AND COALESCE(available_from, $1) <= $1 AND COALESCE(available_to, $1 + 1) > $1 GROUP BY category";

async fn counts(conn: &mut AnyConnection, sql: &'static str, binds: &[i64]) -> CoreResult<Vec<(String, i64)>> {
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
