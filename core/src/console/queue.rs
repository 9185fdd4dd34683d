//! A grid leader's day as one queue: wishes to review, wishes unclaimed past their category's
//! limit, claims overdue, and alerts to acknowledge or resolve — for the grids the caller leads
//! (every grid for admins) — and the volunteers a wish can be given to, by name.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::alert::{Alert, store as alerts};
use crate::config::Settings;
use crate::error::CoreResult;
use crate::people::Caller;

pub use super::section::{After, Section};

/// How many items each section shows on the queue's front page; the rest are a page away.
pub const SECTION_LIMIT: i64 = 20;

/// One wish in the queue, with what a leader needs to decide at a glance. No phone or exact
/// address: the queue is read on a shared office screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueWish {
    /// Id.
    pub id: i64,
    /// Grid id and name.
    pub grid_id: i64,
    /// Grid name.
    pub grid_name: String,
    /// Title.
    pub title: String,
    /// Category code.
    pub category: String,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// The resident's display name.
    pub resident_name: String,
    /// The resident's building.
    pub building: Option<String>,
    /// The volunteer holding it (overdue claims).
    pub volunteer_name: Option<String>,
    /// Since when it has waited in this state, epoch ms (posted, opened, claimed).
    pub since: i64,
    /// Wanted by.
    pub due_at: Option<i64>,
}

/// The whole queue.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    /// Waiting for approval.
    pub to_review: Vec<QueueWish>,
    /// Open past the category's unclaimed limit.
    pub unclaimed: Vec<QueueWish>,
    /// Claimed too long ago, or past the wanted-by time.
    pub overdue: Vec<QueueWish>,
    /// Open alerts (to acknowledge) and acknowledged ones (to resolve).
    pub alerts: Vec<Alert>,
    /// The sections with more than the front page shows.
    pub more: Vec<Section>,
}

impl Queue {
    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.to_review.is_empty() && self.unclaimed.is_empty() && self.overdue.is_empty() && self.alerts.is_empty()
    }
}

/// A volunteer to pick by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteerChoice {
    /// User id.
    pub id: i64,
    /// Display name ('' when never set).
    pub name: String,
    /// Their grid, if any.
    pub grid_id: Option<i64>,
    /// Claims they hold now.
    pub holding: i64,
}

const SELECT: &str = "SELECT w.id, w.grid_id, g.name AS grid_name, w.title, w.category, w.urgency, \
    u.display_name AS resident_name, u.building, v.display_name AS volunteer_name, w.due_at, {since} AS since \
    FROM wishes w JOIN users u ON u.id = w.resident_id JOIN grids g ON g.id = w.grid_id \
    LEFT JOIN users v ON v.id = w.volunteer_id WHERE ";

fn from_row(r: &AnyRow) -> QueueWish {
    QueueWish {
        id: r.get("id"),
        grid_id: r.get("grid_id"),
        grid_name: r.get("grid_name"),
        title: r.get("title"),
        category: r.get("category"),
        urgency: r.get("urgency"),
        resident_name: r.get("resident_name"),
        building: r.get("building"),
        volunteer_name: r.get("volunteer_name"),
        since: r.get::<Option<i64>, _>("since").unwrap_or_default(),
        due_at: r.get("due_at"),
    }
}

/// One page of a section: up to `limit` wishes after `after`, and where the next page starts.
pub async fn page(
    conn: &mut AnyConnection,
    caller: &Caller,
    settings: &Settings,
    now: i64,
    (section, after, limit): (Section, Option<After>, i64),
) -> CoreResult<(Vec<QueueWish>, Option<After>)> {
    let Some(scope) = super::scope(caller, "w.grid_id") else {
        return Ok((Vec::new(), None));
    };
    let esc = &settings.escalation;
    // The shortest limit of any category bounds the scan; each wish is then held to its own.
    let (since, filter, binds) = match section {
        Section::Review => ("w.created_at", "w.status = 'pending_review'", [0, 0]),
        // Wishes referred to co-building (or bundled into a project) wait for a project, not a
        // volunteer: they are on the grid's needs list instead.
        Section::Unclaimed => (
            "w.opened_at",
            "w.status = 'open' AND w.referred_at IS NULL AND w.project_id IS NULL AND w.opened_at <= $3",
            [now - esc.shortest_sla_ms(), 0],
        ),
        Section::Overdue => (
            "w.claimed_at",
            "w.status = 'claimed' AND (w.claimed_at <= $3 OR w.due_at <= $4)",
            [now - esc.claim_overdue_after.as_millis_i64(), now],
        ),
    };
    // Every section binds $3 and $4 (PostgreSQL refuses a parameter its statement never uses).
    let sql = format!(
        "{}{scope} AND {filter} AND ({since} > $1 OR ({since} = $1 AND w.id > $2)) \
         AND $3 = $3 AND $4 = $4 ORDER BY {since}, w.id LIMIT $5",
        SELECT.replace("{since}", since)
    );
    let after = after.unwrap_or(After { since: i64::MIN, id: 0 });
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after.since)
        .bind(after.id)
        .bind(binds[0])
        .bind(binds[1])
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut wishes: Vec<QueueWish> = rows.iter().map(from_row).collect();
    let next = (wishes.len() as i64 == limit)
        .then(|| {
            wishes.last().map(|w| After {
                since: w.since,
                id: w.id,
            })
        })
        .flatten();
    if section == Section::Unclaimed {
        wishes.retain(|w| now - w.since >= esc.sla(&w.category).as_millis_i64());
    }
    Ok((wishes, next))
}

/// Alerts waiting on the caller — open (to acknowledge), then acknowledged (to resolve) — newest
/// first, up to `limit` each.
pub async fn alerts_waiting(conn: &mut AnyConnection, caller: &Caller, limit: i64) -> CoreResult<Vec<Alert>> {
    if !caller.is_admin() && caller.led_grids.is_empty() {
        return Ok(Vec::new());
    }
    let mut list = alerts::list(conn, caller, Some("open"), None, limit).await?;
    list.extend(alerts::list(conn, caller, Some("acknowledged"), None, limit).await?);
    Ok(list)
}

/// The front page of the queue: each section's first [`SECTION_LIMIT`], and whether more follow.
pub async fn load(conn: &mut AnyConnection, caller: &Caller, settings: &Settings, now: i64) -> CoreResult<Queue> {
    let mut queue = Queue::default();
    for section in [Section::Review, Section::Unclaimed, Section::Overdue] {
        let (wishes, next) = page(conn, caller, settings, now, (section, None, SECTION_LIMIT)).await?;
        if next.is_some() {
            queue.more.push(section);
        }
        match section {
            Section::Review => queue.to_review = wishes,
            Section::Unclaimed => queue.unclaimed = wishes,
            Section::Overdue => queue.overdue = wishes,
        }
    }
    queue.alerts = alerts_waiting(conn, caller, 100).await?;
    Ok(queue)
}

/// Every volunteer, by name, with the claims each holds now — slots of wishes for several
/// volunteers included, as the open-claims limit counts them — so a leader spreads the load.
pub async fn volunteers(conn: &mut AnyConnection) -> CoreResult<Vec<VolunteerChoice>> {
    let sql = format!(
        "SELECT u.id, u.display_name, u.grid_id, {} AS holding \
         FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' \
         ORDER BY u.display_name, u.id LIMIT 1000",
        crate::wish::HELD_BY.replace("{v}", "u.id")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
    Ok(rows
        .iter()
        .map(|r| VolunteerChoice {
            id: r.get(0),
            name: r.get(1),
            grid_id: r.get(2),
            holding: r.get(3),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::Role;

    fn caller(roles: &[Role], led: &[i64]) -> Caller {
        Caller {
            user_id: 1,
            roles: roles.to_vec(),
            led_grids: led.to_vec(),
        }
    }

    #[test]
    fn the_queue_covers_the_led_grids_or_everything_for_admins() {
        assert_eq!(
            crate::console::scope(&caller(&[Role::Admin], &[]), "w.grid_id").as_deref(),
            Some("1 = 1")
        );
        assert_eq!(
            crate::console::scope(&caller(&[Role::GridLeader], &[3, 5]), "w.grid_id").as_deref(),
            Some("w.grid_id IN (3, 5)")
        );
        assert_eq!(
            crate::console::scope(&caller(&[Role::GridLeader], &[]), "w.grid_id"),
            None
        );
        // A grid left over from a role since taken away counts for nothing.
        assert_eq!(
            crate::console::scope(&caller(&[Role::Resident], &[3]), "w.grid_id"),
            None
        );
    }
}
