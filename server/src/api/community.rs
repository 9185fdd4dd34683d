//! What every signed-in member may read about the community: wish categories and grids.

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::people::grid;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::GridView;

/// A wish category.
#[derive(Object)]
pub(super) struct CategoryView {
    /// Code to send as `category`.
    pub code: String,
    /// Chinese label.
    pub label_zh: String,
    /// English label.
    pub label_en: String,
}

pub struct CommunityApi(pub AppState);

#[OpenApi(tag = "Tag::Community")]
impl CommunityApi {
    /// The configured wish categories.
    #[oai(path = "/categories", method = "get")]
    async fn categories(&self) -> Json<Vec<CategoryView>> {
        let list = self.0.settings.wishes.categories.iter().map(|c| CategoryView {
            code: c.code.clone(),
            label_zh: c.label_zh.clone(),
            label_en: c.label_en.clone(),
        });
        Json(list.collect())
    }

    /// The community's grids (to choose one's own in the profile).
    #[oai(path = "/grids", method = "get")]
    async fn grids(&self, auth: BearerAuth) -> Result<Json<Vec<GridView>>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let grids = grid::list(&mut conn).await?;
        Ok(Json(
            grids.into_iter().map(|g| GridView::new(g, caller.is_admin())).collect(),
        ))
    }
}
