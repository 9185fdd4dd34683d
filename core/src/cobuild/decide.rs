//! Deciding on a project: the unit agrees or declines, the leader or the unit reports it
//! delivered. The pure machine decides; a guarded update writes the project; its wishes follow in
//! the same transaction — a delivery fulfils and closes every one still waiting through the wish
//! machine (residents are told) and credits the unit and the resource's use, a decline returns
//! them to the ordinary flow — and the timeline row and notifications are recorded with it.

use serde_json::json;
use sqlx::AnyConnection;

use super::machine::{ProjectAction, ProjectStatus, Refusal, transition_any};
use super::project::{self, Project};
use super::trail::{self, Step};
use crate::audit::{self, Subject};
use crate::config::Settings;
use crate::error::{CoreError, CoreResult, guarded};
use crate::people::Caller;
use crate::wish::Action;
use crate::wish::store::{self as wishes, ChangeInput};

/// What a decision carries.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// Why (required to decline).
    pub reason: Option<String>,
    /// The minutes the unit spent (deliver); absent: `cobuild.minutes_per_service` a wish.
    pub minutes: Option<i64>,
}

/// Takes `action` on project `id` for `caller`.
pub async fn decide(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    action: ProjectAction,
    decision: &Decision,
    settings: &Settings,
    now: i64,
) -> CoreResult<Project> {
    project::may_see_any(conn, caller).await?;
    let (before, contact) = project::load(conn, id).await?;
    let actors = project::capacities(caller, &before, contact);
    if actors == [super::machine::ProjectActor::Other] {
        return Err(CoreError::NotFound("project"));
    }
    let to = transition_any(before.status, action, &actors).map_err(|r| refusal(r, action, &before))?;
    let reason = decision.reason.clone().filter(|r| !r.trim().is_empty());
    if action == ProjectAction::Decline && reason.is_none() {
        return Err(CoreError::invalid("invalid_field", "reason: required"));
    }
    let stamp = match to {
        ProjectStatus::Agreed => "agreed_at",
        ProjectStatus::Delivered => "delivered_at",
        _ => "declined_at",
    };
    let sql = format!(
        "UPDATE projects SET status = $3, {stamp} = $4, updated_at = $4, reason = COALESCE($5, reason) \
         WHERE id = $1 AND status = $2"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(before.status.as_str())
        .bind(to.as_str())
        .bind(now)
        .bind(reason.clone().filter(|_| to == ProjectStatus::Declined))
        .execute(&mut *conn)
        .await?;
    guarded(done, || refusal(Refusal::WrongStatus, action, &before))?;
    let (moved, note) = match to {
        ProjectStatus::Delivered => deliver(conn, caller, &before, decision, settings, now).await?,
        ProjectStatus::Declined => (give_back(conn, caller, &before, settings, now).await?, reason),
        _ => (0, None),
    };
    let (after, _) = project::load(conn, id).await?;
    let step = Step {
        actor_id: caller.user_id,
        action: action.as_str(),
        from: Some(before.status),
        note,
        moved,
    };
    trail::record(conn, &after, step, now).await?;
    let decision = match action {
        ProjectAction::Agree => audit::Action::ProjectAgree,
        ProjectAction::Decline => audit::Action::ProjectDecline,
        ProjectAction::Deliver => audit::Action::ProjectDeliver,
    };
    let detail = json!({ "title": after.title, "from": before.status.as_str(), "to": after.status.as_str(),
        "reason": after.reason, "wishes_moved": moved, "credit": after.credit });
    let fact = decision.on(Subject::Project(id)).in_grid(after.grid_id);
    audit::record(conn, Some(caller), fact.with(detail), now).await?;
    Ok(after)
}

/// Fulfils and closes the project's wishes still waiting, then credits the unit — services = the
/// wishes delivered; minutes = what the delivery states (at most a day a wish), else
/// `cobuild.minutes_per_service` for each — and records the resource's use. Answers how many
/// wishes were delivered and the timeline's note.
async fn deliver(
    conn: &mut AnyConnection,
    caller: &Caller,
    project: &Project,
    decision: &Decision,
    settings: &Settings,
    now: i64,
) -> CoreResult<(usize, Option<String>)> {
    let note = format!(
        "共建项目 #{}「{}」由{}交付",
        project.id, project.title, project.unit_name
    );
    let mut delivered = 0;
    for wish in &project.wish_ids {
        let input = ChangeInput {
            note: Some(note.clone()),
            ..ChangeInput::default()
        };
        let by = (project.id, caller.user_id);
        if wishes::follow_project(conn, by, *wish, Action::Deliver, input, settings, now)
            .await?
            .is_some()
        {
            delivered += 1;
        }
    }
    let services = delivered as i64;
    let per_service = i64::from(settings.cobuild.minutes_per_service);
    let minutes = match decision.minutes {
        Some(m) if (0..=services.max(1) * 24 * 60).contains(&m) => m,
        Some(_) => {
            return Err(CoreError::invalid(
                "invalid_field",
                "minutes: 0 to a day (1440) for each wish delivered",
            ));
        }
        None => services * per_service,
    };
    sqlx::query(
        "INSERT INTO unit_credits (unit_id, project_id, services, minutes, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(project.unit_id)
    .bind(project.id)
    .bind(services)
    .bind(minutes)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO resource_uses (resource_id, project_id, services, used_at) VALUES ($1, $2, $3, $4)")
        .bind(project.resource_id)
        .bind(project.id)
        .bind(services)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok((delivered, Some(format!("{services} wishes, {minutes} minutes"))))
}

/// Returns the project's wishes to the ordinary flow: those still waiting through the wish
/// machine (a `return` on their timeline), the rest — cancelled, rejected — simply let go.
async fn give_back(
    conn: &mut AnyConnection,
    caller: &Caller,
    project: &Project,
    settings: &Settings,
    now: i64,
) -> CoreResult<usize> {
    let mut returned = 0;
    for wish in &project.wish_ids {
        let input = ChangeInput {
            note: Some(format!("共建项目 #{}「{}」未能实施", project.id, project.title)),
            ..ChangeInput::default()
        };
        let by = (project.id, caller.user_id);
        if wishes::follow_project(conn, by, *wish, Action::Return, input, settings, now)
            .await?
            .is_some()
        {
            returned += 1;
        }
    }
    sqlx::query("UPDATE wishes SET project_id = NULL WHERE project_id = $1")
        .bind(project.id)
        .execute(&mut *conn)
        .await?;
    Ok(returned)
}

fn refusal(refusal: Refusal, action: ProjectAction, project: &Project) -> CoreError {
    match refusal {
        Refusal::NotPermitted => CoreError::forbidden(
            "not_permitted",
            match action {
                ProjectAction::Deliver => "only the grid's leader or the unit's contact reports a project delivered",
                _ => "only the unit's contact (or an admin) answers a proposal",
            },
        ),
        Refusal::WrongStatus => CoreError::conflict(
            "invalid_transition",
            format!("cannot {} a project that is {}", action.as_str(), project.status),
        ),
    }
}
