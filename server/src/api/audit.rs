//! The audit log over HTTP (admins): who saw whose contact details, and every admin and leader
//! action with power, newest first, filtered and paged.

use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::audit::{self, Entry, FilterText};
use microwish_core::clock::rfc3339;
use microwish_core::insight::tz;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;

/// One entry of the audit log.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AuditEntryView {
    /// `contact_view` (a resident's contact details shown), `volunteer_contact_view` (the holding
    /// volunteer's shown to the resident's side), or the action, e.g. `grid.create`, `roles.set`,
    /// `person.remove`, `residence.approve`, `wish.assign`, `unit.create`.
    kind: String,
    /// Who acted (absent: the operator at the command line).
    actor_id: Option<i64>,
    actor_name: Option<String>,
    /// What it was done to: user, grid, building, household, person, wish, event, notification,
    /// residence_request, branch, import, unit, resource.
    subject_type: String,
    subject_id: Option<i64>,
    /// The subject's name, when it is a user.
    subject_name: Option<String>,
    /// The grid it concerns, when known.
    grid_id: Option<i64>,
    /// The particulars: names, values before and after, counts (a reveal's: its `wish_id`).
    detail: serde_json::Value,
    at: String,
}

impl From<Entry> for AuditEntryView {
    fn from(e: Entry) -> Self {
        Self {
            kind: e.kind,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            subject_type: e.subject_type,
            subject_id: e.subject_id,
            subject_name: e.subject_name,
            grid_id: e.grid_id,
            detail: e.detail,
            at: rfc3339(e.at),
        }
    }
}

/// A page of the audit log.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AuditPage {
    items: Vec<AuditEntryView>,
    /// Pass as `cursor` for the next page; absent on the last.
    next_cursor: Option<String>,
}

pub struct AuditApi(pub AppState);

#[OpenApi(tag = "Tag::Admin", prefix_path = "/admin")]
impl AuditApi {
    /// The audit log, newest first (admins). `kind`: `contact_view`, `volunteer_contact_view`, an
    /// action (`grid.create`) or a family (`grid`); `actor_id`; `subject`: `TYPE` or `TYPE:ID` (a
    /// reveal's subject is the person whose details were shown, `user:ID`, or its wish, `wish:ID`); `from`/`to`: a date (`2026-12-01`, a day in the
    /// community's zone, `to` included) or an RFC 3339 time (`to` excluded); `limit` 1 to 500.
    #[oai(path = "/audit", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &self,
        auth: BearerAuth,
        kind: Query<Option<String>>,
        actor_id: Query<Option<i64>>,
        subject: Query<Option<String>>,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
        cursor: Query<Option<String>>,
        limit: Query<Option<i64>>,
    ) -> Result<Json<AuditPage>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        if !caller.is_admin() {
            return Err(ApiError::forbidden("admins only"));
        }
        let text = FilterText {
            kind: kind.0.as_deref(),
            actor_id: actor_id.0,
            subject: subject.0.as_deref(),
            from: from.0.as_deref(),
            to: to.0.as_deref(),
            cursor: cursor.0.as_deref(),
            limit: limit.0,
        };
        let filter = text.parse(&tz(&self.0.settings))?;
        let mut conn = self.0.db.pool().acquire().await?;
        let page = audit::list(&mut conn, &caller, &filter).await?;
        Ok(Json(AuditPage {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        }))
    }
}
