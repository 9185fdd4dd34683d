//! The CSV files the console streams: a sheet written chunk by chunk into the response as its
//! rows are read (a BOM for Excel and the header first, no cell that starts a formula), and the
//! paged sheets — wishes, the hours ledger, the register's people — each a page of rows at a time
//! from `core::console::export`.

use tokio::io::{AsyncWriteExt, DuplexStream};

use microwish_core::CoreResult;
use microwish_core::console::export;
use microwish_core::people::Caller;

use crate::ConsoleState;
use crate::pages::local_time;

/// Rows read per query.
const PAGE: i64 = 1000;

pub use microwish_core::console::export::cell;

/// The file being written to the response: the BOM and the header before the first rows.
pub struct Sheet {
    out: DuplexStream,
    header: Vec<&'static str>,
    started: bool,
}

impl Sheet {
    /// A sheet with these columns, written to `out`.
    pub fn new(out: DuplexStream, header: Vec<&'static str>) -> Sheet {
        Sheet {
            out,
            header,
            started: false,
        }
    }

    /// Writes `rows` (the header first, the first time); false once the reader went away.
    pub async fn rows(&mut self, rows: impl IntoIterator<Item = Vec<String>>) -> bool {
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
pub enum Paged {
    Wishes,
    Hours,
    People,
}

impl Paged {
    /// The paged sheet of this file name.
    pub fn parse(name: &str) -> Option<Paged> {
        match name {
            "wishes.csv" => Some(Paged::Wishes),
            "hours.csv" => Some(Paged::Hours),
            "people.csv" => Some(Paged::People),
            _ => None,
        }
    }

    /// Its columns.
    pub fn header(self) -> Vec<&'static str> {
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
    pub async fn write(self, state: ConsoleState, caller: Caller, mut sheet: Sheet) {
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
