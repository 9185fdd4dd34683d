//! Invitations: an audience of grids, roles, party branches and categories and explicit people
//! resolved to a set of users, each invited once however often they match (a unique (event, user) row), enqueued in batches of
//! their own transactions so an invitation to thousands never holds one long write.

use std::collections::BTreeSet;

use serde_json::json;
use sqlx::{Any, AnyConnection, Row};

use super::model::{EventStatus, may_manage};
use super::notify::{self, EventNotice};
use super::store;
use crate::audit::{self, Action, Subject};
use crate::db::Db;
use crate::error::{CoreError, CoreResult};
use crate::notify::NotificationKind;
use crate::party::Category;
use crate::people::{Caller, Role};

/// Invitees per transaction.
pub const BATCH: usize = 500;

/// Whom to invite.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    /// Everyone whose home grid is one of these.
    pub grid_ids: Vec<i64>,
    /// Everyone holding one of these roles (a grid leader's: only in their grids).
    pub roles: Vec<Role>,
    /// These people.
    pub user_ids: Vec<i64>,
    /// The party members of these branches.
    pub branch_ids: Vec<i64>,
    /// The party members of these categories.
    pub party_categories: Vec<Category>,
}

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
    let grids: Vec<i64> = audience
        .grid_ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Permission first: a leader hears the same for a grid that does not exist.
    if grids.iter().any(|&g| !may_manage(caller, Some(g))) {
        return Err(CoreError::forbidden(
            "not_permitted",
            "a grid leader may only invite their own grid",
        ));
    }
    // Whom a grid leader reaches through roles and names: people of the grids they lead.
    let scope: Option<&[i64]> = (!caller.is_admin()).then_some(caller.led_grids.as_slice());
    let mut people = BTreeSet::new();
    // Grids, resolved a chunk at a time: one query checks they exist, one gathers their people.
    for chunk in grids.chunks(BATCH) {
        let known: BTreeSet<i64> = bind_all(
            format!("SELECT id FROM grids WHERE id IN ({})", in_list(chunk.len())),
            chunk,
        )
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        if let Some(g) = chunk.iter().find(|g| !known.contains(g)) {
            return Err(CoreError::invalid("unknown_grid", format!("grid_ids: no grid {g}")));
        }
        let rows = bind_all(
            format!("SELECT id FROM users WHERE grid_id IN ({})", in_list(chunk.len())),
            chunk,
        )
        .fetch_all(&mut *conn)
        .await?;
        people.extend(rows.iter().map(|r| r.get::<i64, _>(0)));
    }
    let in_scope = |g: Option<i64>| scope.is_none_or(|s| g.is_some_and(|g| s.contains(&g)));
    for role in &audience.roles {
        let rows =
            sqlx::query("SELECT u.id, u.grid_id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = $1")
                .bind(role.as_str())
                .fetch_all(&mut *conn)
                .await?;
        people.extend(rows.iter().filter(|r| in_scope(r.get(1))).map(|r| r.get::<i64, _>(0)));
    }
    let members = crate::party::audience::members(&mut conn, &audience.branch_ids, &audience.party_categories).await?;
    people.extend(members.into_iter().filter(|&(_, g)| in_scope(g)).map(|(u, _)| u));
    // Named people, resolved a chunk at a time (a repeated id costs nothing). A grid leader
    // hears the same refusal for an unknown id as for someone outside their grids, so the
    // answer does not tell them who exists; only admins learn "no user".
    let named: Vec<i64> = audience
        .user_ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for chunk in named.chunks(BATCH) {
        let sql = format!("SELECT id, grid_id FROM users WHERE id IN ({})", in_list(chunk.len()));
        let found: std::collections::BTreeMap<i64, Option<i64>> = bind_all(sql, chunk)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        for &u in chunk {
            let grid = found.get(&u);
            if scope.is_some_and(|s| !grid.is_some_and(|g| g.is_some_and(|g| s.contains(&g)))) {
                return Err(CoreError::forbidden(
                    "not_permitted",
                    "a grid leader may only invite people of their own grid",
                ));
            }
            if grid.is_none() {
                return Err(CoreError::invalid("unknown_user", format!("user_ids: no user {u}")));
            }
            people.insert(u);
        }
    }
    drop(conn);
    let people: Vec<i64> = people.into_iter().collect();
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

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list of `n` ids.
pub(crate) fn in_list(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The query `sql` with every id of `ids` bound in order (the placeholders come from [`in_list`]).
pub(crate) fn bind_all(sql: String, ids: &[i64]) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    ids.iter()
        .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |q, &id| q.bind(id))
}
