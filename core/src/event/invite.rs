//! Invitations: an audience (`people::audience`: grids, roles, party branches and categories,
//! explicit people) resolved to a set of users, each invited once however often they match (a unique (event, user) row), enqueued in batches of
//! their own transactions so an invitation to thousands never holds one long write.

use serde_json::json;
use sqlx::{Any, AnyConnection, Row};

use super::model::EventStatus;
use super::notify::{self, EventNotice};
use super::store;
use crate::audit::{self, Action, Subject};
use crate::db::Db;
use crate::error::{CoreError, CoreResult};
use crate::notify::NotificationKind;
use crate::people::Caller;
pub use crate::people::audience::Audience;
use crate::people::audience::Resolved;

/// Invitees per transaction.
pub const BATCH: usize = 500;

/// Invites the audience to event `id`; returns how many were newly invited.
pub async fn invite(
    db: &Db,
    caller: &Caller,
    id: i64,
    audience: &Audience,
    tz: &jiff::tz::TimeZone,
    now: impl Fn() -> i64,
) -> CoreResult<u64> {
    let mut conn = db.pool().acquire().await?;
    let event = store::load_managed(&mut conn, caller, id).await?;
    if event.status != EventStatus::Published {
        return Err(CoreError::conflict(
            "event_closed",
            format!("the event is {}", event.status.as_str()),
        ));
    }
    let Resolved { people, grids, named } = audience.resolve(&mut conn, caller).await?;
    drop(conn);
    let mut invited = 0;
    for batch in people.chunks(BATCH) {
        invited += invite_batch(db, id, batch, tz, now()).await?;
    }
    let (mut tx, now) = (db.begin_write().await?, now());
    announce_to_grids(&mut tx, &event, &audience.grid_ids, tz, now).await?;
    let detail = json!({
        "grid_ids": grids, "roles": audience.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "user_ids": named, "branch_ids": audience.branch_ids, "invited": invited,
    });
    let fact = Action::EventInvite.on(Subject::Event(id)).in_grid(event.grid_id);
    audit::record(&mut tx, Some(caller), fact.with(detail), now).await?;
    tx.commit().await?;
    Ok(invited)
}

/// Grid audiences also hear of the event in their work group: a `grid_event` for each invited
/// grid's leader, which the notifier posts to the grid's WeCom robot (once per event and grid).
async fn announce_to_grids(
    tx: &mut AnyConnection,
    event: &super::model::Event,
    grids: &[i64],
    tz: &jiff::tz::TimeZone,
    now: i64,
) -> CoreResult<()> {
    let mut notices = Vec::new();
    for &g in grids {
        let leader = sqlx::query("SELECT leader_user_id FROM grids WHERE id = $1 AND wecom_robot_key IS NOT NULL")
            .bind(g)
            .fetch_optional(&mut *tx)
            .await?
            .and_then(|r| r.get::<Option<i64>, _>(0));
        if let Some(leader) = leader {
            notices.push(notify::EventNotice {
                recipient_id: leader,
                key: format!("grid:{g}"),
            });
        }
    }
    notify::tell(tx, event, NotificationKind::GridEvent, &notices, tz, now).await?;
    Ok(())
}

/// One transaction: the invitation rows that are new, and their notifications.
async fn invite_batch(db: &Db, id: i64, batch: &[i64], tz: &jiff::tz::TimeZone, now: i64) -> CoreResult<u64> {
    let mut tx: sqlx::Transaction<'static, Any> = db.begin_write().await?;
    // Re-read under the event's row lock: a cancellation between batches stops the rest, and
    // one committed during this batch waits for it (and then tells these invitees too).
    let event = store::lock(&mut tx, id).await?;
    if event.status != EventStatus::Published {
        return Ok(0);
    }
    let rows: Vec<String> = (0..batch.len())
        .map(|i| format!("($1, ${}, 'invited', $2, $2)", i + 3))
        .collect();
    let sql = format!(
        "INSERT INTO event_invitations (event_id, user_id, response, invited_at, updated_at) VALUES {} \
         ON CONFLICT (event_id, user_id) DO NOTHING RETURNING user_id",
        rows.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(now);
    for &u in batch {
        query = query.bind(u);
    }
    let fresh: Vec<i64> = query.fetch_all(&mut *tx).await?.iter().map(|r| r.get(0)).collect();
    let notices: Vec<EventNotice> = fresh.iter().map(|&u| EventNotice::once_to(u)).collect();
    notify::tell(&mut tx, &event, NotificationKind::EventInvitation, &notices, tz, now).await?;
    tx.commit().await?;
    Ok(fresh.len() as u64)
}
