//! An alert as stored and as raised: its facts (kind and `params`) and the line read from them
//! in the reader's language.

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::summary::{self, Reason};
use crate::Lang;

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Id.
    pub id: i64,
    /// unclaimed, unclaimed_escalated, urgent, vulnerable, overdue_claim, callback, callback_overdue.
    pub kind: String,
    /// 1 = the grid leader, 2 = the community admins.
    pub level: i64,
    /// The wish concerned.
    pub wish_id: Option<i64>,
    /// The grid concerned.
    pub grid_id: i64,
    /// open, acknowledged, resolved.
    pub status: String,
    /// The facts its line is rendered from (`None` for alerts raised before facts were stored).
    pub params: Option<Value>,
    /// The line stored by alerts raised before facts were stored ('' since): read [`Alert::summary`].
    pub stored_summary: String,
    /// Deadline (callbacks).
    pub due_at: Option<i64>,
    /// Raised.
    pub created_at: i64,
    /// Who acknowledged.
    pub acked_by: Option<i64>,
    /// When acknowledged.
    pub acked_at: Option<i64>,
    /// Who resolved (none when the system did, e.g. on a claim).
    pub resolved_by: Option<i64>,
    /// When resolved.
    pub resolved_at: Option<i64>,
    /// How it was resolved.
    pub resolution_note: Option<String>,
}

/// An alert to raise.
#[derive(Debug, Clone)]
pub struct NewAlert {
    /// Kind.
    pub kind: &'static str,
    /// Level.
    pub level: i64,
    /// The wish.
    pub wish_id: Option<i64>,
    /// The grid.
    pub grid_id: i64,
    /// One alert per key: subject and period, e.g. `unclaimed:42:1732700000000`.
    pub unique_key: String,
    /// The facts its line is rendered from (see `summary`).
    pub params: Value,
    /// Deadline.
    pub due_at: Option<i64>,
    /// The resident it is about when there is no wish (a care visit, a phone call): the
    /// notification's subject, so its link opens that resident.
    pub resident_id: Option<i64>,
}

impl NewAlert {
    /// A level-1 alert (the grid leader's) for `reason` about the wish `wish_id` (if any) titled
    /// `title`, raised once per `unique_key`.
    pub fn new(reason: Reason, wish_id: Option<i64>, grid_id: i64, title: &str, unique_key: String) -> Self {
        Self {
            kind: reason.kind(),
            level: 1,
            wish_id,
            grid_id,
            unique_key,
            params: reason.params(title),
            due_at: None,
            resident_id: None,
        }
    }

    /// The same alert, about resident `id` (when it concerns no wish).
    pub fn about_resident(self, id: i64) -> Self {
        Self {
            resident_id: Some(id),
            ..self
        }
    }

    /// What the notifications of alert `alert_id` are about: its wish, else its resident, else
    /// the alert itself — never an id 0 that opens nothing.
    pub fn subject(&self, alert_id: i64) -> (&'static str, i64) {
        match (self.wish_id, self.resident_id) {
            (Some(wish), _) => ("wish", wish),
            (None, Some(resident)) => ("resident", resident),
            (None, None) => ("alert", alert_id),
        }
    }
}

pub(super) const COLUMNS: &str = "id, kind, level, wish_id, grid_id, status, summary, params, due_at, created_at, acked_by, acked_at, \
    resolved_by, resolved_at, resolution_note";

pub(super) fn from_row(r: &AnyRow) -> Alert {
    Alert {
        id: r.get("id"),
        kind: r.get("kind"),
        level: r.get("level"),
        wish_id: r.get("wish_id"),
        grid_id: r.get("grid_id"),
        status: r.get("status"),
        params: r
            .get::<Option<String>, _>("params")
            .and_then(|p| serde_json::from_str(&p).ok()),
        stored_summary: r.get("summary"),
        due_at: r.get("due_at"),
        created_at: r.get("created_at"),
        acked_by: r.get("acked_by"),
        acked_at: r.get("acked_at"),
        resolved_by: r.get("resolved_by"),
        resolved_at: r.get("resolved_at"),
        resolution_note: r.get("resolution_note"),
    }
}

impl Alert {
    /// The one line saying what is wrong, in `lang`: rendered from the alert's facts, or the line
    /// stored with an older alert — never empty: a kind without a line shows as its name.
    pub fn summary(&self, lang: Lang) -> String {
        let rendered = self.params.as_ref().and_then(|p| summary::render(&self.kind, p, lang));
        let stored = Some(&self.stored_summary).filter(|s| !s.is_empty()).cloned();
        rendered.or(stored).unwrap_or_else(|| self.kind.clone())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn alert(kind: &str, params: Option<Value>, stored: &str) -> Alert {
        Alert {
            id: 1,
            kind: kind.into(),
            level: 1,
            wish_id: None,
            grid_id: 1,
            status: "open".into(),
            params,
            stored_summary: stored.into(),
            due_at: None,
            created_at: 0,
            acked_by: None,
            acked_at: None,
            resolved_by: None,
            resolved_at: None,
            resolution_note: None,
        }
    }

    #[test]
    fn facts_first_then_the_stored_line_then_the_kind() {
        let facts = Some(json!({ "title": "修灯", "hours": 2 }));
        assert_eq!(
            alert("unclaimed", facts, "").summary(Lang::ZhCn),
            "心愿「修灯」已等待 2 小时无人认领"
        );
        assert_eq!(
            alert("urgent", None, "紧急心愿：「旧」").summary(Lang::En),
            "紧急心愿：「旧」"
        );
        assert_eq!(alert("brand_new", Some(json!({})), "").summary(Lang::En), "brand_new");
    }
}
