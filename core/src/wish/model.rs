//! What a wish is: its stored row, the contacts of its two people, timeline entries and list
//! filters (its statuses and urgency are in `status`).

use super::repeat::RepeatRule;
use crate::fields::{Description, Note, Title};

pub use super::status::{Urgency, WishStatus};

/// A wish as stored, joined with the contact details of its resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wish {
    /// Id.
    pub id: i64,
    /// The resident it is for.
    pub resident_id: i64,
    /// Who posted it (the resident, or staff/family on their behalf).
    pub created_by: i64,
    /// The consent note recorded when posted on someone's behalf.
    pub consent_note: Option<String>,
    /// The resident's grid at posting time.
    pub grid_id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category code.
    pub category: String,
    /// Urgency.
    pub urgency: Urgency,
    /// Wanted by, epoch ms.
    pub due_at: Option<i64>,
    /// Current status.
    pub status: WishStatus,
    /// The volunteer holding (or who last held) it.
    pub volunteer_id: Option<i64>,
    /// When claimed.
    pub claimed_at: Option<i64>,
    /// When fulfilled.
    pub fulfilled_at: Option<i64>,
    /// The volunteer's note on fulfilment.
    pub fulfil_note: Option<String>,
    /// When closed.
    pub closed_at: Option<i64>,
    /// The resident's rating, 1–5.
    pub rating: Option<i64>,
    /// The resident's comment.
    pub rating_comment: Option<String>,
    /// Reason given for the last reject/release/cancel.
    pub status_reason: Option<String>,
    /// When a leader referred it to co-building (or bundled it into a project), and why.
    pub referral: Option<(i64, String)>,
    /// The co-building project it is bundled into, while that project is live.
    pub project_id: Option<i64>,
    /// Volunteers it takes (1 for an ordinary wish) and, of several, how many hold a slot.
    pub slots: (u32, u32),
    /// How it repeats, while its series lives (a recurring wish).
    pub repeat: Option<RepeatRule>,
    /// Of a recurring wish: its series (the first occurrence's id) and which occurrence it is.
    pub series: Option<(i64, i64)>,
    /// Until when it is offered first to whoever served its series' last occurrence.
    pub offer_until: Option<i64>,
    /// Who holds (or held, once fulfilled) it: the one `volunteer_id`, or the holders of its slots.
    pub holders: Vec<i64>,
    /// Created, epoch ms.
    pub created_at: i64,
    /// Last change, epoch ms.
    pub updated_at: i64,
    /// The resident's contact details (unmasked: masking happens at the edge, in one place).
    pub resident: ResidentContact,
    /// The holding volunteer's name and phone (unmasked: who may see them is decided at the edge).
    pub volunteer: Option<VolunteerContact>,
    /// Of a wish for several volunteers: each holder's name and phone, in `holders`' order
    /// (empty for a one-slot wish, whose one holder is `volunteer`).
    pub holder_contacts: Vec<VolunteerContact>,
}

/// The volunteer's name and phone as stored: what the resident's side sees of who is coming.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VolunteerContact {
    /// User id.
    pub id: i64,
    /// Display name.
    pub display_name: String,
    /// Mobile number.
    pub phone: Option<String>,
}

impl Wish {
    /// Its slots as the machine sees them: a one-slot wish is held exactly when claimed.
    pub fn slot_state(&self) -> super::machine::Slots {
        match self.slots {
            (1, _) => super::machine::Slots::one(self.status == WishStatus::Claimed),
            (total, held) => super::machine::Slots { total, held },
        }
    }

    /// Whether it takes several volunteers.
    pub fn is_multi_slot(&self) -> bool {
        self.slots.0 > 1
    }

    /// Who is coming, as stored: the one volunteer of a one-slot wish, every holder of a wish for
    /// several (whether the caller may see them is decided at the edge).
    pub fn coming(&self) -> Vec<&VolunteerContact> {
        match self.is_multi_slot() {
            true => self.holder_contacts.iter().collect(),
            false => self.volunteer.iter().collect(),
        }
    }
}

/// The resident's name and contact details as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResidentContact {
    /// Display name.
    pub display_name: String,
    /// Mobile number.
    pub phone: Option<String>,
    /// Building.
    pub building: Option<String>,
    /// Exact address.
    pub address: Option<String>,
}

/// A new wish, validated.
#[derive(Debug, Clone)]
pub struct NewWish {
    /// Title.
    pub title: Title,
    /// Description.
    pub description: Description,
    /// Category code (checked against the configured list by the caller).
    pub category: String,
    /// Urgency.
    pub urgency: Urgency,
    /// Wanted by.
    pub due_at: Option<i64>,
    /// Post for this resident instead of oneself (staff or family).
    pub on_behalf_of: Option<i64>,
    /// Required when posting on someone's behalf.
    pub consent_note: Option<Note>,
    /// How many volunteers it takes (1 to `wishes.max_slots`).
    pub slots: u32,
    /// How it repeats (it then needs `due_at`: the first occurrence's date).
    pub repeat: Option<RepeatRule>,
}

/// One row of a wish's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// Id.
    pub id: i64,
    /// When.
    pub at: i64,
    /// Who (none for the system).
    pub actor_id: Option<i64>,
    /// What: `create`, or an [`Action`](super::Action) name.
    pub action: String,
    /// Status before (none on creation).
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// Reason, note or comment.
    pub note: Option<String>,
}

/// Filters for listing wishes; everything optional.
#[derive(Debug, Clone, Default)]
pub struct WishFilter {
    /// Only this status.
    pub status: Option<WishStatus>,
    /// Only this grid.
    pub grid_id: Option<i64>,
    /// Only this category.
    pub category: Option<String>,
    /// Only wishes the caller posted, is the resident of, or holds.
    pub mine: bool,
    /// Only referred wishes (true) or only wishes not referred (false).
    pub referred: Option<bool>,
    /// Ids below this (keyset cursor of the newest-first order).
    pub before_id: Option<i64>,
    /// Newest first, or a volunteer's order (`for_me`) with its own cursor.
    pub order: WishOrder,
    /// Page size.
    pub limit: i64,
}

/// How a list of wishes is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WishOrder {
    /// Newest first (the wish wall).
    #[default]
    Newest,
    /// Open wishes for the caller: their grid and skills first, soonest due first
    /// ([`for_me`](super::for_me)), continuing after the key a cursor gave.
    ForMe(Option<super::for_me::ForMeKey>),
}

#[cfg(test)]
impl Wish {
    /// A wish for unit tests: #1 of resident 10 in grid 1, an errand in `status`, held by nobody;
    /// a test sets what it is about with `Wish { field, ..Wish::sample(status) }`.
    pub(crate) fn sample(status: WishStatus) -> Wish {
        Wish {
            id: 1,
            resident_id: 10,
            created_by: 10,
            consent_note: None,
            grid_id: 1,
            title: "t".into(),
            description: String::new(),
            category: "errand".into(),
            urgency: Urgency::Normal,
            due_at: None,
            status,
            volunteer_id: None,
            claimed_at: None,
            fulfilled_at: None,
            fulfil_note: None,
            closed_at: None,
            rating: None,
            rating_comment: None,
            status_reason: None,
            referral: None,
            project_id: None,
            slots: (1, 0),
            repeat: None,
            series: None,
            offer_until: None,
            holders: Vec::new(),
            created_at: 0,
            updated_at: 0,
            resident: ResidentContact::default(),
            volunteer: None,
            holder_contacts: Vec::new(),
        }
    }
}
