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
use tokio::io::{AsyncWriteExt, DuplexStream};

use microwish_core::console::export;
use microwish_core::insight::{self, Month, table};
use microwish_core::people::Caller;
use microwish_core::{CoreError, CoreResult};

use super::local_time;
use crate::guard::Signed;
use crate::{ConsoleState, render};

/// Rows read per query.
const PAGE: i64 = 1000;

/// GET /console/exports
#[handler]
pub async fn page(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    let now = Month::containing(&insight::tz(&state.settings), state.now());
    let from = (0..11).fold(now, |m, _| m.previous());
    let data = json!({ "indicators": signed.caller.is_admin(), "from": from.to_string(), "to": now.to_string() });
    render::page(*state, req, Some(&signed), "exports.html", data, StatusCode::OK)
}

/// A cell that a spreadsheet will not run: text starting with `= + - @` (or a tab or CR) gets a
/// leading apostrophe.
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// The file being written to the response: the BOM and the header before the first rows.
struct Sheet {
    out: DuplexStream,
    header: Vec<&'static str>,
    started: bool,
}

impl Sheet {
    /// Writes `rows` (the header first, the first time); false once the reader went away.
    async fn rows(&mut self, rows: impl IntoIterator<Item = Vec<String>>) -> bool {
        let mut csv = csv::Writer::from_writer(Vec::new());
        if !self.started {
            let _ = csv.write_record(&self.header);
        }
        for row in rows {
            let _ = csv.write_record(row);
        }
        let mut chunk = if self.started {
            Vec::new()
        } else {
            "\u{feff}".as_bytes().to_vec()
        };
        chunk.extend(csv.into_inner().unwrap_or_default());
        self.started = true;
        self.out.write_all(&chunk).await.is_ok()
    }
}

/// The paged exports: each page's rows as cells, and the last id when more may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paged {
    Wishes,
    Hours,
    People,
}

impl Paged {
    fn parse(name: &str) -> Option<Paged> {
        match name {
            "wishes.csv" => Some(Paged::Wishes),
            "hours.csv" => Some(Paged::Hours),
            "people.csv" => Some(Paged::People),
            _ => None,
        }
    }

    fn header(self) -> Vec<&'static str> {
        match self {
            Paged::Wishes => vec![
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
            ],
            Paged::Hours => vec![
                "id",
                "grid",
                "volunteer",
                "minutes",
                "source",
                "event",
                "wish",
                "note",
                "recorded",
            ],
            Paged::People => vec![
                "id", "grid", "building", "unit", "room", "name", "phone", "relation", "tags", "account",
            ],
        }
    }

    async fn page(
        self,
        state: &ConsoleState,
        caller: &Caller,
        after: i64,
    ) -> CoreResult<(Vec<Vec<String>>, Option<i64>)> {
        let s = &state.settings;
        let time = |t: Option<i64>| t.map(|t| local_time(s, t)).unwrap_or_default();
        let mut conn = state.db.pool().acquire().await?;
        let (rows, last): (Vec<Vec<String>>, Option<i64>) = match self {
            Paged::Wishes => {
                let got = export::wishes_page(&mut conn, caller, after, PAGE).await?;
                let rows = got.iter().map(|w| {
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
                });
                (rows.collect(), got.last().map(|w| w.id))
            }
            Paged::Hours => {
                let got = export::hours_page(&mut conn, caller, after, PAGE).await?;
                let rows = got.iter().map(|h| {
                    vec![
                        h.id.to_string(),
                        cell(&h.grid),
                        cell(&h.volunteer),
                        h.minutes.to_string(),
                        h.source.clone(),
                        cell(&h.event),
                        cell(&h.wish),
                        cell(&h.note),
                        local_time(s, h.created_at),
                    ]
                });
                (rows.collect(), got.last().map(|h| h.id))
            }
            Paged::People => {
                let got = export::people_page(&mut conn, caller, after, PAGE).await?;
                let rows = got.iter().map(|p| {
                    vec![
                        p.id.to_string(),
                        cell(&p.grid),
                        cell(&p.building),
                        cell(&p.unit),
                        cell(&p.room),
                        cell(&p.name),
                        p.phone.clone(),
                        cell(&p.relation),
                        cell(&p.tags),
                        (if p.account { "yes" } else { "no" }).into(),
                    ]
                });
                (rows.collect(), got.last().map(|p| p.id))
            }
        };
        let more = rows.len() as i64 == PAGE;
        Ok((rows, last.filter(|_| more)))
    }

    /// Writes every page to the file; stops early if the reader went away.
    async fn write(self, state: ConsoleState, caller: Caller, mut sheet: Sheet) {
        let mut after = 0;
        loop {
            let (rows, next) = match self.page(&state, &caller, after).await {
                Ok(got) => got,
                Err(err) => {
                    // The status line is gone already: end the file short, and say so in the log.
                    tracing::error!(error = %err, sheet = ?self, "export failed part-way");
                    return;
                }
            };
            if !sheet.rows(rows).await {
                return;
            }
            match next {
                Some(last) => after = last,
                None => return,
            }
        }
    }
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
        let sheet = Sheet {
            out,
            header,
            started: false,
        };
        tokio::spawn(paged.write(state, caller, sheet))
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
            let mut sheet = Sheet {
                out,
                header: table::header(),
                started: false,
            };
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
