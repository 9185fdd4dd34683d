//! The party secretary's dashboard of the four indicators (the same `core::insight` reports the
//! API answers): per indicator, its headline measure as a trend line over six months and — for
//! the community — as bars per grid that drill down to the grid; below, every measure with its
//! definition, last month and the trend. Admins see the community; a grid's leader the grid.

use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use microwish_core::CoreError;
use microwish_core::insight::{self, Figure, Indicator, Line, Month};
use microwish_core::people::grid;

use crate::charts::{self, Mark};
use crate::guard::Signed;
use crate::i18n::Lang;
use crate::{ConsoleState, render};

/// Which month and scope.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    month: Option<String>,
    grid: Option<i64>,
}

/// The measure each indicator's charts show.
fn headline(indicator: Indicator) -> &'static str {
    match indicator {
        Indicator::Participation => "households_active",
        Indicator::Coordination => "median_minutes_to_claim",
        Indicator::SupplyDemand => "fulfilment_rate",
        Indicator::Resources => "volunteer_hours",
    }
}

const MONTHS: usize = 6;

/// A figure as shown: shares as percentages.
fn shown(key: &str, f: &Figure) -> Option<f64> {
    let unit = insight::catalog::info(key).map_or("", |i| i.unit);
    f.value.map(|v| {
        if unit == "share" {
            (v * 1000.0).round() / 10.0
        } else {
            v
        }
    })
}

fn measure_view(l: &Line, lang: Lang, t: &Value) -> Value {
    let show = |f: &Figure| shown(l.info.key, f).map(charts::number);
    json!({
        "key": l.info.key,
        "label": t[format!("m_{}", l.info.key)],
        "definition": if lang == Lang::En { l.info.en } else { l.info.zh },
        // Counts and ratios have no unit word.
        "unit": t.get(format!("unit_{}", l.info.unit)).and_then(Value::as_str).unwrap_or(""),
        "value": show(&l.figure),
        "previous": show(&l.previous),
        "trend": l.trend(),
        "unavailable": l.figure.unavailable,
    })
}

async fn load(
    state: &ConsoleState,
    lang: Lang,
    t: &Value,
    scope: Option<i64>,
    month: Month,
) -> Result<Value, CoreError> {
    let (db, settings, now) = (&state.db, &state.settings, state.now());
    let report = insight::report(db, settings, scope, month, now).await?;
    let mut months = vec![month];
    while months.len() < MONTHS {
        months.insert(0, months[0].previous());
    }
    let mut history = Vec::new();
    for m in &months {
        history.push((m, insight::figures(db, settings, scope.unwrap_or(0), *m, now).await?.0));
    }
    let grids = grid::list(&mut *db.pool().acquire().await?).await?;
    let mut per_grid = Vec::new();
    if scope.is_none() {
        for g in &grids {
            per_grid.push((g, insight::figures(db, settings, g.id, month, now).await?.0));
        }
    }
    let sections: Vec<Value> = Indicator::ALL
        .iter()
        .map(|&indicator| {
            let key = headline(indicator);
            let pick = |f: &insight::snapshot::Figures| f.get(key).and_then(|f| shown(key, f));
            let trend: Vec<Mark> = history
                .iter()
                .map(|(m, f)| Mark {
                    label: m.to_string(),
                    value: pick(f),
                    href: None,
                })
                .collect();
            let bars: Vec<Mark> = per_grid
                .iter()
                .map(|(g, f)| Mark {
                    label: g.name.clone(),
                    value: pick(f),
                    href: Some(format!("/console/dashboard?month={month}&grid={}", g.id)),
                })
                .collect();
            let title = t[format!("m_{key}")].as_str().unwrap_or(key).to_string();
            json!({
                "key": indicator.as_str(),
                "name": t[format!("ind_{}", indicator.as_str())],
                "headline": title,
                "line": charts::line(key, &title, &trend),
                "bars": (!bars.is_empty()).then(|| charts::bars(key, &title, &bars)),
                "measures": report.of(indicator).map(|l| measure_view(l, lang, t)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let name = scope.and_then(|id| grids.iter().find(|g| g.id == id).map(|g| g.name.clone()));
    Ok(json!({
        "month": month.to_string(),
        "live": report.live,
        "grid_id": scope,
        "grid_name": name,
        "sections": sections,
    }))
}

/// GET /console/dashboard?month=YYYY-MM&grid=ID
#[handler]
pub async fn page(req: &Request, state: Data<&ConsoleState>, signed: Signed, params: Query<Params>) -> Response {
    let state = *state;
    if !insight::may_read(&signed.caller, params.grid) {
        return render::error(state, req, StatusCode::FORBIDDEN, "not_your_grid", None);
    }
    let month = match params.month.as_deref().filter(|m| !m.is_empty()) {
        Some(text) => Month::parse(text),
        None => Ok(Month::containing(&insight::tz(&state.settings), state.now())),
    };
    let lang = Lang::of(req);
    let t = render::words(state, lang);
    let loaded = match month {
        Ok(month) => load(state, lang, t, params.grid, month).await,
        Err(err) => Err(err),
    };
    match loaded {
        Ok(data) => render::page(state, req, Some(&signed), "dashboard.html", data, StatusCode::OK),
        Err(err) => render::core_error(state, req, err),
    }
}
