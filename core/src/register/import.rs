//! Importing the population register from the spreadsheets communities keep
//! (`building,unit,room,name,phone,relation,tags`): streamed in batches, each batch one short
//! transaction with a few multi-row statements, idempotent — a person is identified by household
//! and name, so a re-import updates rows instead of duplicating them — and reported line by line.

use std::collections::HashMap;
use std::io::Read;

use sqlx::Row;

use super::fields::{BuildingName, PersonName, Relation, Room, Tags, Unit};
use super::import_job::Progress;
pub use super::import_report::{ImportReport, Refused};
use crate::audit::{self, Action, Subject};
use crate::db::Db;
use crate::error::{CoreError, CoreResult};
use crate::fields::Phone;
use crate::people::Caller;

/// The columns, in the order the export writes them.
pub const COLUMNS: [&str; 7] = ["building", "unit", "room", "name", "phone", "relation", "tags"];
/// The same columns as Chinese sheets head them.
const COLUMNS_ZH: [&str; 7] = ["楼栋", "单元", "房号", "姓名", "电话", "关系", "标签"];
/// Rows per transaction: large enough for few round trips, small enough never to hold the
/// database (or a SQLite writer lock) for long.
pub const BATCH: usize = 1000;

/// A valid line.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub(super) building_id: i64,
    pub(super) unit: String,
    pub(super) room: String,
    pub(super) name: String,
    pub(super) phone: Option<String>,
    pub(super) relation: String,
    pub(super) tags: String,
}

/// Where each column is, from the header row.
fn column_positions(header: &csv::StringRecord) -> CoreResult<[usize; 7]> {
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let mut positions = [0; 7];
    for (i, (en, zh)) in COLUMNS.iter().zip(COLUMNS_ZH).enumerate() {
        positions[i] = names.iter().position(|n| n == en || n == zh).ok_or_else(|| {
            CoreError::invalid(
                "invalid_csv",
                format!(
                    "the first line must name the columns {} (missing `{en}`)",
                    COLUMNS.join(",")
                ),
            )
        })?;
    }
    Ok(positions)
}

/// Checks one record; `buildings` maps names to ids.
fn parse_line(record: &csv::StringRecord, at: &[usize; 7], buildings: &HashMap<String, i64>) -> Result<Line, String> {
    if record.len() != at.len() && record.iter().all(|f| f.trim().is_empty()) {
        return Err("empty line".into());
    }
    let field = |i: usize| record.get(at[i]).unwrap_or("");
    if record.len() < at.iter().max().map_or(0, |m| m + 1) {
        return Err(format!("expected {} fields, found {}", COLUMNS.len(), record.len()));
    }
    let building = BuildingName::parse(field(0)).map_err(|e| e.to_string())?;
    let building_id = *buildings
        .get(building.as_str())
        .ok_or_else(|| format!("building: unknown building `{}` (add it first)", building.as_str()))?;
    let phone = match field(4).trim() {
        "" => None,
        text => Some(Phone::parse(text).map_err(|e| e.to_string())?.as_str().to_string()),
    };
    Ok(Line {
        building_id,
        unit: Unit::parse(field(1)).map_err(|e| e.to_string())?.as_str().to_string(),
        room: Room::parse(field(2)).map_err(|e| e.to_string())?.as_str().to_string(),
        name: PersonName::parse(field(3))
            .map_err(|e| e.to_string())?
            .as_str()
            .to_string(),
        phone,
        relation: Relation::parse(field(5))
            .map_err(|e| e.to_string())?
            .as_str()
            .to_string(),
        tags: Tags::parse(field(6)).map_err(|e| e.to_string())?.as_str().to_string(),
    })
}

/// Refuses a caller who may not import at all (`None`, the operator, always may).
pub(super) fn may_import(caller: Option<&Caller>) -> CoreResult<()> {
    if caller.is_some_and(|c| !c.is_admin() && c.led_grids.iter().all(|g| !c.leads(*g))) {
        return Err(CoreError::forbidden(
            "not_permitted",
            "only admins and grid leaders import the register",
        ));
    }
    Ok(())
}

/// Imports a CSV stream with the operator's authority (the command line): every grid.
pub async fn import(db: &Db, input: impl Read, now: i64) -> CoreResult<ImportReport> {
    import_as(db, input, None, now).await
}

/// Imports a CSV stream. A header without the columns refuses the whole file (422
/// `invalid_csv`); a bad line is refused and reported, and the rest is applied. With a
/// `caller`, only buildings of grids they manage (see `building::may_manage`) are written: each
/// line for another grid's building is refused, so a leader's import never writes across grids;
/// a caller who manages no grid at all is refused the whole file (403).
pub async fn import_as(db: &Db, input: impl Read, caller: Option<&Caller>, now: i64) -> CoreResult<ImportReport> {
    import_tracked(db, input, caller, None, now).await
}

/// [`import_as`], telling `job` how many lines are read after each committed batch (its page
/// shows the progress); the audit entry names the job.
pub async fn import_tracked(
    db: &Db,
    input: impl Read,
    caller: Option<&Caller>,
    job: Option<&Progress>,
    now: i64,
) -> CoreResult<ImportReport> {
    may_import(caller)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(input);
    let header = reader
        .headers()
        .map_err(|e| CoreError::invalid("invalid_csv", format!("the header line is not CSV: {e}")))?
        .clone();
    let at = column_positions(&header)?;
    let mut conn = db.pool().acquire().await?;
    let rows = sqlx::query("SELECT name, id, grid_id FROM buildings")
        .fetch_all(&mut *conn)
        .await?;
    let buildings: HashMap<String, i64> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let grid_of: HashMap<i64, i64> = rows.iter().map(|r| (r.get(1), r.get(2))).collect();
    drop(conn);
    let mut report = ImportReport::default();
    let mut seen: HashMap<(i64, String, String, String), u64> = HashMap::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut households = super::import_batch::Households::default();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                report.refuse(line, format!("not readable as CSV: {e}"));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        match parse_line(&record, &at, &buildings) {
            Err(why) if why == "empty line" => continue,
            Err(why) => report.refuse(line, why),
            Ok(row) if caller.is_some_and(|c| !super::building::may_manage(c, grid_of[&row.building_id])) => {
                report.refuse(line, "building: in a grid you do not lead; this line was not imported");
            }
            Ok(row) => {
                let key = (row.building_id, row.unit.clone(), row.room.clone(), row.name.clone());
                if let Some(first) = seen.get(&key) {
                    report.refuse(line, format!("the same person in the same room as line {first}"));
                    continue;
                }
                seen.insert(key, line);
                batch.push(row);
                if batch.len() == BATCH {
                    super::import_batch::apply(db, &mut households, &std::mem::take(&mut batch), &mut report, now)
                        .await?;
                    if let Some(job) = job {
                        job.advance(db, line).await?;
                    }
                }
            }
        }
    }
    if !batch.is_empty() {
        super::import_batch::apply(db, &mut households, &batch, &mut report, now).await?;
    }
    // The batches committed one by one; the import as a whole is one entry, written last.
    let mut tx = db.begin_write().await?;
    let fact = Action::RegisterImport.on(Subject::Import(job.map(Progress::id)));
    audit::record(&mut tx, caller, fact.with(report.summary()), now).await?;
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_may_be_reordered_or_chinese_and_must_be_complete() {
        let header = csv::StringRecord::from(vec!["姓名", "楼栋", "单元", "房号", "电话", "关系", "标签"]);
        assert_eq!(column_positions(&header).unwrap(), [1, 2, 3, 0, 4, 5, 6]);
        let short = csv::StringRecord::from(vec!["building", "room", "name"]);
        assert!(column_positions(&short).is_err());
    }

    #[test]
    fn lines_are_checked_field_by_field() {
        let at = [0, 1, 2, 3, 4, 5, 6];
        let buildings = HashMap::from([("1号楼".to_string(), 7)]);
        let ok = csv::StringRecord::from(vec![
            "1号楼",
            "2单元",
            "301",
            "王芳",
            "138 1234 5678",
            "户主",
            "独居;低保",
        ]);
        let line = parse_line(&ok, &at, &buildings).unwrap();
        assert_eq!(
            (line.building_id, line.phone.as_deref(), line.tags.as_str()),
            (7, Some("13812345678"), "低保;独居")
        );
        let unknown = csv::StringRecord::from(vec!["9号楼", "", "301", "王芳", "", "", ""]);
        assert!(
            parse_line(&unknown, &at, &buildings)
                .unwrap_err()
                .contains("unknown building")
        );
        let bad_phone = csv::StringRecord::from(vec!["1号楼", "", "301", "王芳", "12345", "", ""]);
        assert!(parse_line(&bad_phone, &at, &buildings).unwrap_err().contains("phone"));
        let short = csv::StringRecord::from(vec!["1号楼", "", "301"]);
        assert!(
            parse_line(&short, &at, &buildings)
                .unwrap_err()
                .contains("expected 7 fields")
        );
        let empty = csv::StringRecord::from(vec!["", ""]);
        assert_eq!(parse_line(&empty, &at, &buildings).unwrap_err(), "empty line");
    }
}
