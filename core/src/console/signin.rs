//! Signing in to the web console: QR tickets a leader approves from the mini-program, one-time
//! links printed by `microwish admin console-link`, and the cookie sessions both lead to. Tokens
//! are random, stored only as SHA-256 hashes, expire, and are redeemed at most once.

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AnyPool, Row};

use crate::error::{CoreError, CoreResult};
use crate::people::{Caller, user};

/// How a sign-in grant came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantKind {
    /// Shown as a QR code by the console, approved from the mini-program.
    Qr,
    /// Printed by `microwish admin console-link` for one person.
    Link,
}

impl GrantKind {
    fn as_str(self) -> &'static str {
        match self {
            GrantKind::Qr => "qr",
            GrantKind::Link => "link",
        }
    }
}

/// A grant as stored, as far as redeeming it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantState {
    /// Who it signs in (QR tickets: set on approval).
    pub user_id: Option<i64>,
    /// Expiry, epoch ms.
    pub expires_at: i64,
    /// When it was redeemed, if it was.
    pub used_at: Option<i64>,
}

/// Why a grant does not sign anyone in (yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such grant (or a grant of the other kind).
    Unknown,
    /// Past its expiry.
    Expired,
    /// A QR ticket nobody has approved yet.
    Pending,
    /// Already redeemed.
    Used,
}

/// Decides whether a grant signs someone in now, and whom. Pure.
pub fn redeemable(grant: Option<GrantState>, now: i64) -> Result<i64, Refusal> {
    let grant = grant.ok_or(Refusal::Unknown)?;
    if grant.used_at.is_some() {
        return Err(Refusal::Used);
    }
    if now >= grant.expires_at {
        return Err(Refusal::Expired);
    }
    grant.user_id.ok_or(Refusal::Pending)
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh random token: 32 bytes, hex.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Tokens are 64 hex digits; anything else is not looked up at all.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

fn refused_use() -> CoreError {
    CoreError::forbidden("not_permitted", "the console is for grid leaders and admins")
}

/// Issues a QR ticket valid for `ttl_ms`; returns the token the console encodes in its QR code.
pub async fn issue_ticket(conn: &mut AnyConnection, now: i64, ttl_ms: i64) -> CoreResult<String> {
    let token = new_token();
    sqlx::query("INSERT INTO console_tickets (kind, token_hash, created_at, expires_at) VALUES ('qr', $1, $2, $3)")
        .bind(hash(&token))
        .bind(now)
        .bind(now.saturating_add(ttl_ms))
        .execute(&mut *conn)
        .await?;
    // Keep the table small: unredeemed grants are worthless a day after they expired.
    sqlx::query("DELETE FROM console_tickets WHERE expires_at < $1")
        .bind(now - 86_400_000)
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

/// Issues a one-time sign-in link token for the person with `openid` (a leader or an admin).
pub async fn issue_link(conn: &mut AnyConnection, openid: &str, now: i64, ttl_ms: i64) -> CoreResult<String> {
    let row = sqlx::query("SELECT id FROM users WHERE openid = $1")
        .bind(openid)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound("user"))?;
    let user_id: i64 = row.get(0);
    let roles = user::roles_of(conn, user_id).await?;
    let caller = Caller {
        user_id,
        roles,
        led_grids: Vec::new(),
    };
    if !caller.may_use_console() {
        return Err(refused_use());
    }
    let token = new_token();
    sqlx::query(
        "INSERT INTO console_tickets (kind, token_hash, user_id, created_at, expires_at, approved_at) \
         VALUES ('link', $1, $2, $3, $4, $3)",
    )
    .bind(hash(&token))
    .bind(user_id)
    .bind(now)
    .bind(now.saturating_add(ttl_ms))
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

async fn state_of(conn: &mut AnyConnection, kind: GrantKind, token: &str) -> CoreResult<Option<(i64, GrantState)>> {
    if !well_formed(token) {
        return Ok(None);
    }
    let row =
        sqlx::query("SELECT id, user_id, expires_at, used_at FROM console_tickets WHERE token_hash = $1 AND kind = $2")
            .bind(hash(token))
            .bind(kind.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|r| {
        let state = GrantState {
            user_id: r.get(1),
            expires_at: r.get(2),
            used_at: r.get(3),
        };
        (r.get(0), state)
    }))
}

/// Where a QR ticket stands, for the console page that polls it.
pub async fn ticket_status(conn: &mut AnyConnection, token: &str, now: i64) -> CoreResult<Result<i64, Refusal>> {
    let state = state_of(conn, GrantKind::Qr, token).await?;
    Ok(redeemable(state.map(|(_, s)| s), now))
}

/// The caller (a grid leader or an admin, from the mini-program) approves the QR ticket shown on
/// a console: the browser holding it will be signed in as them.
pub async fn approve_ticket(conn: &mut AnyConnection, caller: &Caller, token: &str, now: i64) -> CoreResult<()> {
    if !caller.may_use_console() {
        return Err(refused_use());
    }
    let (id, state) = state_of(conn, GrantKind::Qr, token)
        .await?
        .ok_or(CoreError::NotFound("ticket"))?;
    match redeemable(Some(state), now) {
        Err(Refusal::Pending) => {}
        Err(Refusal::Expired) => return Err(CoreError::NotFound("ticket")),
        Ok(_) | Err(Refusal::Used) | Err(Refusal::Unknown) => {
            return Err(CoreError::conflict(
                "ticket_used",
                "this sign-in code has already been approved",
            ));
        }
    }
    let done = sqlx::query(
        "UPDATE console_tickets SET user_id = $2, approved_at = $3 WHERE id = $1 AND user_id IS NULL AND used_at IS NULL",
    )
    .bind(id)
    .bind(caller.user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(CoreError::conflict(
            "ticket_used",
            "this sign-in code has already been approved",
        ));
    }
    Ok(())
}

/// Redeems a grant once: on success the grant is spent and a console session for its person
/// begins. Roles are checked again here, so a leader who lost the role since cannot sign in.
/// Returns the session token (for the cookie) and the user id.
pub async fn redeem(
    conn: &mut AnyConnection,
    kind: GrantKind,
    token: &str,
    now: i64,
    session_ttl_ms: i64,
) -> CoreResult<Result<(String, i64), Refusal>> {
    let found = state_of(conn, kind, token).await?;
    let id = found.map(|(id, _)| id);
    let user_id = match redeemable(found.map(|(_, s)| s), now) {
        Ok(user_id) => user_id,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let spent = sqlx::query("UPDATE console_tickets SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    if spent.rows_affected() == 0 {
        return Ok(Err(Refusal::Used));
    }
    let roles = user::roles_of(conn, user_id).await?;
    let caller = Caller {
        user_id,
        roles,
        led_grids: Vec::new(),
    };
    if !caller.may_use_console() {
        return Err(refused_use());
    }
    let session = new_token();
    sqlx::query("INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash(&session))
        .bind(user_id)
        .bind(now)
        .bind(now.saturating_add(session_ttl_ms))
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM console_sessions WHERE user_id = $1 AND expires_at < $2")
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(Ok((session, user_id)))
}

/// The caller behind a console session cookie, if the session is live and the person may still
/// use the console.
pub async fn session_caller(pool: &AnyPool, token: &str, now: i64) -> CoreResult<Option<Caller>> {
    if !well_formed(token) {
        return Ok(None);
    }
    let row = sqlx::query("SELECT user_id FROM console_sessions WHERE token_hash = $1 AND expires_at > $2")
        .bind(hash(token))
        .bind(now)
        .fetch_optional(pool)
        .await?;
    let Some(user_id) = row.map(|r| r.get::<i64, _>(0)) else {
        return Ok(None);
    };
    let caller = user::caller(pool, user_id).await?;
    Ok(caller.may_use_console().then_some(caller))
}

/// Ends a console session.
pub async fn end_session(conn: &mut AnyConnection, token: &str) -> CoreResult<()> {
    sqlx::query("DELETE FROM console_sessions WHERE token_hash = $1")
        .bind(hash(token))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(user_id: Option<i64>, used_at: Option<i64>) -> Option<GrantState> {
        Some(GrantState {
            user_id,
            expires_at: 1_000,
            used_at,
        })
    }

    #[test]
    fn a_grant_signs_in_once_its_person_is_known_and_before_it_expires() {
        assert_eq!(redeemable(None, 0), Err(Refusal::Unknown));
        assert_eq!(redeemable(grant(None, None), 0), Err(Refusal::Pending));
        assert_eq!(redeemable(grant(Some(7), None), 999), Ok(7));
        assert_eq!(redeemable(grant(Some(7), None), 1_000), Err(Refusal::Expired));
        assert_eq!(redeemable(grant(Some(7), Some(500)), 600), Err(Refusal::Used));
        // Spent is spent, even after expiry.
        assert_eq!(redeemable(grant(Some(7), Some(500)), 5_000), Err(Refusal::Used));
    }

    #[test]
    fn only_well_formed_tokens_are_looked_up() {
        assert!(well_formed(&new_token()));
        assert!(!well_formed("abc"));
        assert!(!well_formed(&"g".repeat(64)));
    }
}
