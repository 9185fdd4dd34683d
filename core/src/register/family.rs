//! Family links: a resident (or the grid's leader, for a resident without a smartphone) makes a
//! one-time code; a family member who enters it may post on the resident's behalf and receives a
//! copy of the resident's wish news. Either side can unlink. And the relay that makes sure an
//! offline resident's news reaches someone: their family, or — with nobody linked — the grid
//! leader, as a phone-call task.

use rand::Rng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use super::building::may_manage;
use super::handoff::{Unreached, phone_call};
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult};
use crate::notify::NotificationKind;
use crate::outbox::{self, NewNotification};
use crate::people::Caller;

/// Letters and digits nobody misreads on a phone call (no 0/O, 1/I/L).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 8;

/// A family link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The resident.
    pub resident_id: i64,
    /// Their family member.
    pub family_id: i64,
    /// The resident's name.
    pub resident_name: String,
    /// The family member's name.
    pub family_name: String,
    /// Linked at.
    pub created_at: i64,
}

fn hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().to_uppercase().as_bytes()))
}

/// Whether the account is an offline resident (registered by a leader, no WeChat).
pub async fn is_offline(conn: &mut AnyConnection, user_id: i64) -> CoreResult<bool> {
    let row = sqlx::query("SELECT offline FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CoreError::NotFound("resident"))?;
    Ok(row.get::<i64, _>(0) != 0)
}

/// A one-time code for `resident_id`: the resident's own, or — for an offline resident — made
/// by the leader of their grid or an admin. Returns the code and its expiry.
pub async fn create_code(
    conn: &mut AnyConnection,
    caller: &Caller,
    resident_id: i64,
    ttl_ms: i64,
    now: i64,
) -> CoreResult<(String, i64)> {
    let staff_grid = if resident_id == caller.user_id {
        None
    } else {
        let row = sqlx::query("SELECT offline, grid_id FROM users WHERE id = $1")
            .bind(resident_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(CoreError::NotFound("resident"))?;
        let (offline, grid): (i64, Option<i64>) = (row.get(0), row.get(1));
        if !grid.is_some_and(|g| may_manage(caller, g)) {
            return Err(CoreError::NotFound("resident"));
        }
        if offline == 0 {
            return Err(CoreError::conflict(
                "resident_has_wechat",
                "this resident has WeChat: they make their own family code",
            ));
        }
        grid
    };
    let code: String = {
        let mut rng = rand::rng();
        (0..CODE_LEN)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    };
    let expires_at = now + ttl_ms;
    sqlx::query(
        "INSERT INTO family_codes (code_hash, resident_id, created_by, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash(&code))
    .bind(resident_id)
    .bind(caller.user_id)
    .bind(expires_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if let Some(grid) = staff_grid {
        let fact = Action::FamilyCodeIssue.on(Subject::User(resident_id)).in_grid(grid);
        audit::record(conn, Some(caller), fact.with(json!({ "expires_at": expires_at })), now).await?;
    }
    Ok((code, expires_at))
}

/// Links the caller to the resident whose code this is. A code works once, before it expires.
pub async fn redeem(conn: &mut AnyConnection, caller: &Caller, code: &str, now: i64) -> CoreResult<Link> {
    let invalid = || CoreError::invalid("invalid_code", "code: unknown, expired or already used");
    if code.trim().chars().count() != CODE_LEN {
        return Err(invalid());
    }
    let row = sqlx::query(
        "UPDATE family_codes SET used_by = $2, used_at = $3 \
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $3 RETURNING resident_id",
    )
    .bind(hash(code))
    .bind(caller.user_id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(invalid)?;
    let resident_id: i64 = row.get(0);
    if resident_id == caller.user_id {
        return Err(CoreError::invalid(
            "invalid_code",
            "code: this is your own code; give it to your family",
        ));
    }
    sqlx::query(
        "INSERT INTO family_links (resident_id, family_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (resident_id, family_id) DO NOTHING",
    )
    .bind(resident_id)
    .bind(caller.user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let links = list(conn, caller.user_id).await?;
    links
        .into_iter()
        .find(|l| l.resident_id == resident_id && l.family_id == caller.user_id)
        .ok_or(CoreError::NotFound("family link"))
}

/// Every link the user is part of, as resident or as family member.
pub async fn list(conn: &mut AnyConnection, user_id: i64) -> CoreResult<Vec<Link>> {
    let rows = sqlx::query(
        "SELECT l.resident_id, l.family_id, r.display_name, f.display_name, l.created_at FROM family_links l \
         JOIN users r ON r.id = l.resident_id JOIN users f ON f.id = l.family_id \
         WHERE l.resident_id = $1 OR l.family_id = $1 ORDER BY l.created_at, l.resident_id, l.family_id",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Link {
            resident_id: r.get(0),
            family_id: r.get(1),
            resident_name: r.get(2),
            family_name: r.get(3),
            created_at: r.get(4),
        })
        .collect())
}

/// Ends a link; either side may (the caller is one of the two).
pub async fn unlink(conn: &mut AnyConnection, caller: &Caller, resident_id: i64, family_id: i64) -> CoreResult<()> {
    if caller.user_id != resident_id && caller.user_id != family_id {
        return Err(CoreError::NotFound("family link"));
    }
    let deleted = sqlx::query("DELETE FROM family_links WHERE resident_id = $1 AND family_id = $2")
        .bind(resident_id)
        .bind(family_id)
        .execute(&mut *conn)
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(CoreError::NotFound("family link"));
    }
    Ok(())
}

/// Whether `user_id` is linked as family of `resident_id` (and so may post on their behalf).
pub async fn is_family(conn: &mut AnyConnection, user_id: i64, resident_id: i64) -> CoreResult<bool> {
    let row = sqlx::query("SELECT 1 FROM family_links WHERE resident_id = $1 AND family_id = $2")
        .bind(resident_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

/// The residents `family_id` is linked to as family (who see who is coming to them).
pub async fn residents_of(conn: &mut AnyConnection, family_id: i64) -> CoreResult<Vec<i64>> {
    let rows = sqlx::query("SELECT resident_id FROM family_links WHERE family_id = $1")
        .bind(family_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The news about their own wishes a resident's family hears of too (every resident), and that
/// must reach someone when the resident has no channel at all (an offline resident).
pub(crate) fn relayed(kind: NotificationKind, offline: bool) -> bool {
    use NotificationKind::*;
    match kind {
        WishClaimed | WishFulfilled | WishDelivered => true,
        WishReleased | WishCancelled | WishRejected | WishApproved | WishConfirmReminder => offline,
        _ => false,
    }
}

/// After `n` was recorded: copies for the recipient's family; for an offline resident with no
/// family, a phone-call task (an alert) for the leader of their grid.
pub(crate) async fn relay(conn: &mut AnyConnection, n: &NewNotification, now: i64) -> CoreResult<()> {
    let Some(row) = sqlx::query("SELECT offline, grid_id, display_name FROM users WHERE id = $1")
        .bind(n.recipient_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(());
    };
    let (offline, grid_id, name): (i64, Option<i64>, String) = (row.get(0), row.get(1), row.get(2));
    if !relayed(n.kind, offline != 0) {
        return Ok(());
    }
    let family: Vec<i64> = sqlx::query("SELECT family_id FROM family_links WHERE resident_id = $1 ORDER BY family_id")
        .bind(n.recipient_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for member in &family {
        let mut payload = n.payload.clone();
        mark_copy(&mut payload, &name, n.recipient_id);
        let copy = NewNotification {
            recipient_id: *member,
            payload,
            dedupe_key: format!("{}:family:{member}", n.dedupe_key),
            ..n.clone()
        };
        outbox::insert(conn, &copy, now).await?;
    }
    if offline != 0 && family.is_empty() {
        let Some(grid_id) = grid_id else {
            return Ok(());
        };
        let unreached = Unreached {
            kind: n.kind,
            subject_type: n.subject_type,
            subject_id: n.subject_id,
            payload: &n.payload,
            dedupe_key: &n.dedupe_key,
        };
        phone_call(conn, &unreached, grid_id, (n.recipient_id, &name), now).await?;
    }
    Ok(())
}

/// Words a family member's copy for the resident it is about.
pub(crate) fn mark_copy(payload: &mut Value, resident_name: &str, resident_id: i64) {
    if let Value::Object(map) = payload {
        map.insert("for_resident_name".into(), Value::String(resident_name.to_string()));
        map.insert("for_resident_id".into(), Value::from(resident_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_hears_of_claims_and_fulfilments_and_everything_for_offline_residents() {
        use NotificationKind::*;
        assert!(relayed(WishClaimed, false) && relayed(WishFulfilled, false));
        assert!(!relayed(WishReleased, false));
        assert!(relayed(WishReleased, true) && relayed(WishRejected, true));
        assert!(!relayed(Alert, true) && !relayed(EventInvitation, true));
    }

    #[test]
    fn codes_are_read_back_whatever_the_case_and_spaces() {
        assert_eq!(hash(" abcd2345 "), hash("ABCD2345"));
        assert!(ALPHABET.iter().all(|c| !b"01OIL".contains(c)));
    }
}
