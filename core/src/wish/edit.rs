//! Editing a wish: its resident (or whoever posted it) changes the title, description, category,
//! urgency or due date while it is still under review or open — never once a volunteer holds it.
//! The machine decides (`Action::Edit`); the new text has passed the content check at the edge,
//! as a new wish's does; a guarded update writes it; the timeline names the fields that changed;
//! and when review is required (by configuration or by the content check) the wish goes back to
//! its grid leader, who hears of it.

use super::access::{can_see, capacities};
use super::machine::{Action, transition_any};
use super::model::{Urgency, Wish, WishStatus};
use super::post::check_category;
use super::query::load;
use super::rules::refusal;
use super::trail::{self, Step};
use super::{effects, notify};
use crate::config::WishSettings;
use crate::db::AnyConnection;
use crate::error::CoreResult;
use crate::fields::{Description, Title};
use crate::people::Caller;

/// What an edit changes; a field left out stays as it is.
#[derive(Debug, Clone, Default)]
pub struct WishEdit {
    /// New title.
    pub title: Option<Title>,
    /// New description.
    pub description: Option<Description>,
    /// New category code (checked against the configured list).
    pub category: Option<String>,
    /// New urgency.
    pub urgency: Option<Urgency>,
    /// New due date (the edge checks it lies in the future).
    pub due_at: Option<i64>,
}

/// Whether `caller` may edit wish `id` now (the same answers as [`edit`] for who and when), read
/// before the content check so a refused caller costs no WeChat call.
pub async fn check(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<()> {
    decide(conn, caller, id).await.map(drop)
}

/// The wish as it is and where the machine lets an edit leave it.
async fn decide(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<(Wish, WishStatus)> {
    let before = load(conn, id).await?;
    if !can_see(caller, &before) {
        return Err(crate::CoreError::NotFound("wish"));
    }
    let to = transition_any(
        before.status,
        Action::Edit,
        &capacities(caller, &before),
        before.slot_state(),
    )
    .map_err(|r| refusal(r, Action::Edit, &before))?;
    Ok((before, to))
}

/// Applies `edit` to wish `id` for `caller`. `needs_review` is the content check's verdict on the
/// new text. An edit that changes nothing answers the wish as it is and records nothing.
pub async fn edit(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    edit: WishEdit,
    rules: &WishSettings,
    needs_review: bool,
    now: i64,
) -> CoreResult<Wish> {
    let (before, to) = decide(conn, caller, id).await?;
    if let Some(category) = &edit.category {
        check_category(rules, category)?;
    }
    let (mut after, changed) = edited(&before, edit, now);
    if changed.is_empty() {
        return Ok(before);
    }
    after.status = status_after_edit(to, needs_review || rules.review_required);
    write(conn, &before, &after).await?;
    let note = changed.join(", ");
    let step = Step {
        wish_id: id,
        actor_id: Some(caller.user_id),
        action: Action::Edit.as_str(),
        from: Some(before.status),
        to: after.status,
        note: Some(&note),
    };
    let leader = trail::leader_of(conn, after.grid_id).await?;
    let announced = notify::on_edited(&after, leader, caller.user_id);
    trail::record(conn, step, &after, &announced, now).await?;
    effects::on_edited(conn, &before, &after, now).await?;
    Ok(after)
}

/// Where an edit leaves the wish: back under review when review is required, else where it was.
pub fn status_after_edit(current: WishStatus, review: bool) -> WishStatus {
    if review { WishStatus::PendingReview } else { current }
}

/// The wish with `edit` applied, and the names of the fields that really changed. Pure.
fn edited(before: &Wish, edit: WishEdit, now: i64) -> (Wish, Vec<&'static str>) {
    let mut after = before.clone();
    let mut changed = Vec::new();
    if let Some(title) = edit.title.map(Title::into_inner).filter(|t| *t != before.title) {
        after.title = title;
        changed.push("title");
    }
    if let Some(text) = edit
        .description
        .map(Description::into_inner)
        .filter(|d| *d != before.description)
    {
        after.description = text;
        changed.push("description");
    }
    if let Some(category) = edit.category.filter(|c| *c != before.category) {
        after.category = category;
        changed.push("category");
    }
    if let Some(urgency) = edit.urgency.filter(|u| *u != before.urgency) {
        after.urgency = urgency;
        changed.push("urgency");
    }
    if let Some(due_at) = edit.due_at.filter(|d| Some(*d) != before.due_at) {
        after.due_at = Some(due_at);
        changed.push("due_at");
    }
    after.updated_at = now;
    (after, changed)
}

/// Writes the edit only if the wish is still as `before` found it: a claim that won the race
/// first makes the edit a 409.
async fn write(conn: &mut AnyConnection, before: &Wish, after: &Wish) -> CoreResult<()> {
    let updated = sqlx::query(
        "UPDATE wishes SET title = $3, description = $4, category = $5, urgency = $6, due_at = $7, status = $8, \
         updated_at = $9 WHERE id = $1 AND status = $2",
    )
    .bind(before.id)
    .bind(before.status.as_str())
    .bind(&after.title)
    .bind(&after.description)
    .bind(&after.category)
    .bind(after.urgency.as_str())
    .bind(after.due_at)
    .bind(after.status.as_str())
    .bind(after.updated_at)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(refusal(super::Refusal::WrongStatus, Action::Edit, before));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_sends_an_edit_back_to_the_leader() {
        assert_eq!(status_after_edit(WishStatus::Open, false), WishStatus::Open);
        assert_eq!(status_after_edit(WishStatus::Open, true), WishStatus::PendingReview);
        assert_eq!(
            status_after_edit(WishStatus::PendingReview, false),
            WishStatus::PendingReview
        );
    }

    #[test]
    fn only_real_changes_are_named() {
        let before = Wish::sample(WishStatus::Open);
        let same = WishEdit {
            title: Some(Title::parse("t").unwrap()),
            category: Some("errand".into()),
            ..Default::default()
        };
        assert!(edited(&before, same, 5).1.is_empty());
        let edit = WishEdit {
            title: Some(Title::parse("新标题").unwrap()),
            urgency: Some(Urgency::Urgent),
            due_at: Some(9),
            ..Default::default()
        };
        let (after, changed) = edited(&before, edit, 5);
        assert_eq!(changed, ["title", "urgency", "due_at"]);
        assert_eq!(
            (after.title.as_str(), after.due_at, after.updated_at),
            ("新标题", Some(9), 5)
        );
    }
}
