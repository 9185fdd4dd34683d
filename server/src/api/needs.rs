//! A grid's needs list (需求清单) and its supply and demand per category, over HTTP: what a
//! leader turns into projects, and where to recruit or which unit to ask. The grid's leader and
//! admins read them.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::cobuild::needs::{self, CategoryNeeds, Need, NeedsHelpVisit};
use microwish_core::cobuild::{period, supply};
use microwish_core::insight::tz;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;

/// A wish still waiting.
#[derive(Object)]
struct NeedView {
    wish_id: i64,
    title: String,
    /// pending_review or open.
    status: String,
    created_at: String,
    /// Open and unclaimed past its category's limit.
    past_sla: bool,
    /// Referred to co-building.
    referred: bool,
    /// Slots still free.
    slots_free: i64,
}

/// The waiting wishes of one category.
#[derive(Object)]
struct CategoryNeedsView {
    category: String,
    /// How many wait.
    waiting: i64,
    /// Of those, open past the category's limit.
    unclaimed_past_sla: i64,
    /// Of those, referred to co-building.
    referred: i64,
    /// Oldest first.
    wishes: Vec<NeedView>,
}

impl From<CategoryNeeds> for CategoryNeedsView {
    fn from(c: CategoryNeeds) -> Self {
        let count = |f: fn(&Need) -> bool| c.wishes.iter().filter(|w| f(w)).count() as i64;
        Self {
            waiting: c.wishes.len() as i64,
            unclaimed_past_sla: count(|w| w.past_sla),
            referred: count(|w| w.referred),
            category: c.category,
            wishes: c
                .wishes
                .into_iter()
                .map(|w| NeedView {
                    wish_id: w.wish_id,
                    title: w.title,
                    status: w.status,
                    created_at: rfc3339(w.created_at),
                    past_sla: w.past_sla,
                    referred: w.referred,
                    slots_free: w.slots_free,
                })
                .collect(),
        }
    }
}

/// People under one care category.
#[derive(Object)]
struct CareCount {
    /// A care category of `register.care_tags`.
    tag: String,
    people: i64,
}

/// A visit of the last 30 days that found someone in need.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct NeedsHelpView {
    visit_id: i64,
    resident_id: i64,
    name: String,
    at: String,
    note: String,
    /// The wish the visit opened.
    wish_id: Option<i64>,
    /// That wish's status now.
    wish_status: Option<String>,
}

impl From<NeedsHelpVisit> for NeedsHelpView {
    fn from(v: NeedsHelpVisit) -> Self {
        Self {
            visit_id: v.visit_id,
            resident_id: v.resident_id,
            name: v.name,
            at: rfc3339(v.at),
            note: v.note,
            wish_id: v.wish.as_ref().map(|(id, _)| *id),
            wish_status: v.wish.map(|(_, status)| status),
        }
    }
}

/// A grid's needs list.
#[derive(Object)]
struct NeedsView {
    grid_id: i64,
    /// Waiting wishes (under review or open, in no live project) by category.
    categories: Vec<CategoryNeedsView>,
    /// People under care, by care category.
    care: Vec<CareCount>,
    /// Visits of the last 30 days that found someone in need, newest first.
    needs_help: Vec<NeedsHelpView>,
}

/// One category's supply and demand.
#[derive(Object)]
struct BalanceView {
    category: String,
    /// Wishes posted in the period.
    demand: i64,
    /// Of those, still under review or open.
    open: i64,
    /// Of those, open and unclaimed past the category's limit.
    unclaimed_past_sla: i64,
    /// Of those, referred to co-building.
    referred: i64,
    /// Volunteers of the grid with this skill active in the 30 days up to the period's end.
    volunteers: i64,
    /// Co-building resources of this category available now.
    resources: i64,
}

/// A grid's supply and demand.
#[derive(Object)]
struct SupplyDemandView {
    grid_id: i64,
    /// The period's first day (YYYY-MM-DD, community time zone).
    from: String,
    /// Its last day.
    to: String,
    /// Every configured category.
    categories: Vec<BalanceView>,
}

pub struct NeedsApi(pub AppState);

#[OpenApi(tag = "Tag::CoBuilding")]
impl NeedsApi {
    /// The grid's needs list (需求清单): waiting wishes by category — how many past their limit,
    /// how many referred — people under care by category, and visits that found someone in need.
    #[oai(path = "/grids/:id/needs", method = "get")]
    async fn needs(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<NeedsView>, ApiError> {
        let state = &self.0;
        let caller = state.caller(&auth).await?;
        let mut conn = state.db.pool().acquire().await?;
        let n = needs::of_grid(&mut conn, &caller, id.0, &state.settings, state.clock.now_ms()).await?;
        Ok(Json(NeedsView {
            grid_id: n.grid_id,
            categories: n.categories.into_iter().map(Into::into).collect(),
            care: n
                .care
                .into_iter()
                .map(|(tag, people)| CareCount { tag, people })
                .collect(),
            needs_help: n.needs_help.into_iter().map(Into::into).collect(),
        }))
    }

    /// The grid's supply and demand per category over `period` (month, quarter, year: this
    /// calendar one) or `from`–`to` (YYYY-MM-DD, both included).
    #[oai(path = "/grids/:id/supply-demand", method = "get")]
    async fn supply_demand(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        period: Query<Option<String>>,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
    ) -> Result<Json<SupplyDemandView>, ApiError> {
        let state = &self.0;
        let caller = state.caller(&auth).await?;
        let now = state.clock.now_ms();
        let window = period::parse(
            period.0.as_deref(),
            (from.0.as_deref(), to.0.as_deref()),
            &tz(&state.settings),
            now,
        )?;
        let mut conn = state.db.pool().acquire().await?;
        let list = supply::of_grid(&mut conn, &caller, id.0, &window, &state.settings, now).await?;
        let categories = list
            .into_iter()
            .map(|b| BalanceView {
                category: b.category,
                demand: b.demand,
                open: b.open,
                unclaimed_past_sla: b.unclaimed_past_sla,
                referred: b.referred,
                volunteers: b.volunteers,
                resources: b.resources,
            })
            .collect();
        Ok(Json(SupplyDemandView {
            grid_id: id.0,
            from: window.first_day.to_string(),
            to: window.last_day.to_string(),
            categories,
        }))
    }
}
