//! Notices (通知公告): a grid leader's or an admin's announcement to an audience — grids, roles,
//! party branches and categories of members, named people (`people::audience`, the same
//! resolution as event invitations) — delivered to each recipient once as a `notice`
//! notification and kept so they can read it again. Recipients are written in batches of their
//! own transactions, so a notice to thousands never holds one long write.

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Action, Subject};
use crate::db::Db;
use crate::error::{CoreError, CoreResult};
use crate::fields::{ItemTitle, NoticeBody};
use crate::notify::NotificationKind;
use crate::outbox::{self, NewNotification};
use crate::people::Caller;
use crate::people::audience::{Audience, Resolved};

/// Recipients per transaction.
const BATCH: usize = 500;

/// A notice as stored, and as a recipient reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Id.
    pub id: i64,
    /// Who published it.
    pub author_id: i64,
    /// Their name.
    pub author_name: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// How many people it reached.
    pub reached: i64,
    /// Published.
    pub created_at: i64,
    /// When the reader first opened it (their own reads only).
    pub read_at: Option<i64>,
}

const COLUMNS: &str = "n.id, n.author_id, a.display_name, n.title, n.body, n.reached, n.created_at";

fn from_row(r: &AnyRow, read_at: Option<i64>) -> Notice {
    Notice {
        id: r.get(0),
        author_id: r.get(1),
        author_name: r.get(2),
        title: r.get(3),
        body: r.get(4),
        reached: r.get(5),
        created_at: r.get(6),
        read_at,
    }
}

/// Publishes a notice to `audience` (grid leaders within their grids, admins to anyone);
/// answers it with how many it reached. Nobody at all: 422 `empty_audience`.
pub async fn publish(
    db: &Db,
    caller: &Caller,
    (title, body): (ItemTitle, NoticeBody),
    audience: &Audience,
    now: impl Fn() -> i64,
) -> CoreResult<Notice> {
    if !caller.may_use_console() {
        return Err(CoreError::forbidden(
            "not_permitted",
            "notices are published by grid leaders and admins",
        ));
    }
    if audience.is_empty() {
        return Err(CoreError::invalid(
            "empty_audience",
            "name at least one grid, role, branch, category or person",
        ));
    }
    let mut conn = db.pool().acquire().await?;
    let Resolved { people, grids, named } = audience.resolve(&mut conn, caller).await?;
    drop(conn);
    let detail = json!({ "grid_ids": grids, "roles": audience.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "user_ids": named, "branch_ids": audience.branch_ids,
        "party_categories": audience.party_categories.iter().map(|c| c.as_str()).collect::<Vec<_>>() });
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notices (author_id, title, body, audience, reached, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(caller.user_id)
    .bind(title.as_str())
    .bind(body.as_str())
    .bind(detail.to_string())
    .bind(people.len() as i64)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    let fact = Action::NoticePublish.on(Subject::Notice(id));
    let mut particulars = detail;
    particulars["title"] = json!(title.as_str());
    particulars["reached"] = json!(people.len());
    audit::record(&mut tx, Some(caller), fact.with(particulars), now()).await?;
    tx.commit().await?;
    let payload = json!({ "notice_id": id, "title": title.as_str(), "body": body.as_str() });
    for batch in people.chunks(BATCH) {
        let mut tx = db.begin_write().await?;
        let at = now();
        for &user in batch {
            sqlx::query("INSERT INTO notice_recipients (notice_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(user)
                .execute(&mut *tx)
                .await?;
            let n = NewNotification {
                kind: NotificationKind::Notice,
                recipient_id: user,
                subject_type: "notice",
                subject_id: id,
                urgent: false,
                payload: payload.clone(),
                dedupe_key: format!("notice:{id}:{user}"),
            };
            outbox::record(&mut tx, &n, at).await?;
        }
        tx.commit().await?;
    }
    let mut conn = db.pool().acquire().await?;
    get_for(&mut conn, caller, id).await
}

/// One notice, for its author, an admin or one of its recipients (whose first read is kept);
/// anyone else: not found.
pub async fn get_for(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<Notice> {
    let sql = format!("SELECT {COLUMNS} FROM notices n JOIN users a ON a.id = n.author_id WHERE n.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound("notice"))?;
    let mine: Option<Option<i64>> =
        sqlx::query_scalar("SELECT read_at FROM notice_recipients WHERE notice_id = $1 AND user_id = $2")
            .bind(id)
            .bind(caller.user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let author: i64 = row.get(1);
    if mine.is_none() && author != caller.user_id && !caller.is_admin() {
        return Err(CoreError::NotFound("notice"));
    }
    Ok(from_row(&row, mine.flatten()))
}

/// Marks notice `id` read by `caller` (the first read stays).
pub async fn mark_read(conn: &mut AnyConnection, caller: &Caller, id: i64, now: i64) -> CoreResult<()> {
    sqlx::query("UPDATE notice_recipients SET read_at = $3 WHERE notice_id = $1 AND user_id = $2 AND read_at IS NULL")
        .bind(id)
        .bind(caller.user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The notices `caller` received (or, with `sent`, published), newest first, older than
/// `before_id` when given.
pub async fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    sent: bool,
    before_id: Option<i64>,
    limit: i64,
) -> CoreResult<Vec<Notice>> {
    let (join, mine) = if sent {
        ("", "n.author_id = $1")
    } else {
        (
            "JOIN notice_recipients r ON r.notice_id = n.id AND r.user_id = $1",
            "1 = 1",
        )
    };
    let read = if sent { "CAST(NULL AS BIGINT)" } else { "r.read_at" };
    let sql = format!(
        "SELECT {COLUMNS}, {read} FROM notices n JOIN users a ON a.id = n.author_id {join} \
         WHERE {mine} AND ($2 = 0 OR n.id < $2) ORDER BY n.id DESC LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(caller.user_id)
        .bind(before_id.unwrap_or(0))
        .bind(limit.clamp(1, 100))
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(|r| from_row(r, r.get(7))).collect())
}
