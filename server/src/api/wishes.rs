//! Posting and reading wishes: create, list with filters and a keyset cursor, detail, timeline.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::parse_rfc3339;
use microwish_core::fields::{Description, Note, Title};
use microwish_core::people::Caller;
use microwish_core::wish::repeat::RepeatRule;
use microwish_core::wish::{NewWish, Urgency, store};
use microwish_wechat::Suggest;

use super::Tag;
use super::wish_query::{ListQuery, parse_filter};
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::payload::JsonBytes;
use crate::state::AppState;
use crate::text::Text;
use crate::views::{TimelineView, WishPage, WishView};

/// A new wish.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct NewWishBody {
    /// Up to 40 characters.
    title: Text,
    /// Up to 1,000 characters.
    description: Text,
    /// A code from `GET /api/v1/categories`.
    category: Text,
    /// normal (default) or urgent.
    urgency: Option<Text>,
    /// Wanted by (RFC 3339).
    due_at: Option<Text>,
    /// Staff only: post for this resident.
    on_behalf_of: Option<i64>,
    /// Required with `on_behalf_of`: how the resident agreed.
    consent_note: Option<Text>,
    /// How many volunteers it takes (a move, a clean-up day): 1 (default) to `wishes.max_slots`.
    slots: Option<i64>,
    /// Repeat it (a weekly medicine run); needs `due_at`, the first occurrence's date.
    repeat: Option<RepeatBody>,
}

/// How a wish repeats. The next occurrence opens when one closes (confirmed or closed by itself)
/// or, at the latest, when the current one's date comes; occurrence k is due k−1 periods after
/// the first `due_at`, and a new one is offered first, for `wishes.repeat_offer_window`, to the
/// volunteers who served the last one. Cancelling (or rejecting) any occurrence stops the series.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct RepeatBody {
    /// week, 2weeks or month (the same day of the month; its last day when shorter).
    every: Text,
    /// No occurrence is due after this (RFC 3339; after `due_at`, at most three years later).
    until: Option<Text>,
}

impl RepeatBody {
    fn parse(self, first_due: Option<i64>) -> Result<RepeatRule, ApiError> {
        let until = match self.until.as_deref() {
            None => None,
            Some(t) => Some(
                parse_rfc3339(t)
                    .ok_or_else(|| ApiError::invalid("invalid_field", "repeat: until must be an RFC 3339 time"))?,
            ),
        };
        Ok(RepeatRule::parse(&self.every, until, first_due)?)
    }
}

/// `urgency` as the wire spells it (posting and editing).
pub(super) fn parse_urgency(text: &str) -> Result<Urgency, ApiError> {
    text.parse()
        .map_err(|e: String| ApiError::invalid("invalid_field", format!("urgency: {e}")))
}

/// `due_at`: an RFC 3339 time in the future (posting and editing).
pub(super) fn parse_due_at(text: &str, now: i64) -> Result<i64, ApiError> {
    match parse_rfc3339(text) {
        Some(t) if t > now => Ok(t),
        Some(_) => Err(ApiError::invalid("invalid_field", "due_at: must be in the future")),
        None => Err(ApiError::invalid("invalid_field", "due_at: must be an RFC 3339 time")),
    }
}

impl NewWishBody {
    fn parse(self, now: i64) -> Result<NewWish, ApiError> {
        let slots = match self.slots {
            None => 1,
            Some(n) => u32::try_from(n)
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| ApiError::invalid("invalid_field", "slots: must be at least 1"))?,
        };
        let due_at = self.due_at.as_deref().map(|t| parse_due_at(t, now)).transpose()?;
        Ok(NewWish {
            slots,
            repeat: self.repeat.map(|r| r.parse(due_at)).transpose()?,
            title: Title::parse(&self.title)?,
            description: Description::parse(&self.description)?,
            category: self.category.into_inner(),
            urgency: self
                .urgency
                .as_deref()
                .map(parse_urgency)
                .transpose()?
                .unwrap_or_default(),
            due_at,
            on_behalf_of: self.on_behalf_of,
            consent_note: self.consent_note.as_deref().map(Note::parse).transpose()?,
        })
    }
}

#[derive(ApiResponse)]
enum Created {
    /// The wish, as posted.
    #[oai(status = 201)]
    Wish(Json<WishView>),
}

pub struct WishApi(pub AppState);

impl AppState {
    /// Checks wish text (a new wish's, or an edit's new title and description) with WeChat:
    /// risky is refused, review waits for a leader. If WeChat cannot answer, the wish is held for
    /// review rather than refused: residents are not blocked by an outage, and nothing unchecked
    /// goes public.
    pub(super) async fn needs_review(&self, caller: &Caller, text: &str) -> Result<bool, ApiError> {
        if !self.settings.wechat.content_check {
            return Ok(false);
        }
        let mut conn = self.db.pool().acquire().await?;
        let openid = microwish_core::people::user::get(&mut conn, caller.user_id)
            .await?
            .openid;
        drop(conn);
        match self.wechat.msg_sec_check(&openid, 3, text).await {
            Ok(v) if v.suggest == Suggest::Risky => Err(ApiError::invalid(
                "content_rejected",
                "the text was refused by the content check; please rephrase it",
            )),
            Ok(v) => Ok(v.suggest == Suggest::Review),
            Err(err) => {
                tracing::warn!(error = %err, "msg_sec_check failed; holding the wish for review");
                Ok(true)
            }
        }
    }
}

#[OpenApi(tag = "Tag::Wishes")]
impl WishApi {
    /// Post a wish (for yourself, or — staff — for a resident with their consent).
    #[oai(path = "/wishes", method = "post")]
    async fn create(&self, auth: BearerAuth, body: Json<NewWishBody>) -> Result<Created, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let now = self.0.clock.now_ms();
        let new = body.0.parse(now)?;
        let urgent = new.urgency == Urgency::Urgent;
        self.0.limits.post_wish(&self.0.db, caller.user_id, urgent, now).await?;
        let text = format!("{}\n{}", new.title.as_str(), new.description.as_str());
        let review = self.0.needs_review(&caller, &text).await?;
        let mut tx = self.0.db.begin_write().await?;
        let wish = store::create(&mut tx, &caller, new, &self.0.settings.wishes, review, now).await?;
        let view = self.0.present_in(&mut tx, &caller, wish).await?;
        tx.commit().await?;
        self.0.outbox_wake.notify_one();
        Ok(Created::Wish(Json(view)))
    }

    /// Browse wishes you may see, newest first.
    ///
    /// - `mine=true` is the **"mine" view**: the wishes you posted, are the resident of, or hold
    ///   (a slot of) — for a volunteer, what they hold and served.
    /// - `order=for_me` (with `status=open`, or no status) is the volunteer's view of what to
    ///   claim next: wishes in your own grid and of a category among your skills first (then your
    ///   grid only, then your skills only, then the rest), and within each the soonest due first —
    ///   the earlier of the resident's `due_at` and the moment the wish would alert its grid
    ///   leader as unclaimed — newest first among equals. Your own wishes and those a co-building
    ///   project serves are left out. Its `next_cursor` only continues this order. Not with
    ///   `mine=true`; any other status is refused (422).
    /// - `referred=true` keeps those referred to co-building, `false` the others.
    #[oai(path = "/wishes", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: BearerAuth,
        status: Query<Option<String>>,
        grid_id: Query<Option<i64>>,
        category: Query<Option<String>>,
        mine: Query<Option<bool>>,
        referred: Query<Option<bool>>,
        order: Query<Option<String>>,
        cursor: Query<Option<String>>,
        limit: Query<Option<i64>>,
    ) -> Result<JsonBytes<WishPage>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let filter = parse_filter(ListQuery {
            status: status.0,
            grid_id: grid_id.0,
            category: category.0,
            mine: mine.0,
            referred: referred.0,
            order: order.0,
            cursor: cursor.0,
            limit: limit.0,
        })?;
        self.0.wish_page(&caller, &filter).await
    }

    /// One wish, with the photos the caller may see.
    #[oai(path = "/wishes/:id", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<WishView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let wish = store::get(&mut conn, &caller, id.0).await?;
        let photos = microwish_core::photo::store::on_wish(&mut conn, &caller, &wish).await?;
        drop(conn);
        let mut view = self.0.present_one(&caller, wish).await?;
        view.photos = Some(photos.into_iter().map(Into::into).collect());
        Ok(Json(view))
    }

    /// Everything that happened to a wish, oldest first. For the resident's side, the step that
    /// gave the wish to its current holder names them (`volunteer_name`: "王师傅 claimed").
    #[oai(path = "/wishes/:id/timeline", method = "get")]
    async fn timeline(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<Vec<TimelineView>>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let (wish, entries) = store::timeline(&mut conn, &caller, id.0).await?;
        drop(conn);
        Ok(Json(self.0.present_timeline(&caller, wish, entries).await?))
    }
}
