//! The grids a person oversees and each grid's figures over the last 30 days (the same
//! `overview` the API's `/grids/{id}/overview` answers). A leader opening another grid's page is
//! refused, whether or not that grid exists.

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};
use serde_json::{Value, json};

use microwish_core::people::{Grid, grid};
use microwish_core::{CoreError, overview};

use crate::guard::Signed;
use crate::{ConsoleState, render};

const DAYS: i64 = 30;

async fn figures(state: &ConsoleState, grid: &Grid) -> Result<Value, CoreError> {
    let now = state.now();
    let mut conn = state.db.pool().acquire().await?;
    let age = state.settings.escalation.claim_overdue_after.as_millis_i64();
    let o = overview::grid(&mut conn, grid.id, now - DAYS * 86_400_000, now, age).await?;
    Ok(json!({
        "id": grid.id,
        "name": grid.name,
        "open": o.open,
        "overdue": o.overdue,
        "escalated": o.escalated,
        "open_alerts": o.open_alerts,
        "closed": o.closed,
        "median_minutes_to_claim": o.median_minutes_to_claim,
        "median_minutes_to_fulfil": o.median_minutes_to_fulfil,
        "average_rating": o.average_rating,
    }))
}

/// GET /console/grids
#[handler]
pub async fn list(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    let state = *state;
    let loaded = async {
        let grids = grid::list(&mut *state.db.pool().acquire().await?).await?;
        let mut rows = Vec::new();
        // One connection at a time: `figures` takes its own.
        for g in grids {
            if signed.caller.oversees(g.id) {
                rows.push(figures(state, &g).await?);
            }
        }
        Ok::<_, CoreError>(rows)
    }
    .await;
    match loaded {
        Ok(rows) => {
            let data = json!({ "grids": rows, "days": DAYS });
            render::page(state, req, Some(&signed), "grids.html", data, StatusCode::OK)
        }
        Err(err) => render::internal(state, req, err),
    }
}

/// GET /console/grids/{id}
#[handler]
pub async fn one(req: &Request, state: Data<&ConsoleState>, signed: Signed, id: Path<i64>) -> Response {
    let state = *state;
    if !signed.caller.oversees(id.0) {
        return render::error(state, req, StatusCode::FORBIDDEN, "not_your_grid", None);
    }
    let loaded = async {
        let g = grid::get(&mut *state.db.pool().acquire().await?, id.0).await?;
        figures(state, &g).await
    }
    .await;
    match loaded {
        Ok(figures) => {
            let data = json!({ "grid": figures, "days": DAYS });
            render::page(state, req, Some(&signed), "grid.html", data, StatusCode::OK)
        }
        Err(err) => render::core_error(state, req, err),
    }
}
