//! The one place where a resident's contact details are either shown in full (and the reveal
//! audited) or masked — for single wishes and lists alike.

use sqlx::AnyConnection;

use microwish_core::people::Caller;
use microwish_core::privacy::{is_audited_reveal, may_see_contact, record_reveals};
use microwish_core::wish::Wish;

use super::{WishView, view};
use crate::error::ApiError;
use crate::state::AppState;

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
