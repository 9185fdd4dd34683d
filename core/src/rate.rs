//! Rate counters kept in the database, for the limits that must hold across several `serve`
//! processes on one database (posting wishes, urgent wishes, wrong check-in codes). Each key has
//! one row: a window that starts at its first hit and the hits inside it. The per-process limits
//! (per IP, per user, sign-in, invitations) live in the server, in memory.

use sqlx::Row;

use crate::db::Db;
use crate::error::CoreResult;

/// A limit: at most `max` hits per `window_ms`, counted per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Hits allowed in one window.
    pub max: u32,
    /// The window's length in milliseconds.
    pub window_ms: i64,
}

/// Counts one hit on `key` as of `now`, in its own short transaction (a refused request still
/// counts, so hammering does not help). `Ok(None)` when within the limit; `Ok(Some(ms))` when
/// over it, with how long until the window ends.
pub async fn hit(db: &Db, key: &str, limit: Window, now: i64) -> CoreResult<Option<i64>> {
    let mut tx = db.begin_write().await?;
    // A window older than `window_ms` starts over at this hit. Both engines evaluate every SET
    // expression against the row as it was, so the two CASEs see the same old window_start.
    let row = sqlx::query(
        "INSERT INTO rate_counters (key, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
         hits = CASE WHEN rate_counters.window_start <= $3 THEN 1 ELSE rate_counters.hits + 1 END, \
         window_start = CASE WHEN rate_counters.window_start <= $3 THEN $2 ELSE rate_counters.window_start END \
         RETURNING hits, window_start",
    )
    .bind(key)
    .bind(now)
    .bind(now - limit.window_ms)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let (hits, start): (i64, i64) = (row.get(0), row.get(1));
    Ok((hits > i64::from(limit.max)).then(|| (start + limit.window_ms - now).max(1)))
}

/// Whether `key` has used up its window, without counting a hit: `Some(ms until it ends)`.
pub async fn exhausted(db: &Db, key: &str, limit: Window, now: i64) -> CoreResult<Option<i64>> {
    let row = sqlx::query("SELECT hits, window_start FROM rate_counters WHERE key = $1 AND window_start > $2")
        .bind(key)
        .bind(now - limit.window_ms)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.and_then(|r| {
        let (hits, start): (i64, i64) = (r.get(0), r.get(1));
        (hits >= i64::from(limit.max)).then(|| (start + limit.window_ms - now).max(1))
    }))
}

/// Forgets windows that ended before `before` (the scheduler's sweep); returns how many.
pub async fn sweep(db: &Db, before: i64) -> CoreResult<u64> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("DELETE FROM rate_counters WHERE window_start < $1")
        .bind(before)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}
