//! The one rule for a resident's phone number and exact address: the resident; the volunteer
//! holding the claim (and for a while after close); the grid leader of that grid; admins.
//! Everyone else gets a masked phone (`138****5678`) and the building only.
//!
//! Beside it, the rule for the other direction — who is coming: the holding volunteer's name and
//! phone (every holder's, of a wish for several volunteers) go to the resident's side (the
//! resident, whoever posted the wish, linked family) from the claim on, and to nobody else. Each
//! volunteer agreed to that by claiming.

use sqlx::AnyConnection;

use crate::error::CoreResult;
use crate::people::Caller;
use crate::wish::{Wish, WishStatus};

/// Whether `caller` may see the full contact details of `wish`'s resident at time `now`.
pub fn may_see_contact(caller: &Caller, wish: &Wish, now: i64, visible_after_close_ms: i64) -> bool {
    if caller.user_id == wish.resident_id || caller.is_admin() || caller.leads(wish.grid_id) {
        return true;
    }
    // Each holder of a slot sees the resident while the resident's side sees who is coming: the
    // same stages.
    wish.holders.contains(&caller.user_id) && volunteer_shown(wish, now, visible_after_close_ms)
}

/// Whether `wish` is at a stage where its holders are shown to the resident's side: held (claimed,
/// or open with some of its several slots taken) or fulfilled, or closed less than
/// `visible_after_close_ms` ago. Never before a claim, and not after a release, which clears the
/// holder (the next one is shown once someone claims again).
pub fn volunteer_shown(wish: &Wish, now: i64, visible_after_close_ms: i64) -> bool {
    if wish.holders.is_empty() {
        return false;
    }
    match wish.status {
        WishStatus::Open | WishStatus::Claimed | WishStatus::Fulfilled => true,
        WishStatus::Closed => wish
            .closed_at
            .is_some_and(|closed| now < closed.saturating_add(visible_after_close_ms)),
        _ => false,
    }
}

/// Who is coming: whether `caller` may see the holding volunteers' display names and phones. The
/// resident, whoever posted the wish for them, and their linked family (`family_of` lists the
/// residents the caller is family of) may, while [`volunteer_shown`]; nobody else ever — not
/// other residents, volunteers, or staff (who reach volunteers through the register).
pub fn may_see_volunteer(
    caller: &Caller,
    wish: &Wish,
    family_of: &[i64],
    now: i64,
    visible_after_close_ms: i64,
) -> bool {
    let residents_side = caller.user_id == wish.resident_id
        || caller.user_id == wish.created_by
        || family_of.contains(&wish.resident_id);
    residents_side && !wish.holders.contains(&caller.user_id) && volunteer_shown(wish, now, visible_after_close_ms)
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

/// Records that `viewer` was shown the full contact details of the residents of these wishes
/// (`(wish_id, resident_id)` each). One statement for a whole page.
pub async fn record_reveals(conn: &mut AnyConnection, viewer: i64, wishes: &[(i64, i64)], now: i64) -> CoreResult<()> {
    insert_views(
        conn,
        "contact_views (viewer_id, resident_id, wish_id, at)",
        viewer,
        wishes,
        now,
    )
    .await
}

/// Records that `viewer` was shown who is coming: the name and phone of each wish's holding
/// volunteer (`(wish_id, volunteer_id)` each). One statement for a whole page.
pub async fn record_volunteer_reveals(
    conn: &mut AnyConnection,
    viewer: i64,
    wishes: &[(i64, i64)],
    now: i64,
) -> CoreResult<()> {
    let table = "volunteer_contact_views (viewer_id, volunteer_id, wish_id, at)";
    insert_views(conn, table, viewer, wishes, now).await
}

/// One multi-row INSERT of audit rows `(viewer, person, wish, now)` (a page holds at most 100
/// wishes, 2 parameters each).
async fn insert_views(
    conn: &mut AnyConnection,
    table: &'static str,
    viewer: i64,
    wishes: &[(i64, i64)],
    now: i64,
) -> CoreResult<()> {
    if wishes.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..wishes.len())
        .map(|i| format!("($1, ${}, ${}, $2)", 2 * i + 3, 2 * i + 4))
        .collect();
    let sql = format!("INSERT INTO {table} VALUES {}", rows.join(", "));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(viewer).bind(now);
    for (wish_id, person_id) in wishes {
        query = query.bind(*person_id).bind(*wish_id);
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
            holders: vec![20],
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
        let released = Wish {
            volunteer_id: None,
            holders: Vec::new(),
            ..wish(WishStatus::Open, None)
        };
        assert!(!may_see_contact(
            &caller(20, &[Role::Volunteer], &[]),
            &released,
            0,
            week
        ));
    }

    #[test]
    fn who_is_coming_goes_to_the_residents_side_only() {
        let week = 7 * 86_400_000;
        let claimed = Wish {
            created_by: 12,
            ..wish(WishStatus::Claimed, None)
        };
        let sees = |c: &Caller, w: &Wish, family: &[i64], now| may_see_volunteer(c, w, family, now, week);
        let resident = caller(10, &[Role::Resident], &[]);
        let poster = caller(12, &[Role::Resident], &[]);
        let family = caller(11, &[Role::Resident], &[]);
        assert!(sees(&resident, &claimed, &[], 0));
        assert!(sees(&poster, &claimed, &[], 0));
        assert!(sees(&family, &claimed, &[10], 0));
        assert!(sees(&resident, &wish(WishStatus::Fulfilled, None), &[], 0));
        // Everyone else, staff included, and the family of someone else: never.
        assert!(!sees(&family, &claimed, &[99], 0));
        for other in [
            caller(21, &[Role::Volunteer], &[]),
            caller(20, &[Role::Volunteer], &[]),
            caller(30, &[Role::GridLeader], &[1]),
            caller(40, &[Role::Admin], &[]),
        ] {
            assert!(!sees(&other, &claimed, &[], 0), "{other:?}");
        }
        // Not before the claim, not after a release (no holder), not once cancelled.
        assert!(!sees(&resident, &Wish::sample(WishStatus::Open), &[], 0));
        assert!(!sees(&resident, &wish(WishStatus::Cancelled, None), &[], 0));
        // After close, for the same while as the volunteer sees the resident.
        let closed = wish(WishStatus::Closed, Some(1_000));
        assert!(sees(&resident, &closed, &[], 1_000 + week - 1));
        assert!(!sees(&resident, &closed, &[], 1_000 + week));
    }

    #[test]
    fn a_wish_without_a_holder_shows_nobody() {
        let unheld = Wish::sample(WishStatus::Claimed);
        assert!(!volunteer_shown(&unheld, 0, 1));
        assert!(!may_see_volunteer(
            &caller(10, &[Role::Resident], &[]),
            &unheld,
            &[],
            0,
            1
        ));
    }

    #[test]
    fn each_holder_of_several_slots_sees_the_contact() {
        let week = 7 * 86_400_000;
        let partly = Wish {
            slots: (3, 2),
            holders: vec![20, 21],
            ..Wish::sample(WishStatus::Open)
        };
        for holder in [20, 21] {
            assert!(may_see_contact(
                &caller(holder, &[Role::Volunteer], &[]),
                &partly,
                0,
                week
            ));
        }
        assert!(!may_see_contact(&caller(22, &[Role::Volunteer], &[]), &partly, 0, week));
    }

    #[test]
    fn the_residents_side_sees_every_holder_of_several_slots_once_one_is_held() {
        let week = 7 * 86_400_000;
        let resident = caller(10, &[Role::Resident], &[]);
        let partly = Wish {
            slots: (3, 2),
            holders: vec![20, 21],
            ..Wish::sample(WishStatus::Open)
        };
        assert!(may_see_volunteer(&resident, &partly, &[], 0, week));
        // Holders never see each other through this rule (they are not the resident's side).
        assert!(!may_see_volunteer(
            &caller(20, &[Role::Volunteer], &[]),
            &partly,
            &[],
            0,
            week
        ));
        let nobody_yet = Wish {
            slots: (3, 0),
            ..Wish::sample(WishStatus::Open)
        };
        assert!(!may_see_volunteer(&resident, &nobody_yet, &[], 0, week));
    }
}
