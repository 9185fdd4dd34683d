//! Who is coming: the holding volunteer's name and phone on a wish — every holder's, of a wish for
//! several volunteers — shown to the resident's side by `core::privacy::may_see_volunteer`, and
//! what a view of a wish shows of its two people.

use poem_openapi::Object;
use sqlx::AnyConnection;

use microwish_core::people::Caller;
use microwish_core::privacy::volunteer_shown;
use microwish_core::register::family;
use microwish_core::wish::{TimelineEntry, Wish};

use super::TimelineView;
use crate::error::ApiError;
use crate::state::AppState;

/// The volunteer who holds the wish, as the resident's side sees them. By claiming (or accepting
/// an assignment) the volunteer agrees that the resident, whoever posted the wish for them and
/// their linked family see their name and phone: an elderly person opening the door knows who
/// to expect. Nobody else sees it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VolunteerView {
    /// User id.
    pub id: i64,
    /// Display name.
    pub display_name: String,
    /// Mobile number, in full.
    pub phone: Option<String>,
}

/// What one caller sees of one wish's two people.
#[derive(Debug, Clone, Copy, Default)]
pub struct Seen {
    /// The resident's phone and address in full.
    pub contact: bool,
    /// The holding volunteer's name and phone.
    pub volunteer: bool,
}

/// The holder of a one-slot `wish` as the view shows them, when `seen` allows.
pub(crate) fn volunteer_view(wish: &Wish, seen: Seen) -> Option<VolunteerView> {
    let id = wish.volunteer_id.filter(|_| seen.volunteer)?;
    let contact = wish.volunteer.clone()?;
    Some(VolunteerView {
        id,
        display_name: contact.display_name,
        phone: contact.phone,
    })
}

/// Everyone coming for `wish` — its one volunteer, or every holder of its several slots — when
/// `seen` allows; `None` otherwise (the field is left out, not an empty list, for whoever may not
/// know).
pub(crate) fn coming_views(wish: &Wish, seen: Seen) -> Option<Vec<VolunteerView>> {
    let coming = wish.coming();
    (seen.volunteer && !coming.is_empty()).then(|| {
        coming
            .into_iter()
            .map(|c| VolunteerView {
                id: c.id,
                display_name: c.display_name.clone(),
                phone: c.phone.clone(),
            })
            .collect()
    })
}

impl AppState {
    /// Whether showing `wishes` to `caller` depends on whom they are family of: some wish could
    /// show its volunteer to family at all, and the caller is not its own resident or poster, nor
    /// one of its holders (who are never shown who else is coming, family or not). Pages of open
    /// wishes (the hot ones) and the answer to a claim never do, so they cost no query.
    fn needs_family(&self, caller: &Caller, wishes: &[Wish]) -> bool {
        let now = self.clock.now_ms();
        let window = self.settings.wishes.contact_visible_after_close.as_millis_i64();
        wishes.iter().any(|w| {
            volunteer_shown(w, now, window)
                && caller.user_id != w.resident_id
                && caller.user_id != w.created_by
                && !w.holders.contains(&caller.user_id)
        })
    }

    /// The residents `caller` is family of, as far as showing `wishes` needs it, on `conn`.
    pub(crate) async fn family_of(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        wishes: &[Wish],
    ) -> Result<Vec<i64>, ApiError> {
        if !self.needs_family(caller, wishes) {
            return Ok(Vec::new());
        }
        Ok(family::residents_of(conn, caller.user_id).await?)
    }

    /// A wish's timeline as `caller` sees it: the last claim or assignment — the step that gave
    /// the wish to its current holder — names them when the caller may see who is coming. Of a
    /// wish for several volunteers, each current holder's own claim names them (an assignment's
    /// actor is the leader, so the step cannot say which slot it filled).
    pub(crate) async fn present_timeline(
        &self,
        caller: &Caller,
        wish: Wish,
        entries: Vec<TimelineEntry>,
    ) -> Result<Vec<TimelineView>, ApiError> {
        let family_of = self.family_for(caller, std::slice::from_ref(&wish)).await?;
        let seen = self.seen(caller, &wish, &family_of);
        let holding_step = entries
            .iter()
            .rposition(|e| matches!(e.action.as_str(), "claim" | "assign"));
        let name_of = |i: usize, e: &TimelineEntry| -> Option<String> {
            if !seen.volunteer {
                return None;
            }
            if wish.is_multi_slot() {
                let holder = e.actor_id.filter(|_| e.action == "claim")?;
                let last_claim = entries
                    .iter()
                    .rposition(|x| x.action == "claim" && x.actor_id == Some(holder));
                let contact = wish.holder_contacts.iter().find(|h| h.id == holder)?;
                return (last_claim == Some(i)).then(|| contact.display_name.clone());
            }
            volunteer_view(&wish, seen)
                .map(|v| v.display_name)
                .filter(|_| Some(i) == holding_step)
        };
        let names: Vec<Option<String>> = entries.iter().enumerate().map(|(i, e)| name_of(i, e)).collect();
        Ok(entries
            .into_iter()
            .zip(names)
            .map(|(e, volunteer_name)| TimelineView {
                volunteer_name,
                ..e.into()
            })
            .collect())
    }

    /// [`family_of`](Self::family_of) on a pooled connection, taken only when needed.
    pub(crate) async fn family_for(&self, caller: &Caller, wishes: &[Wish]) -> Result<Vec<i64>, ApiError> {
        if !self.needs_family(caller, wishes) {
            return Ok(Vec::new());
        }
        let mut conn = self.db.pool().acquire().await?;
        Ok(family::residents_of(&mut conn, caller.user_id).await?)
    }
}
