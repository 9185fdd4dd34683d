//! Who may see a wish, and in which capacities a caller acts on it. Pure; used by the store for
//! every read and every transition, so the rule lives in one place.

use super::{Actor, Wish};
use crate::people::{Caller, Role};

/// Whether the caller is the resident or the person who posted for them.
pub fn is_owner(caller: &Caller, wish: &Wish) -> bool {
    caller.user_id == wish.resident_id || caller.user_id == wish.created_by
}

/// Whether the caller holds a slot of the wish now (not once it is fulfilled: then they held it).
pub fn holds_now(caller: &Caller, wish: &Wish) -> bool {
    use super::WishStatus::{Claimed, Open};
    matches!(wish.status, Open | Claimed) && wish.holders.contains(&caller.user_id)
}

/// Whether the caller may see the wish at all. Open, claimed, fulfilled and closed wishes are the
/// community's wish wall; wishes under review, rejected or cancelled only the people involved see.
pub fn can_see(caller: &Caller, wish: &Wish) -> bool {
    wish.status.is_public()
        || is_owner(caller, wish)
        || wish.holders.contains(&caller.user_id)
        || caller.leads(wish.grid_id)
        || caller.is_admin()
}

/// The capacities in which the caller acts on this wish. Nobody volunteers for their own wish.
pub fn capacities(caller: &Caller, wish: &Wish) -> Vec<Actor> {
    let mut actors = Vec::new();
    let owner = is_owner(caller, wish);
    if owner {
        actors.push(Actor::Owner);
    }
    if holds_now(caller, wish) {
        actors.push(Actor::Holder);
    }
    if caller.has(Role::Volunteer) && !owner {
        actors.push(Actor::Volunteer);
    }
    if caller.leads(wish.grid_id) {
        actors.push(Actor::Leader);
    }
    if caller.is_admin() {
        actors.push(Actor::Admin);
    }
    if actors.is_empty() {
        actors.push(Actor::Other);
    }
    actors
}
