//! Editing a wish over HTTP: `PUT /wishes/{id}` by its resident or whoever posted it, while it is
//! under review or open — the new text passes the same content check as a new wish's — and
//! stopping a recurring wish (`DELETE /wishes/{id}/repeat`).

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::fields::{Description, Title};
use microwish_core::wish::{WishEdit, series, store};

use super::Tag;
use super::wishes::{parse_due_at, parse_urgency};
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;
use crate::views::WishView;

/// The fields to change; those left out stay as they are (at least one is required).
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct EditWishBody {
    /// Up to 40 characters.
    title: Option<Text>,
    /// Up to 1,000 characters.
    description: Option<Text>,
    /// A code from `GET /api/v1/categories`.
    category: Option<Text>,
    /// normal or urgent.
    urgency: Option<Text>,
    /// Wanted by (RFC 3339, in the future).
    due_at: Option<Text>,
}

impl EditWishBody {
    fn parse(self, now: i64) -> Result<WishEdit, ApiError> {
        let edit = WishEdit {
            title: self.title.as_deref().map(Title::parse).transpose()?,
            description: self.description.as_deref().map(Description::parse).transpose()?,
            category: self.category.map(Text::into_inner),
            urgency: self.urgency.as_deref().map(parse_urgency).transpose()?,
            due_at: self.due_at.as_deref().map(|t| parse_due_at(t, now)).transpose()?,
        };
        let empty = edit.title.is_none()
            && edit.description.is_none()
            && edit.category.is_none()
            && edit.urgency.is_none()
            && edit.due_at.is_none();
        if empty {
            return Err(ApiError::invalid(
                "invalid_field",
                "give at least one of title, description, category, urgency, due_at",
            ));
        }
        Ok(edit)
    }

    /// The new text the content check reads: what the edit writes of title and description.
    fn text(edit: &WishEdit) -> Option<String> {
        let parts: Vec<&str> = [
            edit.title.as_ref().map(Title::as_str),
            edit.description.as_ref().map(Description::as_str),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join("\n"))
    }
}

pub struct WishEditApi(pub AppState);

#[OpenApi(tag = "Tag::Wishes")]
impl WishEditApi {
    /// Resident (or whoever posted it): change a wish's title, description, category, urgency or
    /// due date while it is under review or open; once a volunteer holds it, 409
    /// `invalid_transition`. New text passes the content check again; when review is required
    /// (`wishes.review_required`, or the check asks for it) the wish goes back to its grid leader
    /// (`pending_review`). The timeline records the edit and the fields it changed.
    #[oai(path = "/wishes/:id", method = "put")]
    async fn edit(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<EditWishBody>,
    ) -> Result<Json<WishView>, ApiError> {
        let state = &self.0;
        let caller = state.caller(&auth).await?;
        let now = state.clock.now_ms();
        let edit = body.0.parse(now)?;
        let mut conn = state.db.pool().acquire().await?;
        store::check_edit(&mut conn, &caller, id.0).await?;
        drop(conn);
        let review = match EditWishBody::text(&edit) {
            Some(text) => state.needs_review(&caller, &text).await?,
            None => false,
        };
        let mut tx = state.db.begin_write().await?;
        let wish = store::edit(&mut tx, &caller, id.0, edit, &state.settings.wishes, review, now).await?;
        let view = state.present_in(&mut tx, &caller, wish).await?;
        tx.commit().await?;
        state.outbox_wake.notify_one();
        Ok(Json(view))
    }

    /// Resident (or whoever posted it), the grid's leader or an admin: stop a recurring wish — no
    /// occurrence opens after the ones there are; this one stays as it is (cancel it to withdraw
    /// it too). 403 for anyone else, 409 `not_repeating` when it does not repeat (any more). The
    /// timeline records `stop_repeat`.
    #[oai(path = "/wishes/:id/repeat", method = "delete")]
    async fn stop_repeat(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<WishView>, ApiError> {
        let state = &self.0;
        let caller = state.caller(&auth).await?;
        let mut tx = state.db.begin_write().await?;
        let wish = series::stop_for(&mut tx, &caller, id.0, state.clock.now_ms()).await?;
        let view = state.present_in(&mut tx, &caller, wish).await?;
        tx.commit().await?;
        Ok(Json(view))
    }
}
