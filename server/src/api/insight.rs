//! The four indicators over HTTP: one scope and month as JSON (each measure with its definition,
//! last month's value and the trend), and every grid × month as CSV. Admins see everything, a
//! grid's leader that grid (`insight::may_read`).

use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::clock::rfc3339;
use microwish_core::insight::{self, Indicator, Line, Month, Report, table};

use super::Tag;
use super::register_csv::Csv;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;

/// A measure's count for one wish category.
#[derive(Object)]
struct CategoryFigure {
    category: String,
    value: f64,
}

/// One measure of an indicator.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MeasureView {
    key: String,
    /// share (0–1), count, minutes, hours, rating or ratio.
    unit: String,
    /// How it is computed (English).
    definition: String,
    /// How it is computed (Chinese).
    definition_zh: String,
    /// This month's value; left out when there is none, and then `unavailable` says why.
    value: Option<f64>,
    /// Why there is no value (data not recorded yet, or nothing to measure).
    unavailable: Option<String>,
    /// Last month's value, when it had one.
    previous: Option<f64>,
    /// up, down or flat against last month, when both have a value.
    trend: Option<String>,
    /// Per wish category, for the measures counted by category.
    by_category: Option<Vec<CategoryFigure>>,
}

impl From<&Line> for MeasureView {
    fn from(l: &Line) -> Self {
        let by_category = (!l.figure.by_category.is_empty()).then(|| {
            l.figure
                .by_category
                .iter()
                .map(|(category, value)| CategoryFigure {
                    category: category.clone(),
                    value: *value,
                })
                .collect()
        });
        Self {
            key: l.info.key.into(),
            unit: l.info.unit.into(),
            definition: l.info.en.into(),
            definition_zh: l.info.zh.into(),
            value: l.figure.value,
            unavailable: l.figure.unavailable.clone(),
            previous: l.previous.value,
            trend: l.trend().map(Into::into),
            by_category,
        }
    }
}

/// The four indicators of a grid (or the community) for a month.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct InsightView {
    /// YYYY-MM.
    month: String,
    /// Left out for the whole community.
    grid_id: Option<i64>,
    /// True for the current month (figures still move); false for a closed month, kept as computed.
    live: bool,
    computed_at: String,
    participation: Vec<MeasureView>,
    coordination: Vec<MeasureView>,
    supply_demand: Vec<MeasureView>,
    resources: Vec<MeasureView>,
}

impl From<Report> for InsightView {
    fn from(r: Report) -> Self {
        let of = |i: Indicator| r.of(i).map(MeasureView::from).collect();
        Self {
            month: r.month.to_string(),
            grid_id: r.grid,
            live: r.live,
            computed_at: rfc3339(r.computed_at),
            participation: of(Indicator::Participation),
            coordination: of(Indicator::Coordination),
            supply_demand: of(Indicator::SupplyDemand),
            resources: of(Indicator::Resources),
        }
    }
}

/// Every grid × month.
#[derive(ApiResponse)]
enum Sheet {
    /// Columns month, grid_id (empty for the community), grid, then one per measure key (empty
    /// where there is no value).
    #[oai(status = 200)]
    Csv(Csv),
}

pub struct InsightApi(pub AppState);

impl InsightApi {
    fn month(&self, text: Option<&str>) -> Result<Month, ApiError> {
        let tz = insight::tz(&self.0.settings);
        Ok(match text {
            Some(text) => Month::parse(text)?,
            None => Month::containing(&tz, self.0.clock.now_ms()),
        })
    }
}

#[OpenApi(tag = "Tag::Community")]
impl InsightApi {
    /// The four indicators — participation, coordination, supply–demand, resources — of a grid
    /// (`grid_id`) or the whole community (no `grid_id`: admins) for `month` (YYYY-MM, default
    /// this month, community time zone).
    #[oai(path = "/insight", method = "get")]
    async fn get(
        &self,
        auth: BearerAuth,
        month: Query<Option<String>>,
        grid_id: Query<Option<i64>>,
    ) -> Result<Json<InsightView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        if !insight::may_read(&caller, grid_id.0) {
            return Err(ApiError::forbidden(
                "admins see the community; a grid's leader sees the grid",
            ));
        }
        let month = self.month(month.0.as_deref())?;
        if let Some(grid) = grid_id.0 {
            let mut conn = self.0.db.pool().acquire().await?;
            microwish_core::people::grid::get(&mut conn, grid).await?;
        }
        let now = self.0.clock.now_ms();
        let report = insight::report(&self.0.db, &self.0.settings, grid_id.0, month, now).await?;
        Ok(Json(report.into()))
    }

    /// Every grid × month from `from` to `to` (YYYY-MM; default the twelve months up to this
    /// one; at most 36) as CSV, a community row first in each month. Admins only.
    #[oai(path = "/insight.csv", method = "get")]
    async fn csv(
        &self,
        auth: BearerAuth,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
    ) -> Result<Sheet, ApiError> {
        let caller = self.0.caller(&auth).await?;
        if !insight::may_read(&caller, None) {
            return Err(ApiError::forbidden("admins only"));
        }
        let to = self.month(to.0.as_deref())?;
        let from = match from.0.as_deref() {
            Some(text) => Month::parse(text)?,
            None => (0..11).fold(to, |m, _| m.previous()),
        };
        let months = table::months(from, to)?;
        let mut out = Vec::new();
        table::write(&self.0.db, &self.0.settings, &months, self.0.clock.now_ms(), &mut out).await?;
        Ok(Sheet::Csv(Csv(out)))
    }
}
