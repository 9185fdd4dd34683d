//! Who may attach, see and delete a wish's photos. Pure: the store passes in what it looked up
//! (the viewer's grid, whether they are the resident's family).
//!
//! - **Attach**: the resident's side (the resident, whoever posted it) while the wish is under
//!   review, open or claimed (kind `wish`); the holder while they hold it (kind `proof`).
//! - **See**: the resident's side and linked family; the holder (or, once fulfilled, the
//!   volunteer who last held it); the uploader; the grid's leader; admins. A resident's photos of
//!   an open wish also go to volunteers who live in the wish's grid, so they can decide whether to
//!   claim it. Nobody else — a volunteer of another grid hears 404 as for a photo that does not exist.
//! - **Delete**: the uploader, while they could still attach it.

use crate::people::{Caller, Role};
use crate::wish::access::is_owner;
use crate::wish::{Wish, WishStatus};

/// Whose photo it is: the resident's picture of the need, or the volunteer's proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoKind {
    /// Attached by the resident's side.
    Wish,
    /// Attached by the holder at fulfilment.
    Proof,
}

impl PhotoKind {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoKind::Wish => "wish",
            PhotoKind::Proof => "proof",
        }
    }

    /// From the database name.
    pub fn parse(s: &str) -> PhotoKind {
        if s == "proof" {
            PhotoKind::Proof
        } else {
            PhotoKind::Wish
        }
    }
}

/// Why a photo may not be attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachRefusal {
    /// Not the resident's side nor the holder (403).
    NotPermitted,
    /// The wish is past the stage where photos are added (409).
    Closed,
}

/// The viewer as the rule needs them.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    /// Who is asking.
    pub caller: &'a Caller,
    /// The grid they live in.
    pub grid_id: Option<i64>,
    /// Whether they are linked family of the wish's resident.
    pub family: bool,
}

/// Which kind of photo `caller` attaches to `wish` now, if any.
pub fn may_attach(caller: &Caller, wish: &Wish) -> Result<PhotoKind, AttachRefusal> {
    use WishStatus::*;
    let holder = wish.volunteer_id == Some(caller.user_id);
    match (is_owner(caller, wish), holder, wish.status) {
        (true, _, PendingReview | Open | Claimed) => Ok(PhotoKind::Wish),
        (_, true, Claimed) => Ok(PhotoKind::Proof),
        (true, _, _) | (_, true, _) => Err(AttachRefusal::Closed),
        _ => Err(AttachRefusal::NotPermitted),
    }
}

/// Whether `viewer` may see a photo of `kind` uploaded by `uploader` to `wish`.
pub fn may_see(viewer: Viewer<'_>, wish: &Wish, kind: PhotoKind, uploader: i64) -> bool {
    let caller = viewer.caller;
    if is_owner(caller, wish)
        || viewer.family
        || caller.user_id == uploader
        || wish.volunteer_id == Some(caller.user_id)
        || caller.leads(wish.grid_id)
        || caller.is_admin()
    {
        return true;
    }
    kind == PhotoKind::Wish
        && wish.status == WishStatus::Open
        && caller.has(Role::Volunteer)
        && viewer.grid_id == Some(wish.grid_id)
}

/// Whether `caller` may delete a photo of `kind` they uploaded (or not) to `wish`.
pub fn may_delete(caller: &Caller, wish: &Wish, kind: PhotoKind, uploader: i64) -> bool {
    caller.user_id == uploader && may_attach(caller, wish) == Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(id: i64, roles: &[Role], led: &[i64]) -> Caller {
        Caller {
            user_id: id,
            roles: roles.to_vec(),
            led_grids: led.to_vec(),
        }
    }

    fn held(status: WishStatus) -> Wish {
        Wish {
            volunteer_id: Some(20),
            ..Wish::sample(status)
        }
    }

    #[test]
    fn the_resident_attaches_until_fulfilment_and_the_holder_while_holding() {
        use WishStatus::*;
        let resident = caller(10, &[Role::Resident], &[]);
        let holder = caller(20, &[Role::Volunteer], &[]);
        let other = caller(21, &[Role::Volunteer], &[]);
        for status in [PendingReview, Open, Claimed] {
            assert_eq!(may_attach(&resident, &held(status)), Ok(PhotoKind::Wish), "{status}");
        }
        for status in [Fulfilled, Closed, Cancelled, Rejected] {
            assert_eq!(
                may_attach(&resident, &held(status)),
                Err(AttachRefusal::Closed),
                "{status}"
            );
        }
        assert_eq!(may_attach(&holder, &held(Claimed)), Ok(PhotoKind::Proof));
        assert_eq!(may_attach(&holder, &held(Fulfilled)), Err(AttachRefusal::Closed));
        assert_eq!(may_attach(&other, &held(Claimed)), Err(AttachRefusal::NotPermitted));
        let leader = caller(30, &[Role::GridLeader], &[1]);
        assert_eq!(may_attach(&leader, &held(Open)), Err(AttachRefusal::NotPermitted));
    }

    #[test]
    fn photos_go_to_those_who_may_see_the_wish_and_no_one_else() {
        let open = Wish::sample(WishStatus::Open);
        let sees = |c: &Caller, grid: Option<i64>, family: bool, w: &Wish, kind| {
            may_see(
                Viewer {
                    caller: c,
                    grid_id: grid,
                    family,
                },
                w,
                kind,
                10,
            )
        };
        let volunteer = caller(21, &[Role::Volunteer], &[]);
        // A volunteer of the wish's grid sees an open wish's photos; of another grid, never.
        assert!(sees(&volunteer, Some(1), false, &open, PhotoKind::Wish));
        assert!(!sees(&volunteer, Some(2), false, &open, PhotoKind::Wish));
        assert!(!sees(&volunteer, None, false, &open, PhotoKind::Wish));
        // Once someone holds it, only the holder among volunteers.
        let claimed = held(WishStatus::Claimed);
        assert!(!sees(&volunteer, Some(1), false, &claimed, PhotoKind::Wish));
        assert!(sees(
            &caller(20, &[Role::Volunteer], &[]),
            Some(2),
            false,
            &claimed,
            PhotoKind::Wish
        ));
        // Proof is never for the grid's other volunteers; residents' family and staff see all.
        assert!(!sees(&volunteer, Some(1), false, &open, PhotoKind::Proof));
        assert!(sees(&caller(11, &[], &[]), None, true, &claimed, PhotoKind::Proof));
        assert!(sees(
            &caller(30, &[Role::GridLeader], &[1]),
            None,
            false,
            &claimed,
            PhotoKind::Proof
        ));
        assert!(!sees(
            &caller(31, &[Role::GridLeader], &[2]),
            None,
            false,
            &claimed,
            PhotoKind::Proof
        ));
        assert!(sees(
            &caller(40, &[Role::Admin], &[]),
            None,
            false,
            &claimed,
            PhotoKind::Proof
        ));
        // A neighbour in the same grid without the volunteer role: no.
        assert!(!sees(
            &caller(12, &[Role::Resident], &[]),
            Some(1),
            false,
            &open,
            PhotoKind::Wish
        ));
    }

    #[test]
    fn only_the_uploader_deletes_and_only_while_they_could_attach() {
        let resident = caller(10, &[Role::Resident], &[]);
        assert!(may_delete(&resident, &held(WishStatus::Open), PhotoKind::Wish, 10));
        assert!(!may_delete(
            &resident,
            &held(WishStatus::Fulfilled),
            PhotoKind::Wish,
            10
        ));
        assert!(!may_delete(&resident, &held(WishStatus::Open), PhotoKind::Proof, 20));
        let holder = caller(20, &[Role::Volunteer], &[]);
        assert!(may_delete(&holder, &held(WishStatus::Claimed), PhotoKind::Proof, 20));
        assert!(!may_delete(&holder, &held(WishStatus::Claimed), PhotoKind::Wish, 10));
    }
}
