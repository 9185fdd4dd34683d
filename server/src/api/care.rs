//! Care for the vulnerable over HTTP (关爱走访): a resident's care record (the grid's leader), the
//! grid's care list with last and next visit, and visit records by the visitors.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::config::parse_duration;
use microwish_core::fields::Note;
use microwish_core::register::care::{self, CareEntry, CarePlan};
use microwish_core::register::visit::{self, Visit};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// A resident's care record.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct CareBody {
    /// Care categories from `register.care_tags` (lives_alone, empty_nest, …).
    tags: Vec<Text>,
    /// Visit at least this often: `7d`, `14d`, `30d` (1d to 366d).
    visit_every: Text,
    /// The party members or volunteers who visit (at most 10).
    visitor_ids: Vec<i64>,
}

/// A resident under care.
#[derive(Object)]
struct CareView {
    resident_id: i64,
    name: String,
    address: Option<String>,
    tags: Vec<String>,
    /// Visit interval in days.
    visit_every_days: i64,
    visitor_ids: Vec<i64>,
    last_visit_at: Option<String>,
    /// ok, needs_help, not_home.
    last_outcome: Option<String>,
    next_visit_due_at: String,
}

impl From<CareEntry> for CareView {
    fn from(e: CareEntry) -> Self {
        Self {
            resident_id: e.resident_id,
            name: e.name,
            address: e.address,
            tags: e.tags,
            visit_every_days: e.visit_every_ms / 86_400_000,
            visitor_ids: e.visitor_ids,
            last_visit_at: e.last_visit_at.map(rfc3339),
            last_outcome: e.last_outcome,
            next_visit_due_at: rfc3339(e.next_due_at),
        }
    }
}

/// A grid's care list.
#[derive(Object)]
struct CareList {
    /// Soonest due first.
    items: Vec<CareView>,
}

/// What a visit found.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct VisitBody {
    /// ok, needs_help (opens a wish on the resident's behalf), not_home.
    outcome: Text,
    /// Up to 500 characters; with needs_help it becomes the wish's description.
    note: Text,
}

/// A visit.
#[derive(Object)]
struct VisitView {
    id: i64,
    resident_id: i64,
    visitor_id: i64,
    outcome: String,
    note: String,
    /// The wish opened for a needs_help visit.
    #[oai(skip_serializing_if_is_none)]
    wish_id: Option<i64>,
    at: String,
}

impl From<Visit> for VisitView {
    fn from(v: Visit) -> Self {
        Self {
            id: v.id,
            resident_id: v.resident_id,
            visitor_id: v.visitor_id,
            outcome: v.outcome,
            note: v.note,
            wish_id: v.wish_id,
            at: rfc3339(v.at),
        }
    }
}

#[derive(ApiResponse)]
enum VisitRecorded {
    /// The visit.
    #[oai(status = 201)]
    Visit(Json<VisitView>),
}

pub struct CareApi(pub AppState);

#[OpenApi(tag = "Tag::Register")]
impl CareApi {
    /// Set a resident's care record (the leader of their grid, admins): categories, how often
    /// they are visited, and by whom. Visitors are reminded when a visit falls due; the leader is
    /// alerted when it is `register.visit_overdue_after` late.
    #[oai(path = "/residents/:id/care", method = "put")]
    async fn set(&self, auth: BearerAuth, id: Path<i64>, body: Json<CareBody>) -> Result<Json<CareView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let every = parse_duration(&body.0.visit_every)
            .map_err(|e| ApiError::invalid("invalid_field", format!("visit_every: {e}")))?;
        let plan = CarePlan {
            tags: body.0.tags.into_iter().map(Text::into_inner).collect(),
            visit_every_ms: i64::try_from(every.as_millis()).unwrap_or(i64::MAX),
            visitor_ids: body.0.visitor_ids,
        };
        let mut tx = self.0.db.begin_write().await?;
        care::set_plan(&mut tx, &caller, id.0, &plan, &self.0.settings, self.0.clock.now_ms()).await?;
        let entry = care::entry_of(&mut tx, id.0).await?;
        tx.commit().await?;
        Ok(Json(entry.into()))
    }

    /// The care list of a grid (its leader, admins), with each person's last and next visit.
    #[oai(path = "/grids/:id/care", method = "get")]
    async fn list(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<CareList>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let items = care::of_grid(&mut conn, &caller, id.0).await?;
        Ok(Json(CareList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Record a visit (the resident's visitors, the grid's leader, admins). `needs_help` opens a
    /// wish on the resident's behalf in the same step; its id is on the visit.
    #[oai(path = "/residents/:id/visits", method = "post")]
    async fn visit(&self, auth: BearerAuth, id: Path<i64>, body: Json<VisitBody>) -> Result<VisitRecorded, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let note = Note::parse(&body.0.note)?;
        let mut tx = self.0.db.begin_write().await?;
        let visit = visit::record_visit(
            &mut tx,
            &caller,
            id.0,
            &body.0.outcome,
            note,
            &self.0.settings,
            self.0.clock.now_ms(),
        )
        .await?;
        tx.commit().await?;
        self.0.outbox_wake.notify_one();
        Ok(VisitRecorded::Visit(Json(visit.into())))
    }
}
