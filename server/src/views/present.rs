//! The one place where a resident's contact details are either shown in full (and the reveal
//! audited) or masked, and who is coming shown to the resident's side (also audited) — for
//! single wishes and lists alike.

use sqlx::AnyConnection;

use microwish_core::people::Caller;
use microwish_core::privacy::{
    is_audited_reveal, may_see_contact, may_see_volunteer, record_reveals, record_volunteer_reveals,
};
use microwish_core::wish::Wish;

use super::{Seen, WishView, view};
use crate::error::ApiError;
use crate::state::AppState;

impl AppState {
    /// Presents wishes to `caller`, masking contact details they may not see and auditing
    /// every reveal to someone other than the resident.
    pub async fn present(&self, caller: &Caller, wishes: Vec<Wish>) -> Result<Vec<WishView>, ApiError> {
        let family_of = self.family_for(caller, &wishes).await?;
        self.present_known(caller, wishes, &family_of).await
    }

    /// [`present`](Self::present) with the residents the caller is family of already known.
    pub(crate) async fn present_known(
        &self,
        caller: &Caller,
        wishes: Vec<Wish>,
        family_of: &[i64],
    ) -> Result<Vec<WishView>, ApiError> {
        let (views, reveals) = self.mask(caller, wishes, family_of);
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
        let family_of = self.family_of(conn, caller, std::slice::from_ref(&wish)).await?;
        let (mut views, reveals) = self.mask(caller, vec![wish], &family_of);
        self.audit(conn, caller, &reveals).await?;
        views.pop().ok_or_else(|| ApiError::internal("present_in", "no view"))
    }

    /// What `caller` sees of `wish`'s resident and volunteer, by the privacy rules.
    pub(crate) fn seen(&self, caller: &Caller, wish: &Wish, family_of: &[i64]) -> Seen {
        let now = self.clock.now_ms();
        let window = self.settings.wishes.contact_visible_after_close.as_millis_i64();
        Seen {
            contact: may_see_contact(caller, wish, now, window),
            volunteer: may_see_volunteer(caller, wish, family_of, now, window),
        }
    }

    /// The views, each contact shown or masked by the rules, and the reveals to audit.
    fn mask(&self, caller: &Caller, wishes: Vec<Wish>, family_of: &[i64]) -> (Vec<WishView>, Reveals) {
        let mut reveals = Reveals::default();
        let views = wishes
            .into_iter()
            .map(|wish| {
                let seen = self.seen(caller, &wish, family_of);
                let has_contact = wish.resident.phone.is_some() || wish.resident.address.is_some();
                if seen.contact && has_contact && is_audited_reveal(caller, &wish) {
                    reveals.residents.push((wish.id, wish.resident_id));
                }
                if seen.volunteer {
                    let coming = wish.coming().into_iter().map(|v| (wish.id, v.id));
                    reveals.volunteers.extend(coming);
                }
                view(wish, seen)
            })
            .collect();
        (views, reveals)
    }

    async fn audit(&self, conn: &mut AnyConnection, caller: &Caller, reveals: &Reveals) -> Result<(), ApiError> {
        let now = self.clock.now_ms();
        if !reveals.residents.is_empty() {
            record_reveals(conn, caller.user_id, &reveals.residents, now).await?;
            let ids: Vec<i64> = reveals.residents.iter().map(|(w, _)| *w).collect();
            tracing::info!(viewer = caller.user_id, wishes = ?ids, "resident contact details revealed");
        }
        if !reveals.volunteers.is_empty() {
            record_volunteer_reveals(conn, caller.user_id, &reveals.volunteers, now).await?;
            let ids: Vec<i64> = reveals.volunteers.iter().map(|(w, _)| *w).collect();
            tracing::info!(viewer = caller.user_id, wishes = ?ids, "volunteer contact details revealed");
        }
        Ok(())
    }
}

/// The reveals of one answer, to audit: `(wish, resident)` and `(wish, volunteer)` pairs.
#[derive(Default)]
struct Reveals {
    residents: Vec<(i64, i64)>,
    volunteers: Vec<(i64, i64)>,
}

impl Reveals {
    fn is_empty(&self) -> bool {
        self.residents.is_empty() && self.volunteers.is_empty()
    }
}
