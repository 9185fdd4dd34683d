//! `microwish admin …`: administration from the command line, for bootstrapping the first admin
//! before anyone can use the admin API.

use anyhow::bail;

use microwish_core::audit::{self, Action, Subject};
use microwish_core::console::signin;
use microwish_core::people::{Role, grid, user};
use microwish_core::{Clock, CoreError, Db, Settings, SystemClock};

/// Gives `role` to the user with `openid` (created if unknown); with `grid`, makes them its leader.
pub async fn grant(db: &Db, openid: &str, role: Role, grid_id: Option<i64>) -> anyhow::Result<String> {
    let openid = openid.trim();
    if openid.is_empty() || openid.len() > 128 {
        bail!("--openid must be 1 to 128 characters");
    }
    if grid_id.is_some() && role != Role::GridLeader {
        bail!("--grid only goes with --role grid_leader");
    }
    let now = SystemClock.now_ms();
    let mut tx = db.begin_write().await?;
    let (found, created) = user::find_or_create(&mut tx, openid, now).await?;
    user::grant(&mut tx, found.id, role).await?;
    let detail = serde_json::json!({ "role": role.as_str(), "openid": openid, "created": created });
    audit::record(
        &mut tx,
        None,
        Action::RolesGrant.on(Subject::User(found.id)).with(detail),
        now,
    )
    .await?;
    if let Some(grid_id) = grid_id {
        grid::set_leader(&mut tx, grid_id, found.id, now)
            .await
            .map_err(|e| anyhow::anyhow!("grid {grid_id}: {e}"))?;
    }
    let roles = user::roles_of(&mut tx, found.id).await?;
    tx.commit().await?;
    let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let verb = if created { "created user" } else { "user" };
    let lead = grid_id.map(|g| format!(", leader of grid {g}")).unwrap_or_default();
    Ok(format!(
        "{verb} {} (openid {openid}): roles {}{lead}",
        found.id,
        roles.join(", ")
    ))
}

/// A one-time sign-in link to the web console for the leader or admin with `openid`.
pub async fn console_link(db: &Db, settings: &Settings, openid: &str) -> anyhow::Result<String> {
    let openid = openid.trim();
    let now = SystemClock.now_ms();
    let ttl = settings.console.link_ttl.as_millis_i64();
    let mut tx = db.begin_write().await?;
    let token = match signin::issue_link(&mut tx, openid, now, ttl).await {
        Ok(token) => token,
        Err(CoreError::NotFound(_)) => bail!("no user with openid {openid}"),
        Err(CoreError::Forbidden { .. }) => {
            bail!("user {openid} is neither a grid leader nor an admin: the console is for them")
        }
        Err(err) => return Err(err.into()),
    };
    tx.commit().await?;
    Ok(format!("{}/console/link/{token}", settings.public_url()))
}
