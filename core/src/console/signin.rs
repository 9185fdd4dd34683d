//! Signing in to the web console: QR tickets a leader approves from the mini-program, one-time
//! links printed by `microwish admin console-link`, and the cookie sessions both lead to. Tokens
//! are random, stored only as SHA-256 hashes, expire, and are redeemed at most once.

use sqlx::{AnyConnection, AnyPool, Row};

pub use super::grant::{GrantKind, Refusal};
use super::grant::{GrantState, redeemable};
use crate::error::{CoreError, CoreResult, guarded};
use crate::people::token::{Sessions, hash, new_token, well_formed};
use crate::people::{Caller, token, user};

/// The answer to approving a ticket someone already approved (or used).
fn ticket_used() -> CoreError {
    CoreError::conflict("ticket_used", "this sign-in code has already been approved")
}

fn refused_use() -> CoreError {
    CoreError::forbidden("not_permitted", "the console is for grid leaders and admins")
}

/// Refuses `user_id` unless they hold a role that may use the console, checked afresh from the
/// store (a leader who lost the role since a grant was made cannot sign in with it).
async fn check_may_use(conn: &mut AnyConnection, user_id: i64) -> CoreResult<()> {
    let caller = Caller {
        user_id,
        roles: user::roles_of(conn, user_id).await?,
        led_grids: Vec::new(),
    };
    match caller.may_use_console() {
        true => Ok(()),
        false => Err(refused_use()),
    }
}

/// Stores a new grant of `kind` valid for `ttl_ms`; returns its token. A link names its person
/// at once (and counts as approved); a QR ticket learns it when approved.
async fn grant(
    conn: &mut AnyConnection,
    kind: GrantKind,
    user_id: Option<i64>,
    now: i64,
    ttl_ms: i64,
) -> CoreResult<String> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO console_tickets (kind, token_hash, user_id, created_at, expires_at, approved_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(kind.as_str())
    .bind(hash(&token))
    .bind(user_id)
    .bind(now)
    .bind(now.saturating_add(ttl_ms))
    .bind(user_id.map(|_| now))
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// Issues a QR ticket valid for `ttl_ms`; returns the token the console encodes in its QR code.
pub async fn issue_ticket(conn: &mut AnyConnection, now: i64, ttl_ms: i64) -> CoreResult<String> {
    let token = grant(conn, GrantKind::Qr, None, now, ttl_ms).await?;
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
    check_may_use(conn, user_id).await?;
    grant(conn, GrantKind::Link, Some(user_id), now, ttl_ms).await
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
        Ok(_) | Err(Refusal::Used) | Err(Refusal::Unknown) => return Err(ticket_used()),
    }
    let done = sqlx::query(
        "UPDATE console_tickets SET user_id = $2, approved_at = $3 WHERE id = $1 AND user_id IS NULL AND used_at IS NULL",
    )
    .bind(id)
    .bind(caller.user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    guarded(done, ticket_used)
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
    check_may_use(conn, user_id).await?;
    let session = token::open(conn, Sessions::Console, user_id, now, session_ttl_ms).await?;
    Ok(Ok((session, user_id)))
}

/// The caller behind a console session cookie, if the session is live and the person may still
/// use the console.
pub async fn session_caller(pool: &AnyPool, token: &str, now: i64) -> CoreResult<Option<Caller>> {
    let Some(user_id) = token::user_of(pool, Sessions::Console, token, now).await? else {
        return Ok(None);
    };
    let caller = user::caller(pool, user_id).await?;
    Ok(caller.may_use_console().then_some(caller))
}

/// Ends a console session.
pub async fn end_session(conn: &mut AnyConnection, token: &str) -> CoreResult<()> {
    token::end(conn, Sessions::Console, token).await
}
