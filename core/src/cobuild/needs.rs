//! The needs list (需求清单) of a grid: the wishes still waiting for someone — under review or
//! open, and not yet bundled into a live project — by category, with how many wait past their
//! category's limit and how many are referred to co-building; beside them what the register shows:
//! the people under care by care category, and the visits of the last 30 days that found someone
//! in need. What a leader turns into projects. Its grid's leader and admins read it.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use crate::config::Settings;
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;

/// How far back the list looks for visits that found someone in need.
pub const VISITS_WITHIN_MS: i64 = 30 * 86_400_000;

/// One waiting wish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The wish.
    pub wish_id: i64,
    /// Its title.
    pub title: String,
    /// pending_review or open.
    pub status: String,
    /// Posted, epoch ms.
    pub created_at: i64,
    /// Open and unclaimed longer than its category's limit.
    pub past_sla: bool,
    /// Referred to co-building by the leader.
    pub referred: bool,
    /// Slots still free (several volunteers).
    pub slots_free: i64,
}

/// The waiting wishes of one category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryNeeds {
    /// Category code.
    pub category: String,
    /// The wishes, oldest first.
    pub wishes: Vec<Need>,
}

/// A visit that found someone in need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsHelpVisit {
    /// The visit.
    pub visit_id: i64,
    /// Who was visited.
    pub resident_id: i64,
    /// Their name.
    pub name: String,
    /// When, epoch ms.
    pub at: i64,
    /// What the visitor noted.
    pub note: String,
    /// The wish the visit opened, and its status now.
    pub wish: Option<(i64, String)>,
}

/// A grid's needs list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    /// The grid.
    pub grid_id: i64,
    /// Waiting wishes by category (categories with none left out), in configured order.
    pub categories: Vec<CategoryNeeds>,
    /// People under care by care category (`register.care_tags` order), with how many.
    pub care: Vec<(String, i64)>,
    /// Visits of the last 30 days that found someone in need, newest first.
    pub needs_help: Vec<NeedsHelpVisit>,
}

/// The needs list of `grid_id` as of `now`, for its leader or an admin.
pub async fn of_grid(
    conn: &mut AnyConnection,
    caller: &Caller,
    grid_id: i64,
    settings: &Settings,
    now: i64,
) -> CoreResult<Needs> {
    if !caller.oversees(grid_id) {
        return Err(CoreError::forbidden(
            "not_permitted",
            format!("only admins and the leader of grid {grid_id} read its needs"),
        ));
    }
    crate::people::grid::get(conn, grid_id).await?;
    Ok(Needs {
        grid_id,
        categories: waiting(conn, grid_id, settings, now).await?,
        care: care(conn, caller, grid_id, settings).await?,
        needs_help: visits(conn, grid_id, now).await?,
    })
}

async fn waiting(
    conn: &mut AnyConnection,
    grid_id: i64,
    settings: &Settings,
    now: i64,
) -> CoreResult<Vec<CategoryNeeds>> {
    let rows = sqlx::query(
        "SELECT id, title, status, category, created_at, opened_at, referred_at, slots - slots_taken FROM wishes \
         WHERE grid_id = $1 AND status IN ('pending_review', 'open') AND project_id IS NULL ORDER BY id",
    )
    .bind(grid_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by: BTreeMap<String, Vec<Need>> = BTreeMap::new();
    for r in &rows {
        let (status, category): (String, String) = (r.get(2), r.get(3));
        let opened: Option<i64> = r.get(5);
        let sla = settings.escalation.sla(&category).as_millis_i64();
        let need = Need {
            wish_id: r.get(0),
            title: r.get(1),
            past_sla: status == "open" && opened.is_some_and(|at| now - at >= sla),
            status,
            created_at: r.get(4),
            referred: r.get::<Option<i64>, _>(6).is_some(),
            slots_free: r.get(7),
        };
        by.entry(category).or_default().push(need);
    }
    Ok(settings
        .wishes
        .categories
        .iter()
        .filter_map(|c| {
            by.remove(&c.code).map(|wishes| CategoryNeeds {
                category: c.code.clone(),
                wishes,
            })
        })
        .collect())
}

/// People under care, counted by care category, through the care list's own read.
async fn care(
    conn: &mut AnyConnection,
    caller: &Caller,
    grid_id: i64,
    settings: &Settings,
) -> CoreResult<Vec<(String, i64)>> {
    let list = crate::register::care::of_grid(conn, caller, grid_id).await?;
    Ok(settings
        .register
        .care_tags
        .iter()
        .map(|tag| (tag.clone(), list.iter().filter(|e| e.tags.contains(tag)).count() as i64))
        .filter(|(_, n)| *n > 0)
        .collect())
}

async fn visits(conn: &mut AnyConnection, grid_id: i64, now: i64) -> CoreResult<Vec<NeedsHelpVisit>> {
    let rows = sqlx::query(
        "SELECT v.id, v.resident_id, u.display_name, v.at, v.note, v.wish_id, w.status FROM visits v \
         JOIN users u ON u.id = v.resident_id LEFT JOIN wishes w ON w.id = v.wish_id \
         WHERE u.grid_id = $1 AND v.outcome = 'needs_help' AND v.at >= $2 ORDER BY v.at DESC, v.id DESC",
    )
    .bind(grid_id)
    .bind(now - VISITS_WITHIN_MS)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let wish: Option<i64> = r.get(5);
            NeedsHelpVisit {
                visit_id: r.get(0),
                resident_id: r.get(1),
                name: r.get(2),
                at: r.get(3),
                note: r.get(4),
                wish: wish.map(|id| (id, r.get::<Option<String>, _>(6).unwrap_or_default())),
            }
        })
        .collect())
}
