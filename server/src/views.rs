//! Response bodies, and the one place where a resident's contact details are either shown in
//! full (and the reveal audited) or masked — for single wishes and lists alike.

use poem_openapi::Object;
use sqlx::AnyConnection;

use microwish_core::clock::rfc3339;
use microwish_core::people::{Caller, Grid, User};
use microwish_core::privacy::{is_audited_reveal, mask_phone, may_see_contact, record_reveals};
use microwish_core::wish::{TimelineEntry, Wish};

use crate::error::ApiError;
use crate::state::AppState;

/// A user's own profile.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserView {
    /// Id.
    pub id: i64,
    /// Display name.
    pub display_name: String,
    /// Mobile number.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Grid.
    pub grid_id: Option<i64>,
    /// Building.
    pub building: Option<String>,
    /// Exact address.
    pub address: Option<String>,
    /// Roles: resident, volunteer, grid_leader, admin.
    pub roles: Vec<String>,
    /// Whether `grid_id` comes from a verified residence (it is only set once verified).
    pub residence_verified: bool,
    /// The residence request waiting for the grid leader, if any.
    #[oai(skip_serializing_if_is_none)]
    pub pending_residence_request_id: Option<i64>,
}

impl UserView {
    /// Adds the pending residence request, if any.
    pub fn with_pending(mut self, pending: Option<microwish_core::register::ResidenceRequest>) -> Self {
        self.pending_residence_request_id = pending.map(|r| r.id);
        self
    }
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            display_name: u.display_name,
            phone: u.phone,
            email: u.email,
            grid_id: u.grid_id,
            building: u.building,
            address: u.address,
            roles: u.roles.iter().map(|r| r.as_str().to_string()).collect(),
            residence_verified: u.grid_id.is_some(),
            pending_residence_request_id: None,
        }
    }
}

/// A grid. The robot key is a secret and only shown to admins.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct GridView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Leader's user id.
    pub leader_user_id: Option<i64>,
    /// WeCom robot key (admins only).
    #[oai(skip_serializing_if_is_none)]
    pub wecom_robot_key: Option<String>,
}

impl GridView {
    /// The view of a grid for an admin (with the robot key) or anyone else (without).
    pub fn new(grid: Grid, show_secret: bool) -> Self {
        Self {
            id: grid.id,
            name: grid.name,
            leader_user_id: grid.leader_user_id,
            wecom_robot_key: grid.wecom_robot_key.filter(|_| show_secret),
        }
    }
}

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
    /// The volunteer holding it.
    pub volunteer_id: Option<i64>,
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

/// A page of wishes.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WishPage {
    /// The wishes, newest first.
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
    /// create, approve, reject, claim, assign, release, fulfil, confirm, cancel, auto_close.
    pub action: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// Reason, note or comment.
    pub note: Option<String>,
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
        }
    }
}

pub(crate) fn view(wish: Wish, visible: bool) -> WishView {
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

impl AppState {
    /// Presents wishes to `caller`, masking contact details they may not see and auditing
    /// every reveal to someone other than the resident.
    pub async fn present(&self, caller: &Caller, wishes: Vec<Wish>) -> Result<Vec<WishView>, ApiError> {
        let (views, reveals) = self.mask(caller, wishes);
        if !reveals.is_empty() {
            let mut tx = self.db.begin_write().await?;
            self.audit(&mut tx, caller, &reveals).await?;
            tx.commit().await?;
        }
        Ok(views)
    }

    /// Presents one wish.
    pub async fn present_one(&self, caller: &Caller, wish: Wish) -> Result<WishView, ApiError> {
        let mut views = self.present(caller, vec![wish]).await?;
        views.pop().ok_or_else(|| ApiError::internal("present_one", "no view"))
    }

    /// Presents one wish just written, inside the writer's transaction: a reveal's audit row
    /// commits with the change instead of in a second transaction of its own.
    pub async fn present_in(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
        wish: Wish,
    ) -> Result<WishView, ApiError> {
        let (mut views, reveals) = self.mask(caller, vec![wish]);
        self.audit(conn, caller, &reveals).await?;
        views.pop().ok_or_else(|| ApiError::internal("present_in", "no view"))
    }

    /// The views, each contact shown or masked by the rule, and the reveals to audit.
    fn mask(&self, caller: &Caller, wishes: Vec<Wish>) -> (Vec<WishView>, Vec<(i64, i64)>) {
        let now = self.clock.now_ms();
        let window = self.settings.wishes.contact_visible_after_close.as_millis_i64();
        let mut reveals = Vec::new();
        let views = wishes
            .into_iter()
            .map(|wish| {
                let visible = may_see_contact(caller, &wish, now, window);
                let has_contact = wish.resident.phone.is_some() || wish.resident.address.is_some();
                if visible && has_contact && is_audited_reveal(caller, &wish) {
                    reveals.push((wish.id, wish.resident_id));
                }
                view(wish, visible)
            })
            .collect();
        (views, reveals)
    }

    async fn audit(&self, conn: &mut AnyConnection, caller: &Caller, reveals: &[(i64, i64)]) -> Result<(), ApiError> {
        if reveals.is_empty() {
            return Ok(());
        }
        record_reveals(conn, caller.user_id, reveals, self.clock.now_ms()).await?;
        let ids: Vec<i64> = reveals.iter().map(|(w, _)| *w).collect();
        tracing::info!(viewer = caller.user_id, wishes = ?ids, "resident contact details revealed");
        Ok(())
    }
}
