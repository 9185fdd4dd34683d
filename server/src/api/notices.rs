//! Notices (通知公告) over HTTP: a grid leader or an admin publishes one to an audience — grids,
//! roles, party branches and categories of members, named people, as event invitations take it —
//! and each recipient reads theirs (`GET /notices`), the first read recorded.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::fields::{ItemTitle, NoticeBody};
use microwish_core::notice::{self, Notice};

use super::Tag;
use super::event_body::InvitationBody;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// A notice to publish.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct NoticeBodyIn {
    /// 1 to 60 characters.
    title: Text,
    /// 1 to 2,000 characters.
    body: Text,
    /// Whom it reaches; each person once however often they match.
    audience: InvitationBody,
}

/// A notice.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct NoticeView {
    id: i64,
    author_id: i64,
    author_name: String,
    title: String,
    body: String,
    /// How many people it reached.
    reached: i64,
    created_at: String,
    /// When you first read it (your own notices).
    read_at: Option<String>,
}

impl From<Notice> for NoticeView {
    fn from(n: Notice) -> Self {
        Self {
            id: n.id,
            author_id: n.author_id,
            author_name: n.author_name,
            title: n.title,
            body: n.body,
            reached: n.reached,
            created_at: rfc3339(n.created_at),
            read_at: n.read_at.map(rfc3339),
        }
    }
}

/// Notices, newest first.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct NoticePage {
    items: Vec<NoticeView>,
    /// Pass as `before_id` for the next page; absent on the last.
    next_before_id: Option<i64>,
}

#[derive(ApiResponse)]
enum Published {
    /// Published: every person it reaches is told.
    #[oai(status = 201)]
    Notice(Json<NoticeView>),
}

pub struct NoticeApi(pub AppState);

#[OpenApi(tag = "Tag::Events")]
impl NoticeApi {
    /// Publish a notice (grid leaders to their own grids' people, admins to anyone). 422
    /// `empty_audience` when it names nobody.
    #[oai(path = "/notices", method = "post")]
    async fn publish(&self, auth: BearerAuth, body: Json<NoticeBodyIn>) -> Result<Published, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let b = body.0;
        let text = (ItemTitle::parse(&b.title)?, NoticeBody::parse(&b.body)?);
        let audience = b.audience.parse()?;
        let clock = self.0.clock.clone();
        let published = notice::publish(&self.0.db, &caller, text, &audience, move || clock.now_ms()).await?;
        self.0.outbox_wake.notify_one();
        Ok(Published::Notice(Json(published.into())))
    }

    /// The notices you received, newest first (`sent=true`: those you published).
    #[oai(path = "/notices", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        sent: Query<Option<bool>>,
        before_id: Query<Option<i64>>,
        limit: Query<Option<i64>>,
    ) -> Result<Json<NoticePage>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let limit = limit.0.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::invalid("invalid_field", "limit: must be 1 to 100"));
        }
        let mut conn = self.0.db.pool().acquire().await?;
        let items = notice::list(&mut conn, &caller, sent.0.unwrap_or(false), before_id.0, limit).await?;
        let next_before_id = (items.len() as i64 == limit)
            .then(|| items.last().map(|n| n.id))
            .flatten();
        Ok(Json(NoticePage {
            items: items.into_iter().map(Into::into).collect(),
            next_before_id,
        }))
    }

    /// One notice (its author, its recipients, admins); a recipient's first read is recorded.
    #[oai(path = "/notices/:id", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<NoticeView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let found = notice::get_for(&mut conn, &caller, id.0).await?;
        drop(conn);
        if found.read_at.is_none() && found.author_id != caller.user_id {
            let mut tx = self.0.db.begin_write().await?;
            notice::mark_read(&mut tx, &caller, id.0, self.0.clock.now_ms()).await?;
            tx.commit().await?;
        }
        Ok(Json(found.into()))
    }
}
