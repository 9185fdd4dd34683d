//! Exporting the register in the import's own format, so a community can edit the sheet and
//! import it again.

use std::io::Write;

use futures::TryStreamExt;
use sqlx::{AnyConnection, Row};

use super::import::COLUMNS;
use crate::error::{CoreError, CoreResult};

/// Writes every person of the register (of one grid, or all) as CSV, by building, unit, room.
/// Rows stream from the database to `out`; tags are written `;`-separated.
pub async fn export(conn: &mut AnyConnection, grid_id: Option<i64>, out: impl Write) -> CoreResult<u64> {
    let mut writer = csv::Writer::from_writer(out);
    let io = |e: csv::Error| CoreError::Database(sqlx::Error::Io(std::io::Error::other(e)));
    writer.write_record(COLUMNS).map_err(io)?;
    let mut rows = sqlx::query(
        "SELECT b.name, h.unit, h.room, p.name, COALESCE(p.phone, ''), p.relation, p.tags \
         FROM people p JOIN households h ON h.id = p.household_id JOIN buildings b ON b.id = h.building_id \
         WHERE ($1 = 0 OR b.grid_id = $1) ORDER BY b.name, h.unit, h.room, p.id",
    )
    .bind(grid_id.unwrap_or(0))
    .fetch(&mut *conn);
    let mut count = 0;
    while let Some(r) = rows.try_next().await? {
        let fields: [String; 7] = [r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6)];
        writer.write_record(&fields).map_err(io)?;
        count += 1;
    }
    writer.flush().map_err(|e| CoreError::Database(sqlx::Error::Io(e)))?;
    Ok(count)
}
