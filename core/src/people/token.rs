//! Opaque random tokens and the session rows they open. A token is 32 random bytes shown once as
//! hex and stored only as its SHA-256 hash, so a leaked table yields no usable token. The API's
//! bearer sessions and the console's cookie sessions are one mechanism over two tables.

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AnyPool, Row};

use crate::error::CoreResult;

/// The hash under which a token is stored.
pub(crate) fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh random token: 32 bytes, hex.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Tokens are 64 hex digits; anything else is not looked up at all.
pub(crate) fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Which sessions: the API's bearer tokens or the console's cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sessions {
    /// `sessions`: the mini-program's bearer tokens.
    Api,
    /// `console_sessions`: the web console's cookies.
    Console,
}

impl Sessions {
    /// Both kinds, for what ends or sweeps them all.
    pub(crate) const ALL: [Sessions; 2] = [Sessions::Api, Sessions::Console];

    /// The table (a fixed name, never input, so formatting it into SQL is safe).
    pub(crate) fn table(self) -> &'static str {
        match self {
            Sessions::Api => "sessions",
            Sessions::Console => "console_sessions",
        }
    }
}

/// Opens a session for `user_id` that expires `ttl_ms` after `now`; returns its token. Each
/// opening sweeps that user's expired sessions of the same kind, keeping the table small.
pub(crate) async fn open(
    conn: &mut AnyConnection,
    kind: Sessions,
    user_id: i64,
    now: i64,
    ttl_ms: i64,
) -> CoreResult<String> {
    let token = new_token();
    let table = kind.table();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    )))
    .bind(hash(&token))
    .bind(user_id)
    .bind(now)
    .bind(now.saturating_add(ttl_ms))
    .execute(&mut *conn)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE user_id = $1 AND expires_at < $2"
    )))
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// The user behind `token`, if such a session exists and has not expired.
pub(crate) async fn user_of(pool: &AnyPool, kind: Sessions, token: &str, now: i64) -> CoreResult<Option<i64>> {
    if !well_formed(token) {
        return Ok(None);
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT user_id FROM {} WHERE token_hash = $1 AND expires_at > $2",
        kind.table()
    )))
    .bind(hash(token))
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.get::<i64, _>(0)))
}

/// Ends the session behind `token`.
pub(crate) async fn end(conn: &mut AnyConnection, kind: Sessions, token: &str) -> CoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {} WHERE token_hash = $1",
        kind.table()
    )))
    .bind(hash(token))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_tokens_are_looked_up() {
        assert!(well_formed(&new_token()));
        assert!(!well_formed("abc"));
        assert!(!well_formed(&"g".repeat(64)));
    }

    #[test]
    fn fresh_tokens_differ_and_are_not_stored_as_themselves() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_ne!(hash(&a), a);
        assert_eq!(hash(&a), hash(&a));
    }
}
