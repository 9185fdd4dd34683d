//! Alerts for grid leaders and admins (list, acknowledge, resolve), a grid's overview, and the
//! vulnerable-resident flag that makes their wishes alert at once.

use poem::Request;
use poem::http::header::ACCEPT_LANGUAGE;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::Lang;
use microwish_core::alert::{Alert, store};
use microwish_core::clock::rfc3339;
use microwish_core::fields::Note;
use microwish_core::overview;
use microwish_core::people::user;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// An alert somebody must act on.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct AlertView {
    id: i64,
    /// unclaimed, unclaimed_escalated, urgent, vulnerable, overdue_claim, callback, callback_overdue.
    kind: String,
    /// 1 = the grid leader, 2 = the community admins.
    level: i64,
    wish_id: Option<i64>,
    grid_id: i64,
    /// open, acknowledged, resolved.
    status: String,
    /// One line saying what is wrong, in the request's `Accept-Language` (Simplified Chinese
    /// unless English is asked for first).
    summary: String,
    /// Deadline (callbacks).
    due_at: Option<String>,
    created_at: String,
    acked_by: Option<i64>,
    acked_at: Option<String>,
    resolved_by: Option<i64>,
    resolved_at: Option<String>,
    resolution_note: Option<String>,
}

impl AlertView {
    /// The alert as `lang`'s reader sees it: its line rendered in that language.
    fn of(a: Alert, lang: Lang) -> Self {
        Self {
            id: a.id,
            summary: a.summary(lang),
            kind: a.kind,
            level: a.level,
            wish_id: a.wish_id,
            grid_id: a.grid_id,
            status: a.status,
            due_at: a.due_at.map(rfc3339),
            created_at: rfc3339(a.created_at),
            acked_by: a.acked_by,
            acked_at: a.acked_at.map(rfc3339),
            resolved_by: a.resolved_by,
            resolved_at: a.resolved_at.map(rfc3339),
            resolution_note: a.resolution_note,
        }
    }
}

/// How an alert was resolved (e.g. what the callback found).
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct ResolveBody {
    /// Up to 500 characters.
    note: Text,
}

/// A grid's indicators.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct OverviewView {
    grid_id: i64,
    /// The period, in days up to now.
    days: i64,
    open: i64,
    overdue: i64,
    escalated: i64,
    open_alerts: i64,
    closed: i64,
    median_minutes_to_claim: Option<i64>,
    median_minutes_to_fulfil: Option<i64>,
    average_rating: Option<f64>,
}

/// The vulnerable flag.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct VulnerableBody {
    vulnerable: bool,
    /// Why (living alone, elderly, disabled), up to 500 characters.
    note: Option<Text>,
}

/// The flag as set.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct VulnerableView {
    id: i64,
    vulnerable: bool,
    note: Option<String>,
}

/// The language an alert's line is rendered in: the request's `Accept-Language` (its first
/// tag: any `en…` reads English), Simplified Chinese otherwise.
fn reader_lang(req: &Request) -> Lang {
    let header = req.header(ACCEPT_LANGUAGE);
    header.map_or(Lang::ZhCn, Lang::from_tag)
}

pub struct AlertApi(pub AppState);

#[OpenApi(tag = "Tag::Community")]
impl AlertApi {
    /// Alerts you are responsible for (a leader's grids; everything for admins), newest first.
    #[oai(path = "/alerts", method = "get")]
    async fn list(
        &self,
        req: &Request,
        auth: BearerAuth,
        status: Query<Option<String>>,
        grid_id: Query<Option<i64>>,
        limit: Query<Option<i64>>,
    ) -> Result<Json<Vec<AlertView>>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        if let Some(s) = status
            .0
            .as_deref()
            .filter(|s| !["open", "acknowledged", "resolved"].contains(s))
        {
            return Err(ApiError::invalid(
                "invalid_field",
                format!("status: `{s}` is not open, acknowledged or resolved"),
            ));
        }
        let limit = limit.0.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(ApiError::invalid("invalid_field", "limit: must be 1 to 1000"));
        }
        let mut conn = self.0.db.pool().acquire().await?;
        let alerts = store::list(&mut conn, &caller, status.0.as_deref(), grid_id.0, limit).await?;
        let lang = reader_lang(req);
        Ok(Json(alerts.into_iter().map(|a| AlertView::of(a, lang)).collect()))
    }

    /// Acknowledge an alert: you have seen it and are on it (stops its escalation).
    #[oai(path = "/alerts/:id/ack", method = "post")]
    async fn ack(&self, req: &Request, auth: BearerAuth, id: Path<i64>) -> Result<Json<AlertView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        let alert = store::acknowledge(&mut tx, &caller, id.0, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(AlertView::of(alert, reader_lang(req))))
    }

    /// Resolve an alert with what was done (for a callback: what the resident said).
    #[oai(path = "/alerts/:id/resolve", method = "post")]
    async fn resolve(
        &self,
        req: &Request,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<ResolveBody>,
    ) -> Result<Json<AlertView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let note = Note::parse(&body.0.note)?;
        if note.as_str().is_empty() {
            return Err(ApiError::invalid("invalid_field", "note: required"));
        }
        let mut tx = self.0.db.begin_write().await?;
        let alert = store::resolve(&mut tx, &caller, id.0, note.as_str(), self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(AlertView::of(alert, reader_lang(req))))
    }

    /// A grid's indicators over the last `days` (default 30): open, overdue, escalated, median
    /// time to claim and to fulfil, average rating.
    #[oai(path = "/grids/:id/overview", method = "get")]
    async fn overview(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        days: Query<Option<i64>>,
    ) -> Result<Json<OverviewView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let days = days.0.unwrap_or(30);
        if !(1..=366).contains(&days) {
            return Err(ApiError::invalid("invalid_field", "days: must be 1 to 366"));
        }
        if !caller.oversees(id.0) {
            return Err(ApiError::forbidden(
                "only this grid's leader and admins see its overview",
            ));
        }
        let now = self.0.clock.now_ms();
        let mut conn = self.0.db.pool().acquire().await?;
        microwish_core::people::grid::get(&mut conn, id.0).await?;
        let age = self.0.settings.escalation.claim_overdue_after.as_millis_i64();
        let o = overview::grid(&mut conn, id.0, now - days * 86_400_000, now, age).await?;
        Ok(Json(OverviewView {
            grid_id: id.0,
            days,
            open: o.open,
            overdue: o.overdue,
            escalated: o.escalated,
            open_alerts: o.open_alerts,
            closed: o.closed,
            median_minutes_to_claim: o.median_minutes_to_claim,
            median_minutes_to_fulfil: o.median_minutes_to_fulfil,
            average_rating: o.average_rating,
        }))
    }

    /// Grid leader or admin: mark a resident as needing special attention; their wishes then
    /// alert the leader at once. Only leaders and admins ever see this flag.
    #[oai(path = "/residents/:id/vulnerable", method = "put")]
    async fn vulnerable(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        body: Json<VulnerableBody>,
    ) -> Result<Json<VulnerableView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let note = body.0.note.as_deref().map(Note::parse).transpose()?;
        let mut tx = self.0.db.begin_write().await?;
        let now = self.0.clock.now_ms();
        let (vulnerable, note) = user::set_vulnerable(
            &mut tx,
            &caller,
            id.0,
            body.0.vulnerable,
            note.as_ref().map(Note::as_str),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Json(VulnerableView {
            id: id.0,
            vulnerable,
            note,
        }))
    }
}
