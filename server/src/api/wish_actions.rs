//! A wish's life cycle over HTTP: approve, reject, claim, assign, release, fulfil, confirm,
//! cancel, refer. Each is one call into core, which decides with the state machine and writes the
//! change, its timeline row and its notifications in one transaction.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::fields::Note;
use microwish_core::wish::Action;
use microwish_core::wish::store::{self, ChangeInput};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;
use crate::views::WishView;

/// A reason (reject, release).
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct ReasonBody {
    /// Why; up to 500 characters.
    reason: Text,
}

/// A release: why, and — for a leader releasing one slot of a wish for several volunteers —
/// whose.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct ReleaseBody {
    /// Why; up to 500 characters.
    reason: Text,
    /// The holder whose slot a leader releases (wishes of several slots; a holder releases their own).
    volunteer_id: Option<i64>,
}

/// An optional reason (cancel).
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct OptionalReasonBody {
    /// Why; up to 500 characters.
    reason: Option<Text>,
}

/// The volunteer's note on fulfilment.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct NoteBody {
    /// What was done; up to 500 characters.
    note: Text,
}

/// The volunteer to assign.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct AssignBody {
    /// A user holding the volunteer role.
    volunteer_id: i64,
}

/// The resident's confirmation.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct ConfirmBody {
    /// 1 (poor) to 5 (excellent).
    rating: i64,
    /// Optional words of thanks or complaint; up to 500 characters.
    comment: Option<Text>,
}

/// A change carrying only a note (a reason, a report, a comment), validated as one.
fn noted(text: Option<Text>) -> Result<ChangeInput, ApiError> {
    let note = text.as_deref().map(Note::parse).transpose()?.map(Note::into_inner);
    Ok(ChangeInput {
        note,
        ..Default::default()
    })
}

pub struct WishActionApi(pub AppState);

impl WishActionApi {
    async fn act(
        &self,
        auth: BearerAuth,
        id: i64,
        action: Action,
        input: ChangeInput,
    ) -> Result<Json<WishView>, ApiError> {
        let state = &self.0;
        let caller = state.caller(&auth).await?;
        let (mut tx, volunteer_locked) = store::begin(&state.db, &caller, id, action).await?;
        let input = ChangeInput {
            volunteer_locked,
            ..input
        };
        let wish = store::apply(
            &mut tx,
            Some(&caller),
            id,
            action,
            input,
            &state.settings,
            state.clock.now_ms(),
        )
        .await?;
        let view = state.present_in(&mut tx, &caller, wish).await?;
        tx.commit().await?;
        state.outbox_wake.notify_one();
        Ok(Json(view))
    }
}

#[OpenApi(tag = "Tag::Wishes")]
impl WishActionApi {
    /// Grid leader: let a wish under review go public.
    #[oai(path = "/wishes/:id/approve", method = "post")]
    async fn approve(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<WishView>, ApiError> {
        self.act(auth, id.0, Action::Approve, ChangeInput::default()).await
    }

    /// Grid leader: turn a wish down, with a reason the resident will read.
    #[oai(path = "/wishes/:id/reject", method = "post")]
    async fn reject(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<ReasonBody>,
    ) -> Result<Json<WishView>, ApiError> {
        self.act(auth, id.0, Action::Reject, noted(Some(body.0.reason))?).await
    }

    /// Volunteer: take an open wish on. Exactly one of many simultaneous claims wins; the others get 409 `claim_lost`.
    #[oai(path = "/wishes/:id/claim", method = "post")]
    async fn claim(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<WishView>, ApiError> {
        self.act(auth, id.0, Action::Claim, ChangeInput::default()).await
    }

    /// Grid leader: give an open wish to a chosen volunteer.
    #[oai(path = "/wishes/:id/assign", method = "post")]
    async fn assign(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<AssignBody>,
    ) -> Result<Json<WishView>, ApiError> {
        let input = ChangeInput {
            volunteer_id: Some(body.0.volunteer_id),
            ..Default::default()
        };
        self.act(auth, id.0, Action::Assign, input).await
    }

    /// Holder or grid leader: give a claimed wish (or one slot of it) back to the open list.
    #[oai(path = "/wishes/:id/release", method = "post")]
    async fn release(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<ReleaseBody>,
    ) -> Result<Json<WishView>, ApiError> {
        let input = ChangeInput {
            volunteer_id: body.0.volunteer_id,
            ..noted(Some(body.0.reason))?
        };
        self.act(auth, id.0, Action::Release, input).await
    }

    /// Grid leader: refer a wish no volunteer can serve (it needs money, a licence, a team) to
    /// co-building. It stays open but no longer escalates, and is listed among the grid's needs
    /// (`GET /api/v1/grids/{id}/needs`) for a project.
    #[oai(path = "/wishes/:id/refer", method = "post")]
    async fn refer(&self, auth: BearerAuth, id: Path<i64>, body: Json<ReasonBody>) -> Result<Json<WishView>, ApiError> {
        self.act(auth, id.0, Action::Refer, noted(Some(body.0.reason))?).await
    }

    /// Holder: report the wish done; the resident is asked to confirm.
    #[oai(path = "/wishes/:id/fulfil", method = "post")]
    async fn fulfil(&self, auth: BearerAuth, id: Path<i64>, body: Json<NoteBody>) -> Result<Json<WishView>, ApiError> {
        self.act(auth, id.0, Action::Fulfil, noted(Some(body.0.note))?).await
    }

    /// Resident (or their grid leader on their behalf): confirm and rate a fulfilled wish.
    #[oai(path = "/wishes/:id/confirm", method = "post")]
    async fn confirm(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<ConfirmBody>,
    ) -> Result<Json<WishView>, ApiError> {
        let input = ChangeInput {
            rating: Some(body.0.rating),
            ..noted(body.0.comment)?
        };
        self.act(auth, id.0, Action::Confirm, input).await
    }

    /// Withdraw: the resident (or whoever posted it) takes back a wish under review, open or
    /// claimed — the holder, if any, hears of it; a grid leader may cancel too. The body is
    /// optional.
    #[oai(path = "/wishes/:id/cancel", method = "post")]
    async fn cancel(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<Option<OptionalReasonBody>>,
    ) -> Result<Json<WishView>, ApiError> {
        let reason = body.0.and_then(|b| b.reason);
        self.act(auth, id.0, Action::Cancel, noted(reason)?).await
    }
}
