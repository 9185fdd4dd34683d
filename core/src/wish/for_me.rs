//! Open wishes ordered for one volunteer (`order=for_me`): those in their own grid and of a
//! category among their skills first, then by how soon each must be acted on, newest first among
//! equals — with a keyset cursor over that order, so paging is stable while wishes come and go.
//!
//! How soon: the earlier of the resident's `due_at` and the moment the wish would alert its grid
//! leader as unclaimed (opened + its category's `escalation` limit). A wish past either comes
//! first: it is the one the community is about to fail.
//!
//! The wishes a volunteer cannot claim are left out: their own, those bundled into a co-building
//! project, and a recurring wish's occurrence offered to someone else just now.

use sqlx::{AnyConnection, Row};

use super::model::{Wish, WishFilter};
use super::query::{from_row, select_wish, with_holders};
use crate::config::EscalationSettings;
use crate::error::CoreResult;
use crate::people::Caller;

/// Where a wish stands in a volunteer's order, and the cursor of the page that ends with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForMeKey {
    /// 0 their grid and skills, 1 their grid only, 2 their skills only, 3 neither.
    pub rank: i64,
    /// When it must be acted on, epoch ms.
    pub deadline: i64,
    /// Newest first among equals: the id, compared the other way round.
    pub id: i64,
}

impl ForMeKey {
    /// Reads a cursor this order gave out (`rank.deadline.id`); `None` for anything else.
    pub fn parse(cursor: &str) -> Option<Self> {
        let mut parts = cursor.split('.').map(|p| p.parse::<i64>().ok());
        let (rank, deadline, id) = (parts.next()??, parts.next()??, parts.next()??);
        let sane = parts.next().is_none() && (0..=3).contains(&rank) && deadline >= 0 && id > 0;
        sane.then_some(Self { rank, deadline, id })
    }

    /// The cursor that continues after this wish.
    pub fn cursor(&self) -> String {
        format!("{}.{}.{}", self.rank, self.deadline, self.id)
    }
}

/// A value to bind, in the order the statement names them.
enum Bind {
    Int(i64),
    Text(String),
}

/// One page of open wishes in `caller`'s order, after `after`; also the key of the last wish
/// when the page is full (the next page's cursor). `filter.status` is open by the caller's
/// check; its grid, category and referral filters narrow the list as they do the newest-first one.
/// `sla` and `now`: the unclaimed limits, and the moment offers are judged at.
pub async fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    filter: &WishFilter,
    after: Option<ForMeKey>,
    (sla, now): (&EscalationSettings, i64),
) -> CoreResult<(Vec<Wish>, Option<ForMeKey>)> {
    let mut binds = vec![Bind::Int(caller.user_id)];
    let param = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    let now = param(Bind::Int(now), &mut binds);
    // The unclaimed limit of the wish's category, as configured (a handful of categories).
    let mut limit = String::from("CASE");
    for (code, d) in &sla.category_sla {
        let (c, ms) = (param(Bind::Text(code.clone()), &mut binds), d.as_millis_i64());
        limit.push_str(&format!(
            " WHEN w.category = {c} THEN {}",
            param(Bind::Int(ms), &mut binds)
        ));
    }
    let fallback = param(Bind::Int(sla.unclaimed_after.as_millis_i64()), &mut binds);
    limit.push_str(&format!(" ELSE {fallback} END"));
    let alert_at = format!("(COALESCE(w.opened_at, w.created_at) + {limit})");
    let rank = "CAST((CASE WHEN w.grid_id = (SELECT me.grid_id FROM users me WHERE me.id = $1) THEN 0 ELSE 2 END) \
         + (CASE WHEN EXISTS (SELECT 1 FROM user_skills s WHERE s.user_id = $1 AND s.category = w.category) \
         THEN 0 ELSE 1 END) AS BIGINT)";
    let deadline =
        format!("CASE WHEN w.due_at IS NOT NULL AND w.due_at < {alert_at} THEN w.due_at ELSE {alert_at} END");
    // The wish's columns and joins as every read takes them, with the two order keys beside.
    let (columns, joins) = select_wish().split_once(" FROM ").unwrap_or_default();
    let mut sql = format!(
        "SELECT * FROM ({columns}, {rank} AS fm_rank, {deadline} AS fm_deadline FROM {joins} \
         WHERE w.status = 'open' AND w.project_id IS NULL AND w.resident_id <> $1 AND w.created_by <> $1 \
         AND (w.offer_until IS NULL OR w.offer_until <= {now} \
         OR EXISTS (SELECT 1 FROM wish_offers o WHERE o.wish_id = w.id AND o.volunteer_id = $1))"
    );
    if let Some(grid) = filter.grid_id {
        sql.push_str(&format!(" AND w.grid_id = {}", param(Bind::Int(grid), &mut binds)));
    }
    if let Some(category) = &filter.category {
        sql.push_str(&format!(
            " AND w.category = {}",
            param(Bind::Text(category.clone()), &mut binds)
        ));
    }
    match filter.referred {
        Some(true) => sql.push_str(" AND w.referred_at IS NOT NULL"),
        Some(false) => sql.push_str(" AND w.referred_at IS NULL"),
        None => {}
    }
    sql.push_str(") f");
    if let Some(k) = after {
        let (r, d, i) = (
            param(Bind::Int(k.rank), &mut binds),
            param(Bind::Int(k.deadline), &mut binds),
            param(Bind::Int(k.id), &mut binds),
        );
        sql.push_str(&format!(
            " WHERE f.fm_rank > {r} OR (f.fm_rank = {r} AND (f.fm_deadline > {d} OR (f.fm_deadline = {d} AND f.id < {i})))"
        ));
    }
    let limit = param(Bind::Int(filter.limit), &mut binds);
    sql.push_str(&format!(" ORDER BY f.fm_rank, f.fm_deadline, f.id DESC LIMIT {limit}"));

    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        query = match b {
            Bind::Int(v) => query.bind(v),
            Bind::Text(v) => query.bind(v),
        };
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let last = rows
        .last()
        .filter(|_| rows.len() as i64 == filter.limit)
        .map(|r| ForMeKey {
            rank: r.get("fm_rank"),
            deadline: r.get("fm_deadline"),
            id: r.get("id"),
        });
    let mut wishes: Vec<Wish> = rows.iter().map(from_row).collect();
    with_holders(conn, &mut wishes).await?;
    Ok((wishes, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let key = ForMeKey {
            rank: 2,
            deadline: 1_764_000_000_000,
            id: 41,
        };
        assert_eq!(ForMeKey::parse(&key.cursor()), Some(key));
    }

    #[test]
    fn anything_else_is_no_cursor() {
        for bad in [
            "", "41", "1.2", "1.2.3.4", "4.0.1", "-1.0.1", "0.-5.1", "0.0.0", "a.b.c", "0.0.1 ",
        ] {
            assert_eq!(ForMeKey::parse(bad), None, "{bad:?}");
        }
    }
}
