//! Proposing a project: a grid's leader bundles wishes of their grid — open or waiting for review,
//! nobody holding them, in no live project, of the resource's category — with a unit's available
//! resource. Each wish is referred to the project through the wish machine (its timeline says so),
//! the project's first timeline row is written and the unit is told, all in one transaction: a
//! proposal that fails on its eighth wish leaves nothing behind.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::machine::ProjectStatus;
use super::project::{self, Project};
use super::resource::{self, ResourceStatus};
use super::trail::{self, Step};
use crate::audit::{self, Subject};
use crate::config::Settings;
use crate::error::{CoreError, CoreResult};
use crate::fields::ItemTitle;
use crate::people::{Caller, Role};
use crate::wish::Action;
use crate::wish::store::{self as wishes, ChangeInput};

/// The most wishes one project bundles.
pub const MAX_WISHES: usize = 100;

/// A proposal as the leader makes it.
#[derive(Debug, Clone)]
pub struct NewProject {
    /// Title, e.g. "为十位老人上门体检".
    pub title: ItemTitle,
    /// The unit's resource it uses.
    pub resource_id: i64,
    /// The wishes it serves: 1 to [`MAX_WISHES`], no repeats.
    pub wish_ids: Vec<i64>,
}

/// Proposes a project and refers its wishes to it.
pub async fn propose(
    conn: &mut AnyConnection,
    caller: &Caller,
    new: &NewProject,
    settings: &Settings,
    now: i64,
) -> CoreResult<Project> {
    if !(caller.is_admin() || caller.has(Role::GridLeader)) {
        return Err(CoreError::forbidden(
            "not_permitted",
            "only grid leaders propose projects",
        ));
    }
    let mut ids = new.wish_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_WISHES || ids.len() != new.wish_ids.len() {
        return Err(CoreError::invalid(
            "invalid_field",
            format!("wish_ids: 1 to {MAX_WISHES} different wishes"),
        ));
    }
    let offer = resource::get(conn, new.resource_id).await.map_err(|_| {
        CoreError::invalid(
            "unknown_resource",
            format!("resource_id: no resource {}", new.resource_id),
        )
    })?;
    let open_now = offer.status == ResourceStatus::Available
        && offer.available_from.is_none_or(|from| from <= now)
        && offer.available_to.is_none_or(|to| now < to);
    if !open_now {
        return Err(CoreError::conflict(
            "resource_unavailable",
            format!("resource {} is not available now", offer.id),
        ));
    }
    if let Some(quantity) = offer.quantity.filter(|q| (ids.len() as i64) > *q) {
        return Err(CoreError::invalid(
            "invalid_field",
            format!("wish_ids: resource {} serves at most {quantity}", offer.id),
        ));
    }
    let grid_id = grid_of(conn, caller, &ids, &offer.category).await?;
    let row = sqlx::query(
        "INSERT INTO projects (grid_id, unit_id, resource_id, title, status, proposed_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'proposed', $5, $6, $6) RETURNING id",
    )
    .bind(grid_id)
    .bind(offer.unit_id)
    .bind(offer.id)
    .bind(new.title.as_str())
    .bind(caller.user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.get(0);
    for wish in &ids {
        sqlx::query("INSERT INTO project_wishes (project_id, wish_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*wish)
            .execute(&mut *conn)
            .await?;
        let input = ChangeInput {
            note: Some(format!(
                "共建项目 #{id}「{}」（{}）",
                new.title.as_str(),
                offer.unit_name
            )),
            project_id: Some(id),
            ..ChangeInput::default()
        };
        wishes::apply(conn, Some(caller), *wish, Action::Refer, input, settings, now).await?;
    }
    let (project, _) = project::load(conn, id).await?;
    let step = Step {
        actor_id: caller.user_id,
        action: "propose",
        from: None,
        note: None,
        moved: 0,
    };
    trail::record(conn, &project, step, now).await?;
    let detail = json!({ "title": project.title, "unit_id": project.unit_id, "resource_id": project.resource_id,
        "wish_ids": project.wish_ids });
    let fact = audit::Action::ProjectPropose.on(Subject::Project(id)).in_grid(grid_id);
    audit::record(conn, Some(caller), fact.with(detail), now).await?;
    debug_assert_eq!(project.status, ProjectStatus::Proposed);
    Ok(project)
}

/// The one grid all the wishes belong to, which the caller must lead (or be an admin), each of the
/// resource's category. A wish the caller may not bundle is refused the same way whether it exists
/// or not; only admins learn that it does not.
async fn grid_of(conn: &mut AnyConnection, caller: &Caller, ids: &[i64], category: &str) -> CoreResult<i64> {
    let list = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT id, grid_id, category FROM wishes WHERE id IN ({list})");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let found: Vec<(i64, i64, String)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    for id in ids {
        match found.iter().find(|(w, _, _)| w == id) {
            Some((_, grid, _)) if caller.oversees(*grid) => {}
            None if caller.is_admin() => {
                return Err(CoreError::invalid("unknown_wish", format!("wish_ids: no wish {id}")));
            }
            _ => {
                return Err(CoreError::forbidden(
                    "not_permitted",
                    format!("wish_ids: wish {id} is not a wish of a grid you lead"),
                ));
            }
        }
    }
    let grid = found[0].1;
    if found.iter().any(|(_, g, _)| *g != grid) {
        return Err(CoreError::invalid("invalid_field", "wish_ids: all of one grid"));
    }
    if let Some((id, _, other)) = found.iter().find(|(_, _, c)| c != category) {
        return Err(CoreError::invalid(
            "category_mismatch",
            format!("wish_ids: wish {id} is `{other}`, the resource serves `{category}`"),
        ));
    }
    Ok(grid)
}
