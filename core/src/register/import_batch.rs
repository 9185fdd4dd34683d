//! One batch of an import, in one write transaction: households found or added with one
//! multi-row statement, the people already there read with one query, new people inserted and
//! changed ones updated with a few multi-row statements — about four statements per thousand rows.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, Row};

use super::import::{ImportReport, Line};
use crate::db::Db;
use crate::error::CoreResult;

/// Household ids by (building, unit, room), loaded a building at a time.
#[derive(Default)]
pub(super) struct Households {
    loaded: HashSet<i64>,
    ids: HashMap<(i64, String, String), i64>,
}

impl Households {
    async fn load(&mut self, conn: &mut AnyConnection, building_id: i64) -> CoreResult<()> {
        if self.loaded.insert(building_id) {
            let rows = sqlx::query("SELECT id, unit, room FROM households WHERE building_id = $1")
                .bind(building_id)
                .fetch_all(&mut *conn)
                .await?;
            for r in rows {
                self.ids.insert((building_id, r.get(1), r.get(2)), r.get(0));
            }
        }
        Ok(())
    }
}

/// `($a, $b, …), (…)` for `rows` rows of `width` parameters, numbered from `first`.
fn placeholders(rows: usize, width: usize, first: usize) -> String {
    (0..rows)
        .map(|r| {
            let params: Vec<String> = (0..width).map(|c| format!("${}", first + r * width + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Applies one batch in one transaction.
pub(super) async fn apply(
    db: &Db,
    households: &mut Households,
    batch: &[Line],
    report: &mut ImportReport,
    now: i64,
) -> CoreResult<()> {
    let mut tx = db.begin_write().await?;
    for row in batch {
        households.load(&mut tx, row.building_id).await?;
    }
    let mut missing: Vec<(i64, String, String)> = Vec::new();
    for row in batch {
        let key = (row.building_id, row.unit.clone(), row.room.clone());
        if !households.ids.contains_key(&key) && !missing.contains(&key) {
            missing.push(key);
        }
    }
    for chunk in missing.chunks(300) {
        let sql = format!(
            "INSERT INTO households (building_id, unit, room, created_at, updated_at) VALUES {} \
             ON CONFLICT (building_id, unit, room) DO UPDATE SET updated_at = households.updated_at \
             RETURNING id, building_id, unit, room",
            placeholders(chunk.len(), 5, 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (b, unit, room) in chunk {
            q = q.bind(*b).bind(unit.as_str()).bind(room.as_str()).bind(now).bind(now);
        }
        for r in q.fetch_all(&mut *tx).await? {
            households.ids.insert((r.get(1), r.get(2), r.get(3)), r.get(0));
        }
        report.households_created += chunk.len() as u64;
    }
    let located: Vec<(i64, &Line)> = batch
        .iter()
        .map(|row| {
            (
                households.ids[&(row.building_id, row.unit.clone(), row.room.clone())],
                row,
            )
        })
        .collect();
    let ids: HashSet<i64> = located.iter().map(|(h, _)| *h).collect();
    let id_list: Vec<String> = ids.iter().map(i64::to_string).collect();
    // The ids are our own integers, not input: inlining them keeps one statement per batch.
    let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, household_id, name, phone, relation, tags FROM people WHERE household_id IN ({})",
        id_list.join(", ")
    )))
    .fetch_all(&mut *tx)
    .await?;
    type Known = (i64, Option<String>, String, String);
    let known: HashMap<(i64, String), Known> = existing
        .iter()
        .map(|r| ((r.get(1), r.get(2)), (r.get(0), r.get(3), r.get(4), r.get(5))))
        .collect();
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    for (household, row) in located {
        match known.get(&(household, row.name.clone())) {
            None => inserts.push((household, row)),
            Some((id, phone, relation, tags)) => {
                if phone != &row.phone || relation != &row.relation || tags != &row.tags {
                    updates.push((*id, row));
                } else {
                    report.unchanged += 1;
                }
            }
        }
    }
    for chunk in inserts.chunks(200) {
        let sql = format!(
            "INSERT INTO people (household_id, name, phone, relation, tags, created_at, updated_at) VALUES {}",
            placeholders(chunk.len(), 7, 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (household, row) in chunk {
            q = q
                .bind(*household)
                .bind(row.name.as_str())
                .bind(row.phone.clone())
                .bind(row.relation.as_str())
                .bind(row.tags.as_str())
                .bind(now)
                .bind(now);
        }
        q.execute(&mut *tx).await?;
        report.created += chunk.len() as u64;
    }
    for chunk in updates.chunks(200) {
        let sql = format!(
            "WITH v(id, phone, relation, tags) AS (VALUES {}) \
             UPDATE people SET phone = v.phone, relation = v.relation, tags = v.tags, updated_at = $1 \
             FROM v WHERE people.id = v.id",
            placeholders(chunk.len(), 4, 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
        for (id, row) in chunk {
            q = q
                .bind(*id)
                .bind(row.phone.clone())
                .bind(row.relation.as_str())
                .bind(row.tags.as_str());
        }
        q.execute(&mut *tx).await?;
        report.updated += chunk.len() as u64;
    }
    tx.commit().await?;
    Ok(())
}
