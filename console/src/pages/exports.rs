//! Exports as CSV: wishes, the volunteer-hours ledger and the register's people of the grids one
//! oversees, and (admins) the four indicators for every grid × month. Each file is streamed page
//! by page as it is read, so a large export starts at once and the browser's download shows it
//! coming in; it opens in Excel (UTF-8 with a BOM) and no cell can start a formula. What an export
//! holds is decided in core (`console::export`, `insight::table`): no contact details in full.

use poem::http::{StatusCode, header};
use poem::web::{Data, Path, Query};
use poem::{Body, Request, Response, handler};
use serde::Deserialize;
use serde_json::json;
use tokio::io::DuplexStream;

use microwish_core::CoreError;
use microwish_core::insight::{self, Month, table};

use crate::guard::Signed;
use crate::sheets::{Paged, Sheet, cell};
use crate::{ConsoleState, render};

/// GET /console/exports
#[handler]
pub async fn page(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    let now = Month::containing(&insight::tz(&state.settings), state.now());
    let from = (0..11).fold(now, |m, _| m.previous());
    let data = json!({ "indicators": signed.caller.is_admin(), "from": from.to_string(), "to": now.to_string() });
    render::page(*state, req, Some(&signed), "exports.html", data, StatusCode::OK)
}

/// The response that a background task fills with the file `name`.
fn download(name: &str, fill: impl FnOnce(DuplexStream) -> tokio::task::JoinHandle<()>) -> Response {
    let (writer, reader) = tokio::io::duplex(64 * 1024);
    fill(writer);
    Response::builder()
        .content_type("text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_async_read(reader))
}

/// GET /console/exports/{wishes,hours,people}.csv
#[handler]
pub async fn paged(req: &Request, state: Data<&ConsoleState>, signed: Signed, name: Path<String>) -> Response {
    let Some(paged) = Paged::parse(&name.0) else {
        return render::error(*state, req, StatusCode::NOT_FOUND, "not_found", None);
    };
    tracing::info!(user = signed.caller.user_id, sheet = %name.0, "exported");
    let (state, caller, header) = ((*state).clone(), signed.caller, paged.header());
    download(&name.0, move |out| {
        tokio::spawn(paged.write(state, caller, Sheet::new(out, header)))
    })
}

/// Which months the indicators sheet covers (default: the twelve up to this one).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Span {
    from: String,
    to: String,
}

/// GET /console/exports/indicators.csv?from=YYYY-MM&to=YYYY-MM (admins): the API's
/// `/insight.csv`, a month at a time as it is computed.
#[handler]
pub async fn indicators(req: &Request, state: Data<&ConsoleState>, signed: Signed, span: Query<Span>) -> Response {
    let state = *state;
    if !insight::may_read(&signed.caller, None) {
        return render::error(state, req, StatusCode::FORBIDDEN, "not_permitted", None);
    }
    let months = (|| {
        let this = Month::containing(&insight::tz(&state.settings), state.now());
        let month = |t: &str, default: Month| if t.is_empty() { Ok(default) } else { Month::parse(t) };
        let to = month(&span.to, this)?;
        table::months(month(&span.from, (0..11).fold(to, |m, _| m.previous()))?, to)
    })();
    let months = match months {
        Ok(months) => months,
        Err(err) => return render::core_error(state, req, err),
    };
    let state = state.clone();
    download("indicators.csv", move |out| {
        tokio::spawn(async move {
            let mut sheet = Sheet::new(out, table::header());
            let now = state.now();
            let written = async {
                let scopes = table::scopes(&state.db).await?;
                for month in months {
                    let rows = table::month_rows(&state.db, &state.settings, month, &scopes, now).await?;
                    // Numbers as they are; the grid's name (a name an admin typed) defused.
                    let rows = rows.into_iter().map(|mut r| {
                        r[2] = cell(&r[2]);
                        r
                    });
                    if !sheet.rows(rows).await {
                        break;
                    }
                }
                Ok::<_, CoreError>(())
            };
            if let Err(err) = written.await {
                tracing::error!(error = %err, "indicators export failed part-way");
            }
        })
    })
}
