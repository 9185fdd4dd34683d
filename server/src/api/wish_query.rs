//! The query of the wish list (`GET /wishes`): filters, the order (newest first, or a
//! volunteer's `for_me`) and the cursor that goes with each, read into core's filter.

use microwish_core::wish::for_me::ForMeKey;
use microwish_core::wish::{WishFilter, WishOrder, WishStatus};

use crate::error::ApiError;

/// The query of `GET /wishes`, as given.
pub(super) struct ListQuery {
    pub(super) status: Option<String>,
    pub(super) grid_id: Option<i64>,
    pub(super) category: Option<String>,
    pub(super) mine: Option<bool>,
    pub(super) referred: Option<bool>,
    pub(super) order: Option<String>,
    pub(super) cursor: Option<String>,
    pub(super) limit: Option<i64>,
}

fn bad_cursor() -> ApiError {
    ApiError::invalid("invalid_cursor", "cursor: use next_cursor from the previous page")
}

/// `order` and the cursor that goes with it: the newest-first order pages by id, a volunteer's
/// order (`for_me`, open wishes only, not with `mine`) by its own key.
fn parse_order(q: &ListQuery, status: &mut Option<WishStatus>) -> Result<(WishOrder, Option<i64>), ApiError> {
    match q.order.as_deref() {
        None | Some("newest") => {
            let before_id = match q.cursor.as_deref() {
                None => None,
                Some(c) => Some(c.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(bad_cursor)?),
            };
            Ok((WishOrder::Newest, before_id))
        }
        Some("for_me") => {
            if status.is_some_and(|s| s != WishStatus::Open) || q.mine == Some(true) {
                return Err(ApiError::invalid(
                    "invalid_field",
                    "order: for_me lists open wishes to claim (status=open, not with mine=true)",
                ));
            }
            *status = Some(WishStatus::Open);
            let after = q
                .cursor
                .as_deref()
                .map(|c| ForMeKey::parse(c).ok_or_else(bad_cursor))
                .transpose()?;
            Ok((WishOrder::ForMe(after), None))
        }
        Some(_) => Err(ApiError::invalid("invalid_field", "order: newest (default) or for_me")),
    }
}

pub(super) fn parse_filter(q: ListQuery) -> Result<WishFilter, ApiError> {
    let mut status = match &q.status {
        None => None,
        Some(s) => Some(
            s.parse::<WishStatus>()
                .map_err(|e| ApiError::invalid("invalid_field", format!("status: {e}")))?,
        ),
    };
    let (order, before_id) = parse_order(&q, &mut status)?;
    if q.category
        .as_deref()
        .is_some_and(|c| c.is_empty() || c.chars().count() > 40 || c.chars().any(char::is_control))
    {
        return Err(ApiError::invalid(
            "invalid_field",
            "category: a code from GET /api/v1/categories",
        ));
    }
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("invalid_field", "limit: must be 1 to 100"));
    }
    Ok(WishFilter {
        status,
        grid_id: q.grid_id,
        category: q.category,
        mine: q.mine.unwrap_or(false),
        referred: q.referred,
        before_id,
        order,
        limit,
    })
}
