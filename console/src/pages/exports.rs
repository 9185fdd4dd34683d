//! Exports as CSV. The file is streamed page by page as it is read, so a large export starts at
//! once and the browser's download shows it coming in; it opens in Excel (UTF-8 with a BOM) and
//! no cell can start a formula. What an export holds is decided in core: the caller's grids, no
//! contact details.

use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use serde_json::json;
use tokio::io::AsyncWriteExt;

use microwish_core::console::export::{self, WishRow};
use microwish_core::people::Caller;

use super::local_time;
use crate::guard::Signed;
use crate::{ConsoleState, render};

/// Rows read per query.
const PAGE: i64 = 1000;

/// GET /console/exports
#[handler]
pub async fn page(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    render::page(*state, req, Some(&signed), "exports.html", json!({}), StatusCode::OK)
}

/// A cell that a spreadsheet will not run: text starting with `= + - @` (or a tab or CR) gets a
/// leading apostrophe.
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn record(state: &ConsoleState, w: &WishRow) -> Vec<String> {
    let s = &state.settings;
    let time = |t: Option<i64>| t.map(|t| local_time(s, t)).unwrap_or_default();
    vec![
        w.id.to_string(),
        cell(&w.grid),
        w.category.clone(),
        w.urgency.clone(),
        w.status.clone(),
        cell(&w.title),
        cell(&w.volunteer),
        local_time(s, w.created_at),
        time(w.claimed_at),
        time(w.fulfilled_at),
        time(w.closed_at),
        w.rating.map(|r| r.to_string()).unwrap_or_default(),
    ]
}

/// Writes every page of the export to `out`; stops early if the reader went away.
async fn write_wishes(state: ConsoleState, caller: Caller, mut out: tokio::io::DuplexStream) {
    let header_row = [
        "id",
        "grid",
        "category",
        "urgency",
        "status",
        "title",
        "volunteer",
        "posted",
        "claimed",
        "fulfilled",
        "closed",
        "rating",
    ];
    let mut after = 0;
    let mut first = true;
    loop {
        let rows = match state.db.pool().acquire().await {
            Ok(mut conn) => export::wishes_page(&mut conn, &caller, after, PAGE).await,
            Err(err) => Err(err.into()),
        };
        let rows = match rows {
            Ok(rows) => rows,
            Err(err) => {
                // The status line is gone already: end the file short, and say so in the log.
                tracing::error!(error = %err, "wish export failed part-way");
                return;
            }
        };
        let mut csv = csv::Writer::from_writer(Vec::new());
        if first {
            let _ = csv.write_record(header_row);
        }
        for w in &rows {
            let _ = csv.write_record(record(&state, w));
        }
        let mut chunk = if first {
            "\u{feff}".as_bytes().to_vec()
        } else {
            Vec::new()
        };
        chunk.extend(csv.into_inner().unwrap_or_default());
        first = false;
        if out.write_all(&chunk).await.is_err() {
            return;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => after = last.id,
            _ => return,
        }
    }
}

/// GET /console/exports/wishes.csv
#[handler]
pub async fn wishes_csv(state: Data<&ConsoleState>, signed: Signed) -> Response {
    let state = *state;
    let (writer, reader) = tokio::io::duplex(64 * 1024);
    tokio::spawn(write_wishes(state.clone(), signed.caller.clone(), writer));
    tracing::info!(user = signed.caller.user_id, "wishes exported");
    Response::builder()
        .content_type("text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, "attachment; filename=\"wishes.csv\"")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_async_read(reader))
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn no_cell_starts_a_formula() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("买药"), "买药");
    }
}
