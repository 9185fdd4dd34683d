//! Recurring wishes on schedule: a live series whose latest occurrence's date has come opens the
//! next one, even if that occurrence was never closed (next week's medicine is still needed when
//! this week's went undone). Closing an occurrence opens the next one earlier (`wish::series`);
//! either way the unique (series, occurrence) lets it open once.

use sqlx::Row;

use super::Act;
use crate::db::Db;
use crate::error::CoreResult;

/// The latest occurrences of live series due by `now` with no next occurrence yet. Occurrences
/// still under review (the series is not approved yet), rejected or cancelled are left alone.
pub(super) async fn due(db: &Db, now: i64) -> CoreResult<Vec<Act>> {
    let rows = sqlx::query(
        "SELECT w.id FROM wishes w WHERE w.repeat_every IS NOT NULL AND w.due_at <= $1 \
         AND w.status IN ('open', 'claimed', 'fulfilled', 'closed') \
         AND NOT EXISTS (SELECT 1 FROM wishes n WHERE n.series_id = w.series_id AND n.occurrence = w.occurrence + 1) \
         ORDER BY w.id",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(|r| Act::OpenNext(r.get(0))).collect())
}
