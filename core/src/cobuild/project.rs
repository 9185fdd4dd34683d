//! Projects (项目清单) as stored and read: one grid's wishes matched to one unit's resource, with
//! who may see them — admins, the leader of the project's grid, the unit's contact — and their
//! timelines.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::machine::{ProjectActor, ProjectStatus};
use crate::error::{CoreError, CoreResult};
use crate::people::{Caller, Role};
use crate::wish::TimelineEntry;

/// A project as stored, with its unit's and resource's names and its wishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Id.
    pub id: i64,
    /// The grid whose wishes it serves.
    pub grid_id: i64,
    /// The co-building unit serving them.
    pub unit_id: i64,
    /// The unit's name.
    pub unit_name: String,
    /// The unit's resource it uses.
    pub resource_id: i64,
    /// The resource's title.
    pub resource_title: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: ProjectStatus,
    /// The leader who proposed it.
    pub proposed_by: i64,
    /// Why it was declined.
    pub reason: Option<String>,
    /// Proposed, agreed, delivered, declined (epoch ms).
    pub created_at: i64,
    /// When the unit agreed.
    pub agreed_at: Option<i64>,
    /// When it was delivered.
    pub delivered_at: Option<i64>,
    /// When it was declined.
    pub declined_at: Option<i64>,
    /// The wishes it bundles, by id.
    pub wish_ids: Vec<i64>,
    /// What the unit was credited on delivery: (services, minutes).
    pub credit: Option<(i64, i64)>,
}

/// What a list of projects is filtered by.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    /// One grid.
    pub grid_id: Option<i64>,
    /// One status.
    pub status: Option<ProjectStatus>,
}

const SELECT: &str = "SELECT p.id, p.grid_id, p.unit_id, u.name AS unit_name, p.resource_id, r.title AS resource_title, \
     p.title, p.status, p.proposed_by, p.reason, p.created_at, p.agreed_at, p.delivered_at, p.declined_at, \
     c.services, c.minutes, u.contact_user_id \
     FROM projects p JOIN cobuild_units u ON u.id = p.unit_id JOIN unit_resources r ON r.id = p.resource_id \
     LEFT JOIN unit_credits c ON c.project_id = p.id";

fn from_row(r: &AnyRow) -> Project {
    let services: Option<i64> = r.get("services");
    Project {
        id: r.get("id"),
        grid_id: r.get("grid_id"),
        unit_id: r.get("unit_id"),
        unit_name: r.get("unit_name"),
        resource_id: r.get("resource_id"),
        resource_title: r.get("resource_title"),
        title: r.get("title"),
        status: r.get::<String, _>("status").parse().unwrap_or(ProjectStatus::Declined),
        proposed_by: r.get("proposed_by"),
        reason: r.get("reason"),
        created_at: r.get("created_at"),
        agreed_at: r.get("agreed_at"),
        delivered_at: r.get("delivered_at"),
        declined_at: r.get("declined_at"),
        wish_ids: Vec::new(),
        credit: services.map(|s| (s, r.get::<Option<i64>, _>("minutes").unwrap_or(0))),
    }
}

/// Refuses, before anything is looked up, a caller who could never see any project: someone
/// who is neither an admin, nor a grid leader, nor the contact of a unit. Answers the units the
/// caller is the contact of.
pub(super) async fn may_see_any(conn: &mut AnyConnection, caller: &Caller) -> CoreResult<Vec<i64>> {
    let units = super::unit::contacts(conn, caller.user_id).await?;
    if caller.is_admin() || caller.has(Role::GridLeader) || !units.is_empty() {
        return Ok(units);
    }
    Err(CoreError::forbidden(
        "not_permitted",
        "only admins, grid leaders and co-building units' contacts see projects",
    ))
}

/// Fills in the wishes of these projects, in one query.
async fn with_wishes(conn: &mut AnyConnection, projects: &mut [Project]) -> CoreResult<()> {
    if projects.is_empty() {
        return Ok(());
    }
    let list = (1..=projects.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT project_id, wish_id FROM project_wishes WHERE project_id IN ({list}) ORDER BY wish_id");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in projects.iter() {
        query = query.bind(p.id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    for p in projects.iter_mut() {
        p.wish_ids = rows
            .iter()
            .filter(|r| r.get::<i64, _>(0) == p.id)
            .map(|r| r.get(1))
            .collect();
    }
    Ok(())
}

/// The project with this id, without any permission check, and the user id of its unit's
/// contact.
pub(super) async fn load(conn: &mut AnyConnection, id: i64) -> CoreResult<(Project, Option<i64>)> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE p.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound("project"))?;
    let mut project = from_row(&row);
    with_wishes(conn, std::slice::from_mut(&mut project)).await?;
    Ok((project, row.get("contact_user_id")))
}

/// The capacities in which `caller` acts on `project` (whose unit's contact is `contact`).
pub(super) fn capacities(caller: &Caller, project: &Project, contact: Option<i64>) -> Vec<ProjectActor> {
    let mut actors = Vec::new();
    if caller.leads(project.grid_id) {
        actors.push(ProjectActor::Leader);
    }
    if contact == Some(caller.user_id) {
        actors.push(ProjectActor::Contact);
    }
    if caller.is_admin() {
        actors.push(ProjectActor::Admin);
    }
    if actors.is_empty() {
        actors.push(ProjectActor::Other);
    }
    actors
}

/// A project the caller may see: admins, its grid's leader, its unit's contact. To anyone else
/// it does not exist (and to who may see no project at all, every id is refused alike).
pub async fn get(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<Project> {
    may_see_any(conn, caller).await?;
    let (project, contact) = load(conn, id).await?;
    if capacities(caller, &project, contact) == [ProjectActor::Other] {
        return Err(CoreError::NotFound("project"));
    }
    Ok(project)
}

/// The projects the caller may see, newest first (at most 500): every one for admins, their
/// grids' for leaders, their units' for contacts. A leader asking for another grid is refused.
pub async fn list(conn: &mut AnyConnection, caller: &Caller, f: &ProjectFilter) -> CoreResult<Vec<Project>> {
    let units = may_see_any(conn, caller).await?;
    if let Some(grid) = f.grid_id
        && !caller.oversees(grid)
        && units.is_empty()
    {
        return Err(CoreError::forbidden(
            "not_permitted",
            format!("you do not lead grid {grid}"),
        ));
    }
    let scope = match caller.grid_scope("p.grid_id") {
        Some(grids) if caller.is_admin() => grids,
        Some(grids) => format!("({grids} OR u.contact_user_id = $3)"),
        None => "u.contact_user_id = $3".to_string(),
    };
    let sql = format!(
        "{SELECT} WHERE ($1 = 0 OR p.grid_id = $1) AND ($2 = '' OR p.status = $2) AND {scope} ORDER BY p.id DESC LIMIT 500"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(f.grid_id.unwrap_or(0))
        .bind(f.status.map_or("", ProjectStatus::as_str))
        .bind(caller.user_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut projects: Vec<Project> = rows.iter().map(from_row).collect();
    with_wishes(conn, &mut projects).await?;
    Ok(projects)
}

/// A project's timeline, oldest first, for a caller who may see the project: its proposal and
/// each decision (`propose`, `agree`, `decline`, `deliver`), in the shape of a wish's.
pub async fn timeline(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<Vec<TimelineEntry>> {
    get(conn, caller, id).await?;
    let rows = sqlx::query(
        "SELECT id, at, actor_id, action, from_status, to_status, note FROM project_timeline WHERE project_id = $1 \
         ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(crate::wish::query::entries(&rows))
}
