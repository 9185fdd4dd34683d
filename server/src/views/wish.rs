//! A wish as the API shows it, with the resident's contact either in full or masked and who is
//! coming shown or left out; pages and timeline rows.

use poem_openapi::Object;

use microwish_core::clock::rfc3339;
use microwish_core::privacy::mask_phone;
use microwish_core::wish::{TimelineEntry, Wish};

use super::PhotoView;
use super::coming::{self, Seen, VolunteerView};

/// The resident a wish is for, with contact details masked unless the caller may see them.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ResidentView {
    /// User id.
    pub id: i64,
    /// Display name.
    pub display_name: String,
    /// Full number, or masked like `138****5678`.
    pub phone: Option<String>,
    /// Building (always shown).
    pub building: Option<String>,
    /// Exact address, only when the caller may see it.
    pub address: Option<String>,
    /// Whether phone and address are shown in full.
    pub contact_visible: bool,
}

/// A wish.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WishView {
    /// Id.
    pub id: i64,
    /// pending_review, open, claimed, fulfilled, closed, rejected, cancelled.
    pub status: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category code.
    pub category: String,
    /// normal or urgent.
    pub urgency: String,
    /// Grid.
    pub grid_id: i64,
    /// The resident.
    pub resident: ResidentView,
    /// Who posted it (differs from the resident when staff posted on their behalf).
    pub created_by: i64,
    /// How the resident consented, when posted on their behalf (shown to those who see contacts).
    pub consent_note: Option<String>,
    /// The volunteer holding it (a wish of one slot).
    pub volunteer_id: Option<i64>,
    /// Who is coming: the holder's name and phone, for the resident, whoever posted the wish and
    /// the resident's linked family only, from the claim until a release (then the next holder)
    /// and for `wishes.contact_visible_after_close` after it closes. Absent for everyone else.
    /// A one-slot wish's only; of a wish for several volunteers see `volunteers`.
    pub volunteer: Option<VolunteerView>,
    /// Who is coming, everyone: the one volunteer of a one-slot wish, or every current holder of a
    /// wish for several volunteers (in the order they claimed), each with name and phone. Shown
    /// to the same people at the same stages as `volunteer`; absent for everyone else.
    pub volunteers: Option<Vec<VolunteerView>>,
    /// How many volunteers it takes (1 for an ordinary wish).
    pub slots: i64,
    /// How it repeats, while its series lives (absent once stopped or ended, and for a wish
    /// that does not repeat).
    pub repeat: Option<RepeatView>,
    /// Of a recurring wish: its series, the id of its first occurrence.
    pub series_id: Option<i64>,
    /// Of a recurring wish: which occurrence it is, from 1.
    pub occurrence: Option<i64>,
    /// Until then only the volunteers who served the series' last occurrence may claim it (a
    /// leader may still assign anyone). Absent when it was offered to nobody.
    pub offered_until: Option<String>,
    /// Who holds a slot of it (once fulfilled: who served it), in the order they claimed; each of
    /// them sees the resident's contact, as the one volunteer of an ordinary wish does.
    pub holders: Vec<i64>,
    /// When its grid's leader referred it to co-building (no volunteer can serve it), or bundled
    /// it into a project.
    pub referred_at: Option<String>,
    /// The leader's reason for the referral.
    pub referral_reason: Option<String>,
    /// The co-building project serving it, while that project is live.
    pub project_id: Option<i64>,
    /// The photos the caller may see (`GET /wishes/{id}` only; lists leave them out).
    pub photos: Option<Vec<PhotoView>>,
    /// Wanted by.
    pub due_at: Option<String>,
    /// The volunteer's note on fulfilment.
    pub fulfil_note: Option<String>,
    /// Rating 1–5.
    pub rating: Option<i64>,
    /// The resident's comment.
    pub rating_comment: Option<String>,
    /// Reason given for the last reject, release or cancel.
    pub status_reason: Option<String>,
    /// Created.
    pub created_at: String,
    /// Last changed.
    pub updated_at: String,
    /// Claimed.
    pub claimed_at: Option<String>,
    /// Fulfilled.
    pub fulfilled_at: Option<String>,
    /// Closed.
    pub closed_at: Option<String>,
}

/// How a recurring wish repeats.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RepeatView {
    /// week, 2weeks or month.
    pub every: String,
    /// No occurrence is due after this.
    pub until: Option<String>,
}

/// A page of wishes.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WishPage {
    /// The wishes, in the order asked (newest first unless `order=for_me`).
    pub items: Vec<WishView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// One timeline row.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TimelineView {
    /// Id.
    pub id: i64,
    /// When.
    pub at: String,
    /// Who (absent for the system).
    pub actor_id: Option<i64>,
    /// create, approve, reject, claim, assign, release, fulfil, confirm, cancel, auto_close, edit,
    /// refer, deliver, return, repeat (a recurring wish's new occurrence), stop_repeat (a project's:
    /// propose, agree, decline, deliver).
    pub action: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// Reason, note or comment (an edit: the fields it changed).
    pub note: Option<String>,
    /// On the step that gave the wish to its current holder: their name, for the resident's side
    /// only (as `volunteer` on the wish).
    pub volunteer_name: Option<String>,
}

impl From<TimelineEntry> for TimelineView {
    fn from(e: TimelineEntry) -> Self {
        Self {
            id: e.id,
            at: rfc3339(e.at),
            actor_id: e.actor_id,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            note: e.note,
            volunteer_name: None,
        }
    }
}

pub(crate) fn view(wish: Wish, seen: Seen) -> WishView {
    let visible = seen.contact;
    let volunteer = coming::volunteer_view(&wish, seen);
    let volunteers = coming::coming_views(&wish, seen);
    let r = wish.resident;
    WishView {
        id: wish.id,
        status: wish.status.as_str().to_string(),
        title: wish.title,
        description: wish.description,
        category: wish.category,
        urgency: wish.urgency.as_str().to_string(),
        grid_id: wish.grid_id,
        resident: ResidentView {
            id: wish.resident_id,
            display_name: r.display_name,
            phone: if visible {
                r.phone
            } else {
                r.phone.as_deref().map(mask_phone)
            },
            building: r.building,
            address: r.address.filter(|_| visible),
            contact_visible: visible,
        },
        created_by: wish.created_by,
        consent_note: wish.consent_note.filter(|_| visible),
        volunteer_id: wish.volunteer_id,
        volunteer,
        volunteers,
        slots: i64::from(wish.slots.0),
        repeat: wish.repeat.map(|r| RepeatView {
            every: r.every.as_str().to_string(),
            until: r.until.map(rfc3339),
        }),
        series_id: wish.series.map(|(series, _)| series),
        occurrence: wish.series.map(|(_, k)| k),
        offered_until: wish.offer_until.map(rfc3339),
        holders: wish.holders,
        referred_at: wish.referral.as_ref().map(|(at, _)| rfc3339(*at)),
        referral_reason: wish.referral.map(|(_, why)| why),
        project_id: wish.project_id,
        photos: None,
        due_at: wish.due_at.map(rfc3339),
        fulfil_note: wish.fulfil_note,
        rating: wish.rating,
        rating_comment: wish.rating_comment,
        status_reason: wish.status_reason,
        created_at: rfc3339(wish.created_at),
        updated_at: rfc3339(wish.updated_at),
        claimed_at: wish.claimed_at.map(rfc3339),
        fulfilled_at: wish.fulfilled_at.map(rfc3339),
        closed_at: wish.closed_at.map(rfc3339),
    }
}
