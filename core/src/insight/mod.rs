//! Insight: the four indicators of old-community governance — participation, coordination,
//! supply–demand and resources — per grid and month and for the whole community, each measure
//! with its written definition ([`catalog`]), last month's value and the trend. The current month
//! is computed live; a closed month is read from its snapshot ([`snapshot`]).

pub mod catalog;
mod coordination;
pub mod figure;
pub mod month;
mod participation;
mod resources;
pub mod snapshot;
mod supply;
pub mod table;
mod window;

use sqlx::AnyConnection;

pub use catalog::{Indicator, Info, MEASURES};
pub use figure::Figure;
pub use month::Month;
use snapshot::Figures;
use window::Window;

use crate::config::Settings;
use crate::db::Db;
use crate::error::{CoreError, CoreResult};

/// One measure of a report.
#[derive(Debug, Clone)]
pub struct Line {
    /// What it is and how it is defined.
    pub info: &'static Info,
    /// This month's figure.
    pub figure: Figure,
    /// Last month's figure.
    pub previous: Figure,
}

impl Line {
    /// up, down or flat since last month; none when either month has no number.
    pub fn trend(&self) -> Option<&'static str> {
        figure::trend(&self.figure, &self.previous)
    }
}

/// The four indicators of one scope and month.
#[derive(Debug, Clone)]
pub struct Report {
    /// The month.
    pub month: Month,
    /// The grid, or none for the whole community.
    pub grid: Option<i64>,
    /// True for the current month (figures move); false for a closed, kept month.
    pub live: bool,
    /// When the figures were computed, epoch ms.
    pub computed_at: i64,
    /// Every measure, in catalog order.
    pub lines: Vec<Line>,
}

impl Report {
    /// The lines of one indicator.
    pub fn of(&self, indicator: Indicator) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(move |l| l.info.indicator == indicator)
    }
}

/// The community's time zone (validated at start; UTC if it somehow is not known).
pub fn tz(settings: &Settings) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(&settings.community.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// Who may read the indicators: admins (the party secretary) everything, a grid's leader that
/// grid. Decided here for the API and the console alike.
pub fn may_read(caller: &crate::people::Caller, grid: Option<i64>) -> bool {
    caller.is_admin() || grid.is_some_and(|g| caller.oversees(g))
}

/// Computes one measure.
async fn measure(conn: &mut AnyConnection, w: &Window<'_>, key: &str) -> CoreResult<Figure> {
    use {coordination as c, participation as p, resources as r, supply as s};
    match key {
        "households_active" => p::households_active(conn, w).await,
        "party_members_active" => p::party_members_active(conn, w).await,
        "in_service_members_on_track" => p::in_service_members_on_track(conn, w).await,
        "event_attendance" => p::event_attendance(conn, w).await,
        "median_minutes_to_claim" => c::median_minutes_to_claim(conn, w).await,
        "median_minutes_to_fulfil" => c::median_minutes_to_fulfil(conn, w).await,
        "claimed_within_sla" => c::claimed_within_sla(conn, w).await,
        "escalations" => c::escalations(conn, w).await,
        "median_minutes_to_acknowledge" => c::median_minutes_to_acknowledge(conn, w).await,
        "handoffs" => c::handoffs(conn, w).await,
        "fulfilment_rate" => s::fulfilment_rate(conn, w).await,
        "unclaimed_past_sla" => s::unclaimed_past_sla(conn, w).await,
        "demand" => s::demand(conn, w).await,
        "volunteer_supply" => s::volunteer_supply(conn, w).await,
        "demand_per_volunteer" => s::demand_per_volunteer(conn, w).await,
        "average_rating" => s::average_rating(conn, w).await,
        "callbacks" => s::callbacks(conn, w).await,
        "active_units" => r::active_units(conn, w).await,
        "resources_offered" => r::resources_offered(conn, w).await,
        "resources_used" => r::resources_used(conn, w).await,
        "projects_delivered" => r::projects_delivered(conn, w).await,
        "volunteer_hours" => r::volunteer_hours(conn, w).await,
        "unit_and_member_hours" => r::unit_and_member_hours(conn, w).await,
        other => unreachable!("measure {other} is in the catalog but has no function"),
    }
}

/// Computes every measure of `grid` (0 = community) for `month` from the facts as they are now.
pub async fn compute(conn: &mut AnyConnection, settings: &Settings, grid: i64, month: Month) -> CoreResult<Figures> {
    let (start, end) = month.range(&tz(settings));
    let w = Window {
        grid,
        start,
        end,
        settings,
    };
    let mut out = Figures::new();
    for info in MEASURES {
        out.insert(info.key.to_string(), measure(conn, &w, info.key).await?);
    }
    Ok(out)
}

/// The figures of `month` for `grid`: live for the current month, kept for a closed one (kept
/// now if this is the first time anyone asks), with when they were computed.
pub async fn figures(
    db: &Db,
    settings: &Settings,
    grid: i64,
    month: Month,
    now: i64,
) -> CoreResult<(Figures, i64, bool)> {
    let current = Month::containing(&tz(settings), now);
    if month > current {
        return Err(CoreError::invalid("invalid_month", "month: not a month that has begun"));
    }
    let mut conn = db.pool().acquire().await?;
    if month == current {
        return Ok((compute(&mut conn, settings, grid, month).await?, now, true));
    }
    if let Some((kept, at)) = snapshot::get(&mut conn, month, grid).await? {
        return Ok((kept, at, false));
    }
    let computed = compute(&mut conn, settings, grid, month).await?;
    drop(conn);
    let mut tx = db.begin_write().await?;
    snapshot::put(&mut tx, month, grid, &computed, now).await?;
    tx.commit().await?;
    // Another server may have kept the month first: its figures are the ones that stand.
    let mut conn = db.pool().acquire().await?;
    Ok(snapshot::get(&mut conn, month, grid)
        .await?
        .map_or((computed, now, false), |(kept, at)| (kept, at, false)))
}

/// The report of `grid` (none = community) for `month`, with last month beside it.
pub async fn report(db: &Db, settings: &Settings, grid: Option<i64>, month: Month, now: i64) -> CoreResult<Report> {
    let scope = grid.unwrap_or(0);
    let (this, computed_at, live) = figures(db, settings, scope, month, now).await?;
    let (before, _, _) = figures(db, settings, scope, month.previous(), now).await?;
    let pick = |f: &Figures, key: &str| {
        f.get(key)
            .cloned()
            .unwrap_or_else(|| Figure::none("not measured when the month was closed"))
    };
    let lines = MEASURES
        .iter()
        .map(|info| Line {
            info,
            figure: pick(&this, info.key),
            previous: pick(&before, info.key),
        })
        .collect();
    Ok(Report {
        month,
        grid,
        live,
        computed_at,
        lines,
    })
}

/// Keeps last month's figures for the community and every grid once it has ended (the
/// scheduler calls this every scan; after the first success it is one count query).
pub async fn close_last_month(db: &Db, settings: &Settings, now: i64) -> CoreResult<usize> {
    let last = Month::containing(&tz(settings), now).previous();
    let mut conn = db.pool().acquire().await?;
    let grids = crate::people::grid::list(&mut conn).await?;
    if snapshot::count(&mut conn, last).await? > grids.len() as i64 {
        return Ok(0);
    }
    drop(conn);
    let scopes: Vec<i64> = std::iter::once(0).chain(grids.iter().map(|g| g.id)).collect();
    for &grid in &scopes {
        figures(db, settings, grid, last, now).await?;
    }
    Ok(scopes.len())
}
