//! A project's trail: the timeline row each step appends and who hears of it — the unit (its
//! contact's email, and its WeCom robot where it has one) of a proposal, the grid's leader of the
//! unit's answer and of a delivery someone else reported — written in the step's transaction.

use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};

use super::machine::ProjectStatus;
use super::project::Project;
use crate::error::CoreResult;
use crate::notify::NotificationKind;
use crate::outbox::{self, NewNotification};

/// One step of a project's life.
pub(super) struct Step<'a> {
    pub actor_id: i64,
    pub action: &'a str,
    pub from: Option<ProjectStatus>,
    pub note: Option<String>,
    /// How many of its wishes the step moved (delivered, returned), for the words.
    pub moved: usize,
}

/// Appends `step` (which brought `project` where it is) to its timeline and records who hears of it.
pub(super) async fn record(conn: &mut AnyConnection, project: &Project, step: Step<'_>, now: i64) -> CoreResult<()> {
    let row = sqlx::query(
        "INSERT INTO project_timeline (project_id, at, actor_id, action, from_status, to_status, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(project.id)
    .bind(now)
    .bind(step.actor_id)
    .bind(step.action)
    .bind(step.from.map(ProjectStatus::as_str))
    .bind(project.status.as_str())
    .bind(step.note.clone())
    .fetch_one(&mut *conn)
    .await?;
    let step_id: i64 = row.get(0);
    let payload = payload(conn, project, &step).await?;
    for (kind, recipient) in audience(conn, project, step.actor_id).await? {
        let n = NewNotification {
            kind,
            recipient_id: recipient,
            subject_type: "project",
            subject_id: project.id,
            urgent: false,
            payload: payload.clone(),
            dedupe_key: format!("project:{}:step:{step_id}:{kind}:{recipient}", project.id),
        };
        outbox::record(conn, &n, now).await?;
    }
    Ok(())
}

/// Who hears of the step that brought `project` to its status, as (kind, recipient): a proposal
/// goes to the unit; an answer or a delivery to the grid's leader (or, with none, the proposer),
/// unless they took the step themselves.
async fn audience(conn: &mut AnyConnection, project: &Project, actor: i64) -> CoreResult<Vec<(NotificationKind, i64)>> {
    let kind = match project.status {
        ProjectStatus::Proposed => {
            let robot: Option<String> = sqlx::query_scalar("SELECT wecom_robot_key FROM cobuild_units WHERE id = $1")
                .bind(project.unit_id)
                .fetch_one(&mut *conn)
                .await?;
            let mut list = vec![(NotificationKind::ProjectProposed, project.unit_id)];
            if robot.is_some() {
                list.push((NotificationKind::UnitProject, project.unit_id));
            }
            return Ok(list);
        }
        ProjectStatus::Agreed => NotificationKind::ProjectAgreed,
        ProjectStatus::Declined => NotificationKind::ProjectDeclined,
        ProjectStatus::Delivered => NotificationKind::ProjectDelivered,
    };
    let leader: Option<i64> = sqlx::query_scalar("SELECT leader_user_id FROM grids WHERE id = $1")
        .bind(project.grid_id)
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
    let leader = leader.unwrap_or(project.proposed_by);
    Ok(if leader == actor {
        Vec::new()
    } else {
        vec![(kind, leader)]
    })
}

/// What the templates of a project's notifications read: the project, its unit and contact, the
/// grid and its leader (whom the unit may call), the resource, and how many wishes it serves.
async fn payload(conn: &mut AnyConnection, project: &Project, step: &Step<'_>) -> CoreResult<Value> {
    let row = sqlx::query(
        "SELECT u.contact_name, g.name, l.display_name, l.phone FROM cobuild_units u \
         JOIN grids g ON g.id = $2 LEFT JOIN users l ON l.id = g.leader_user_id WHERE u.id = $1",
    )
    .bind(project.unit_id)
    .bind(project.grid_id)
    .fetch_optional(&mut *conn)
    .await?;
    let text = |i: usize| row.as_ref().and_then(|r| r.get::<Option<String>, _>(i));
    Ok(json!({
        "project_id": project.id,
        "project_title": project.title,
        "unit_name": project.unit_name,
        "contact_name": text(0),
        "grid_name": text(1),
        "leader_name": text(2),
        "leader_phone": text(3),
        "resource_title": project.resource_title,
        "wishes": project.wish_ids.len(),
        "delivered": step.moved,
        "reason": project.reason,
    }))
}
