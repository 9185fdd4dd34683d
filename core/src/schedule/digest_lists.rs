//! The wishes a digest names: for a grid leader, those that need them (claims overdue, wishes
//! awaiting review, wishes unclaimed past their category's limit — the same limits the alerts
//! use), urgent first; for a volunteer, the open wishes of their grid, urgent and soonest due
//! first. Each with a link: the console's page for a leader, the mini-program's for a volunteer.

use serde_json::{Value, json};
use sqlx::Row;

use crate::config::Settings;
use crate::db::Db;
use crate::error::CoreResult;
use crate::links;

/// Wishes a digest lists by name; the rest are counted.
pub(super) const LISTED: usize = 5;

/// Why a wish needs its leader, most pressing first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Need {
    /// Claimed too long ago, or past its due time.
    Overdue,
    /// Waiting for the leader's review.
    Review,
    /// Open past its category's limit without a claim.
    Unclaimed,
}

impl Need {
    fn as_str(self) -> &'static str {
        match self {
            Need::Overdue => "overdue",
            Need::Review => "review",
            Need::Unclaimed => "unclaimed",
        }
    }
}

/// One wish as a scan reads it.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub category: String,
    pub urgent: bool,
    pub opened_at: Option<i64>,
    pub claimed_at: Option<i64>,
    pub due_at: Option<i64>,
    pub created_at: i64,
}

/// Whether, and why, `w` needs its leader at `now`, with claims overdue after `overdue_ms` and
/// the wish's category unclaimed too long after `sla_ms`. Pure.
pub(super) fn need(w: &Candidate, overdue_ms: i64, sla_ms: i64, now: i64) -> Option<Need> {
    match w.status.as_str() {
        "claimed" => {
            let late = w.claimed_at.is_some_and(|c| c <= now - overdue_ms);
            (late || w.due_at.is_some_and(|d| d <= now)).then_some(Need::Overdue)
        }
        "pending_review" => Some(Need::Review),
        "open" => w.opened_at.filter(|o| now - o >= sla_ms).map(|_| Need::Unclaimed),
        _ => None,
    }
}

const CANDIDATE: &str =
    "w.id, w.title, w.status, w.category, w.urgency, w.opened_at, w.claimed_at, w.due_at, w.created_at";

fn candidate(r: &sqlx::any::AnyRow) -> Candidate {
    Candidate {
        id: r.get(0),
        title: r.get(1),
        status: r.get(2),
        category: r.get(3),
        urgent: r.get::<String, _>(4) == "urgent",
        opened_at: r.get(5),
        claimed_at: r.get(6),
        due_at: r.get(7),
        created_at: r.get(8),
    }
}

/// The wishes of the grids `leader` runs that need them: how many, and the first few by name with
/// the console's link, urgent first, then overdue, review, unclaimed, oldest first.
pub(super) async fn needing(db: &Db, settings: &Settings, leader: i64, now: i64) -> CoreResult<(i64, Vec<Value>)> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CANDIDATE} FROM wishes w JOIN grids g ON g.id = w.grid_id WHERE g.leader_user_id = $1 \
         AND w.project_id IS NULL AND w.status IN ('pending_review', 'open', 'claimed')"
    )))
    .bind(leader)
    .fetch_all(db.pool())
    .await?;
    let esc = &settings.escalation;
    let overdue = esc.claim_overdue_after.as_millis_i64();
    let mut found: Vec<(Candidate, Need)> = rows
        .iter()
        .map(candidate)
        .filter_map(|w| need(&w, overdue, esc.sla(&w.category).as_millis_i64(), now).map(|n| (w, n)))
        .collect();
    found.sort_by_key(|(w, n)| (!w.urgent, *n, w.created_at, w.id));
    let count = found.len() as i64;
    let listed = found
        .into_iter()
        .take(LISTED)
        .map(|(w, n)| {
            json!({ "id": w.id, "title": w.title, "need": n.as_str(), "urgent": w.urgent,
                "link": links::console_wish(settings, w.id) })
        })
        .collect();
    Ok((count, listed))
}

/// The open wishes of grid `grid_id`, urgent first, then soonest due, then oldest, with the
/// mini-program's link.
pub(super) async fn open_in(db: &Db, settings: &Settings, grid_id: i64) -> CoreResult<Vec<Value>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CANDIDATE} FROM wishes w WHERE w.grid_id = $1 AND w.status = 'open' AND w.project_id IS NULL \
         ORDER BY CASE WHEN w.urgency = 'urgent' THEN 0 ELSE 1 END, CASE WHEN w.due_at IS NULL THEN 1 ELSE 0 END, \
         w.due_at, w.created_at, w.id LIMIT {}",
        LISTED * 2
    )))
    .bind(grid_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(candidate)
        .map(|w| {
            json!({ "id": w.id, "title": w.title, "category": w.category, "urgent": w.urgent,
                "link": links::miniprogram_wish(settings, w.id) })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wish(status: &str) -> Candidate {
        Candidate {
            id: 1,
            title: "买药".into(),
            status: status.into(),
            category: "errand".into(),
            urgent: false,
            opened_at: None,
            claimed_at: None,
            due_at: None,
            created_at: 0,
        }
    }

    #[test]
    fn a_wish_needs_its_leader_when_late_waiting_or_unclaimed() {
        let hour = 3_600_000;
        let (now, overdue, sla) = (100 * hour, 48 * hour, 24 * hour);
        let need = |w: &Candidate| need(w, overdue, sla, now);
        assert_eq!(need(&wish("pending_review")), Some(Need::Review));
        let fresh = Candidate {
            opened_at: Some(now - 23 * hour),
            ..wish("open")
        };
        assert_eq!(need(&fresh), None);
        let waiting = Candidate {
            opened_at: Some(now - 24 * hour),
            ..wish("open")
        };
        assert_eq!(need(&waiting), Some(Need::Unclaimed));
        let held = Candidate {
            claimed_at: Some(now - 47 * hour),
            ..wish("claimed")
        };
        assert_eq!(need(&held), None);
        assert_eq!(
            need(&Candidate {
                due_at: Some(now),
                ..held.clone()
            }),
            Some(Need::Overdue)
        );
        assert_eq!(
            need(&Candidate {
                claimed_at: Some(now - 48 * hour),
                ..held
            }),
            Some(Need::Overdue)
        );
        assert_eq!(need(&wish("closed")), None);
        assert!(
            Need::Overdue < Need::Review && Need::Review < Need::Unclaimed,
            "most pressing first"
        );
    }
}
