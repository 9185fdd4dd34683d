//! Every grid × month as one CSV sheet: a row per month for the community and for each grid,
//! a column per measure (an empty cell where there is no number; the reason is in the JSON).

use std::io::Write;

use super::{MEASURES, Month, figures};
use crate::config::Settings;
use crate::db::Db;
use crate::error::{CoreError, CoreResult};

/// The longest span one sheet covers, in months.
pub const MAX_MONTHS: usize = 36;

/// The months from `from` to `to`, both included; refused when reversed or longer than
/// [`MAX_MONTHS`].
pub fn months(from: Month, to: Month) -> CoreResult<Vec<Month>> {
    let mut out = vec![from];
    while *out.last().expect("one month") < to {
        if out.len() == MAX_MONTHS {
            return Err(CoreError::invalid("invalid_month", "from..to: at most 36 months"));
        }
        out.push(out.last().expect("one month").next());
    }
    if from > to {
        return Err(CoreError::invalid("invalid_month", "from: not after to"));
    }
    Ok(out)
}

/// The sheet's header: month, grid id and name, then one column per measure.
pub fn header() -> Vec<&'static str> {
    let mut header = vec!["month", "grid_id", "grid"];
    header.extend(MEASURES.iter().map(|m| m.key));
    header
}

/// The rows' scopes in order: the community (grid 0) first, then every grid.
pub async fn scopes(db: &Db) -> CoreResult<Vec<(i64, String)>> {
    let mut conn = db.pool().acquire().await?;
    let grids = crate::people::grid::list(&mut conn).await?;
    Ok(std::iter::once((0, "community".to_string()))
        .chain(grids.into_iter().map(|g| (g.id, g.name)))
        .collect())
}

/// One month's rows, a scope each (an empty cell where a measure has no number).
pub async fn month_rows(
    db: &Db,
    settings: &Settings,
    month: Month,
    scopes: &[(i64, String)],
    now: i64,
) -> CoreResult<Vec<Vec<String>>> {
    let mut rows = Vec::with_capacity(scopes.len());
    for (grid, name) in scopes {
        let (figures, _, _) = figures(db, settings, *grid, month, now).await?;
        let id = if *grid == 0 { String::new() } else { grid.to_string() };
        let mut record = vec![month.to_string(), id, name.clone()];
        record.extend(MEASURES.iter().map(|m| {
            figures
                .get(m.key)
                .and_then(|f| f.value)
                .map_or_else(String::new, |v| v.to_string())
        }));
        rows.push(record);
    }
    Ok(rows)
}

/// Writes the sheet for `months` to `out`; returns the rows written.
pub async fn write(db: &Db, settings: &Settings, months: &[Month], now: i64, out: impl Write) -> CoreResult<u64> {
    let io = |e: csv::Error| CoreError::Database(sqlx::Error::Io(std::io::Error::other(e)));
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header()).map_err(io)?;
    let scopes = scopes(db).await?;
    let mut rows = 0;
    for month in months {
        for record in month_rows(db, settings, *month, &scopes, now).await? {
            writer.write_record(&record).map_err(io)?;
            rows += 1;
        }
    }
    writer.flush().map_err(|e| CoreError::Database(sqlx::Error::Io(e)))?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::{Month, months};

    #[test]
    fn spans_are_bounded_and_ordered() {
        let m = |s| Month::parse(s).unwrap();
        assert_eq!(months(m("2025-11"), m("2026-02")).unwrap().len(), 4);
        assert_eq!(months(m("2026-02"), m("2026-02")).unwrap().len(), 1);
        assert!(months(m("2026-03"), m("2026-02")).is_err());
        assert!(months(m("2020-01"), m("2026-02")).is_err());
        assert_eq!(months(m("2023-03"), m("2026-02")).unwrap().len(), 36);
    }
}
