//! Sessions: opaque random bearer tokens, stored only as SHA-256 hashes, with an expiry.

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AnyPool, Row};

use crate::error::CoreResult;

/// The hash under which a token is stored; a leaked table does not yield usable tokens.
fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a session for `user_id` that expires `ttl_ms` after `now`; returns the token.
pub async fn create(conn: &mut AnyConnection, user_id: i64, now: i64, ttl_ms: i64) -> CoreResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(now.saturating_add(ttl_ms))
        .execute(&mut *conn)
        .await?;
    // Keep the table small: each login sweeps sessions that expired long ago.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2")
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

/// The user behind `token`, if the session exists and has not expired.
pub async fn authenticate(pool: &AnyPool, token: &str, now: i64) -> CoreResult<Option<i64>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let row = sqlx::query("SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2")
        .bind(hash(token))
        .bind(now)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.get::<i64, _>(0)))
}

/// The caller behind `token` — user, roles and led grids — in one round trip, if the session
/// exists and has not expired. (Every request pays for this, so it is one query, not three.)
pub async fn caller(pool: &AnyPool, token: &str, now: i64) -> CoreResult<Option<super::Caller>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let rows = sqlx::query(
        "SELECT s.user_id, r.role, 0 AS grid_id FROM sessions s JOIN user_roles r ON r.user_id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 \
         UNION ALL SELECT s.user_id, '' AS role, g.id AS grid_id FROM sessions s \
         JOIN grids g ON g.leader_user_id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(hash(token))
    .bind(now)
    .fetch_all(pool)
    .await?;
    let Some(first) = rows.first() else {
        // Every user holds at least the resident role, so no row means no valid session.
        return Ok(None);
    };
    let mut caller = super::Caller {
        user_id: first.get(0),
        roles: Vec::new(),
        led_grids: Vec::new(),
    };
    for row in &rows {
        match row.get::<String, _>(1).parse() {
            Ok(role) => caller.roles.push(role),
            Err(_) => caller.led_grids.push(row.get(2)),
        }
    }
    caller.roles.sort();
    Ok(Some(caller))
}

/// Ends the session behind `token`.
pub async fn revoke(conn: &mut AnyConnection, token: &str) -> CoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(hash(token))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every session of `user_id` (sign out everywhere; an admin's revocation; a role taken
/// away), web-console sessions included; returns how many there were.
pub async fn revoke_all(conn: &mut AnyConnection, user_id: i64) -> CoreResult<u64> {
    let mut ended = 0;
    for sql in [
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM console_sessions WHERE user_id = $1",
    ] {
        ended += sqlx::query(sql)
            .bind(user_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(ended)
}

/// Deletes every session that expired before `now` (the scheduler's sweep: people who never sign
/// in again would otherwise keep their rows for ever); returns how many.
pub async fn sweep(db: &crate::Db, now: i64) -> CoreResult<u64> {
    let mut tx = db.begin_write().await?;
    let mut swept = 0;
    for sql in [
        "DELETE FROM sessions WHERE expires_at <= $1",
        "DELETE FROM console_sessions WHERE expires_at <= $1",
    ] {
        swept += sqlx::query(sql).bind(now).execute(&mut *tx).await?.rows_affected();
    }
    tx.commit().await?;
    Ok(swept)
}
