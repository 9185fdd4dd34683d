//! Sessions: opaque random bearer tokens, stored only as SHA-256 hashes, with an expiry (the
//! token mechanics, shared with the console's cookie sessions, are in `token`).

use serde_json::json;
use sqlx::{AnyConnection, AnyPool, Row};

use super::token::{self, Sessions};
use crate::audit::{self, Action, Subject};
use crate::error::CoreResult;

/// Creates a session for `user_id` that expires `ttl_ms` after `now`; returns the token.
pub async fn create(conn: &mut AnyConnection, user_id: i64, now: i64, ttl_ms: i64) -> CoreResult<String> {
    token::open(conn, Sessions::Api, user_id, now, ttl_ms).await
}

/// The user behind `token`, if the session exists and has not expired.
pub async fn authenticate(pool: &AnyPool, token: &str, now: i64) -> CoreResult<Option<i64>> {
    token::user_of(pool, Sessions::Api, token, now).await
}

/// The caller behind `token` — user, roles and led grids — in one round trip, if the session
/// exists and has not expired, with the session's expiry (epoch ms) so that a cache of the answer
/// ends with it. (Every request needs this, so it is one query, not three.)
pub async fn caller(pool: &AnyPool, token: &str, now: i64) -> CoreResult<Option<(super::Caller, i64)>> {
    if !token::well_formed(token) {
        return Ok(None);
    }
    let rows = sqlx::query(
        "SELECT s.user_id, r.role, 0 AS grid_id, s.expires_at FROM sessions s \
         JOIN user_roles r ON r.user_id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 \
         UNION ALL SELECT s.user_id, '' AS role, g.id AS grid_id, s.expires_at FROM sessions s \
         JOIN grids g ON g.leader_user_id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token::hash(token))
    .bind(now)
    .fetch_all(pool)
    .await?;
    // Every user holds at least the resident role, so no row means no valid session.
    Ok(rows.first().map(|first| {
        let caller = super::Caller::fold(first.get(0), rows.iter().map(|r| (r.get(1), r.get(2))));
        (caller, first.get(3))
    }))
}

/// The language chosen by the user behind `token`, if the session is valid and they chose one:
/// what an error answered to them is worded in.
pub async fn language(pool: &AnyPool, token: &str, now: i64) -> CoreResult<Option<crate::Lang>> {
    if !token::well_formed(token) {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT u.language FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token::hash(token))
    .bind(now)
    .fetch_optional(pool)
    .await?;
    let tag = row.and_then(|r| r.get::<Option<String>, _>(0));
    Ok(tag.as_deref().and_then(crate::Lang::parse))
}

/// Ends the session behind `token`.
pub async fn revoke(conn: &mut AnyConnection, token: &str) -> CoreResult<()> {
    token::end(conn, Sessions::Api, token).await
}

/// Ends every session of `user_id` (sign out everywhere; an admin's revocation; a role taken
/// away), web-console sessions included; returns how many there were.
pub async fn revoke_all(conn: &mut AnyConnection, user_id: i64) -> CoreResult<u64> {
    let mut ended = 0;
    for kind in Sessions::ALL {
        let sql = format!("DELETE FROM {} WHERE user_id = $1", kind.table());
        ended += sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(ended)
}

/// An admin ends every session of `user_id` (a lost phone, a leaked token): 404 for no such
/// user; audited. Returns how many sessions there were.
pub async fn revoke_user(conn: &mut AnyConnection, by: &super::Caller, user_id: i64, now: i64) -> CoreResult<u64> {
    super::user::get(conn, user_id).await?;
    let revoked = revoke_all(conn, user_id).await?;
    let fact = Action::SessionsRevoke.on(Subject::User(user_id));
    audit::record(conn, Some(by), fact.with(json!({ "revoked": revoked })), now).await?;
    Ok(revoked)
}

/// Deletes every session that expired before `now` (the scheduler's sweep: people who never sign
/// in again would otherwise keep their rows for ever); returns how many.
pub async fn sweep(db: &crate::Db, now: i64) -> CoreResult<u64> {
    let mut tx = db.begin_write().await?;
    let mut swept = 0;
    for kind in Sessions::ALL {
        let sql = format!("DELETE FROM {} WHERE expires_at <= $1", kind.table());
        swept += sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    Ok(swept)
}
