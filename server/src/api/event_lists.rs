//! Events as volunteers and residents browse them — upcoming ones they may see, or their own with
//! their answer — and who is coming, for organisers.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::event::list::{self, Scope};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::{EventView, RegistrantsView};

/// Events, soonest first.
#[derive(Object)]
struct EventList {
    items: Vec<EventView>,
}

pub struct EventListApi(pub AppState);

#[OpenApi(tag = "Tag::Events")]
impl EventListApi {
    /// Events not yet over, soonest first. `scope=upcoming` (the default): published events you
    /// may see — the community's, your grid's, those you were invited to, those you manage;
    /// `scope=mine`: those you were invited to or answered (not declined), cancelled ones
    /// included, each with `my_response`. `limit` 1 to 100 (50).
    #[oai(path = "/events", method = "get")]
    async fn list(
        &self,
        auth: BearerAuth,
        scope: Query<Option<String>>,
        limit: Query<Option<i64>>,
    ) -> Result<Json<EventList>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let scope = Scope::parse(scope.0.as_deref().unwrap_or("upcoming"))?;
        let limit = limit.0.unwrap_or(50);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::invalid("invalid_field", "limit: 1 to 100"));
        }
        let mut conn = self.0.db.pool().acquire().await?;
        let found = list::list(&mut conn, &caller, scope, self.0.clock.now_ms(), limit).await?;
        let items = found
            .into_iter()
            .map(|l| EventView::new(&caller, l.event, (l.registered, l.waitlisted), l.mine));
        Ok(Json(EventList { items: items.collect() }))
    }

    /// Who is coming: registered people, then the waitlist in order, each with check-in, and how
    /// many are invited or declined. For admins and the leader of the event's grid.
    #[oai(path = "/events/:id/registrants", method = "get")]
    async fn registrants(&self, auth: BearerAuth, id: Path<i64>) -> Result<Json<RegistrantsView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let (event, people) = list::registrants(&mut conn, &caller, id.0).await?;
        Ok(Json(RegistrantsView::new(&event, people)))
    }
}
