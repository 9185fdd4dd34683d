//! The one rule for a resident's phone number and exact address: the resident; the volunteer
//! holding the claim (and for a while after close); the grid leader of that grid; admins.
//! Everyone else gets a masked phone (`138****5678`) and the building only.

use sqlx::AnyConnection;

use crate::error::CoreResult;
use crate::people::Caller;
use crate::wish::{Wish, WishStatus};

/// Whether `caller` may see the full contact details of `wish`'s resident at time `now`.
pub fn may_see_contact(caller: &Caller, wish: &Wish, now: i64, visible_after_close_ms: i64) -> bool {
    if caller.user_id == wish.resident_id || caller.is_admin() || caller.leads(wish.grid_id) {
        return true;
    }
    if wish.volunteer_id != Some(caller.user_id) {
        return false;
    }
    match wish.status {
        WishStatus::Claimed | WishStatus::Fulfilled => true,
        WishStatus::Closed => wish
            .closed_at
            .is_some_and(|closed| now < closed.saturating_add(visible_after_close_ms)),
        _ => false,
    }
}

/// Whether a reveal to `caller` is one to audit (residents seeing their own details are not).
pub fn is_audited_reveal(caller: &Caller, wish: &Wish) -> bool {
    caller.user_id != wish.resident_id
}

/// `13812345678` → `138****5678`; anything unexpected is masked whole.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// Records that `viewer` was shown the full contact details of the residents of these wishes.
/// One statement for a whole page (at most 100 wishes, 2 parameters each).
pub async fn record_reveals(conn: &mut AnyConnection, viewer: i64, wishes: &[(i64, i64)], now: i64) -> CoreResult<()> {
    if wishes.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..wishes.len())
        .map(|i| format!("($1, ${}, ${}, $2)", 2 * i + 3, 2 * i + 4))
        .collect();
    let sql = format!(
        "INSERT INTO contact_views (viewer_id, resident_id, wish_id, at) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(viewer).bind(now);
    for (wish_id, resident_id) in wishes {
        query = query.bind(*resident_id).bind(*wish_id);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::Role;

    fn wish(status: WishStatus, closed_at: Option<i64>) -> Wish {
        Wish {
            volunteer_id: Some(20),
            closed_at,
            ..Wish::sample(status)
        }
    }

    fn caller(id: i64, roles: &[Role], led: &[i64]) -> Caller {
        Caller {
            user_id: id,
            roles: roles.to_vec(),
            led_grids: led.to_vec(),
        }
    }

    #[test]
    fn masks_keep_three_and_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn the_rule_of_contract_md() {
        let claimed = wish(WishStatus::Claimed, None);
        let week = 7 * 86_400_000;
        assert!(may_see_contact(&caller(10, &[Role::Resident], &[]), &claimed, 0, week));
        assert!(may_see_contact(&caller(20, &[Role::Volunteer], &[]), &claimed, 0, week));
        assert!(may_see_contact(
            &caller(30, &[Role::GridLeader], &[1]),
            &claimed,
            0,
            week
        ));
        assert!(!may_see_contact(
            &caller(31, &[Role::GridLeader], &[2]),
            &claimed,
            0,
            week
        ));
        assert!(may_see_contact(&caller(40, &[Role::Admin], &[]), &claimed, 0, week));
        assert!(!may_see_contact(
            &caller(21, &[Role::Volunteer], &[]),
            &claimed,
            0,
            week
        ));
        // The family member who posted the wish sees only what everyone sees.
        assert!(!may_see_contact(&caller(11, &[Role::Resident], &[]), &claimed, 0, week));

        let closed = wish(WishStatus::Closed, Some(1_000));
        assert!(may_see_contact(
            &caller(20, &[Role::Volunteer], &[]),
            &closed,
            1_000 + week - 1,
            week
        ));
        assert!(!may_see_contact(
            &caller(20, &[Role::Volunteer], &[]),
            &closed,
            1_000 + week,
            week
        ));
        // A released wish is back to open: the former holder no longer sees anything.
        assert!(!may_see_contact(
            &caller(20, &[Role::Volunteer], &[]),
            &wish(WishStatus::Open, None),
            0,
            week
        ));
    }
}
