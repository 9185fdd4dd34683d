//! What the console exports, page by page in id order, of the grids the caller oversees (all
//! grids for admins): wishes with the facts a report needs, the volunteer-hours ledger, and the
//! register's people. No contact details in full: an export leaves the system, and contact
//! details are revealed one at a time on screen, audited.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::error::CoreResult;
use crate::people::Caller;
use crate::privacy::mask_phone;

/// A cell that a spreadsheet will not run: text starting with `= + - @` (or a tab or CR) gets a
/// leading apostrophe. Every sheet that leaves the system writes its text through this.
pub fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// One page of an export: `sql` names `$1` the id to read after and `$2` the page's size.
async fn page(conn: &mut AnyConnection, sql: String, (after_id, limit): (i64, i64)) -> CoreResult<Vec<AnyRow>> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after_id)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?)
}

/// One exported wish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WishRow {
    /// Id.
    pub id: i64,
    /// Grid name.
    pub grid: String,
    /// Category code.
    pub category: String,
    /// `normal` or `urgent`.
    pub urgency: String,
    /// Status.
    pub status: String,
    /// Title.
    pub title: String,
    /// The volunteer holding or who fulfilled it ('' if none).
    pub volunteer: String,
    /// Posted, epoch ms.
    pub created_at: i64,
    /// Claimed, fulfilled, closed, epoch ms.
    pub claimed_at: Option<i64>,
    /// Fulfilled.
    pub fulfilled_at: Option<i64>,
    /// Closed.
    pub closed_at: Option<i64>,
    /// Rating 1–5.
    pub rating: Option<i64>,
}

/// Up to `limit` wishes with ids above `after_id`; an empty page is the end.
pub async fn wishes_page(
    conn: &mut AnyConnection,
    caller: &Caller,
    after_id: i64,
    limit: i64,
) -> CoreResult<Vec<WishRow>> {
    let Some(scope) = super::scope(caller, "w.grid_id") else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT w.id, g.name, w.category, w.urgency, w.status, w.title, COALESCE(v.display_name, ''), \
           w.created_at, w.claimed_at, w.fulfilled_at, w.closed_at, w.rating \
         FROM wishes w JOIN grids g ON g.id = w.grid_id LEFT JOIN users v ON v.id = w.volunteer_id \
         WHERE {scope} AND w.id > $1 ORDER BY w.id LIMIT $2"
    );
    let rows = page(conn, sql, (after_id, limit)).await?;
    Ok(rows
        .iter()
        .map(|r| WishRow {
            id: r.get(0),
            grid: r.get(1),
            category: r.get(2),
            urgency: r.get(3),
            status: r.get(4),
            title: r.get(5),
            volunteer: r.get(6),
            created_at: r.get(7),
            claimed_at: r.get(8),
            fulfilled_at: r.get(9),
            closed_at: r.get(10),
            rating: r.get(11),
        })
        .collect())
}

/// One entry of the volunteer-hours ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursRow {
    /// The ledger row's id.
    pub id: i64,
    /// The grid where the hours were served (the event's or the wish's; else the volunteer's).
    pub grid: String,
    /// Who served.
    pub volunteer: String,
    /// Minutes (negative for a correction that takes some away).
    pub minutes: i64,
    /// event, wish or correction.
    pub source: String,
    /// The event's title, for event hours and their corrections.
    pub event: String,
    /// The wish's title, for wish hours.
    pub wish: String,
    /// A correction's reason.
    pub note: String,
    /// Recorded, epoch ms.
    pub created_at: i64,
}

/// Up to `limit` ledger rows with ids above `after_id`, of the grids the caller oversees.
pub async fn hours_page(
    conn: &mut AnyConnection,
    caller: &Caller,
    after_id: i64,
    limit: i64,
) -> CoreResult<Vec<HoursRow>> {
    let grid = "COALESCE(e.grid_id, w.grid_id, u.grid_id)";
    let Some(scope) = super::scope(caller, grid) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT h.id, COALESCE(g.name, ''), u.display_name, h.minutes, h.source, COALESCE(e.title, ''), \
           COALESCE(w.title, ''), COALESCE(h.note, ''), h.created_at \
         FROM volunteer_hours h JOIN users u ON u.id = h.user_id LEFT JOIN events e ON e.id = h.event_id \
         LEFT JOIN wishes w ON w.id = h.wish_id LEFT JOIN grids g ON g.id = {grid} \
         WHERE {scope} AND h.id > $1 ORDER BY h.id LIMIT $2"
    );
    let rows = page(conn, sql, (after_id, limit)).await?;
    Ok(rows
        .iter()
        .map(|r| HoursRow {
            id: r.get(0),
            grid: r.get(1),
            volunteer: r.get(2),
            minutes: r.get(3),
            source: r.get(4),
            event: r.get(5),
            wish: r.get(6),
            note: r.get(7),
            created_at: r.get(8),
        })
        .collect())
}

/// One person of the register, as exported: the phone masked (see [`people_page`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// The register's person id.
    pub id: i64,
    /// Grid name.
    pub grid: String,
    /// Building, unit and room.
    pub building: String,
    /// Unit.
    pub unit: String,
    /// Room.
    pub room: String,
    /// Name.
    pub name: String,
    /// The phone masked (`138****5678`), '' if none.
    pub phone: String,
    /// Relation to the household head.
    pub relation: String,
    /// Tags, `;`-separated.
    pub tags: String,
    /// Whether the person has an account.
    pub account: bool,
}

/// Up to `limit` register people with ids above `after_id`, of the grids the caller oversees.
/// Phones are masked even for those who may see them on screen: a file leaves the system, where
/// no reveal can be audited; the full register (the import's format) stays an admin's
/// `GET /api/v1/admin/households/export`.
pub async fn people_page(
    conn: &mut AnyConnection,
    caller: &Caller,
    after_id: i64,
    limit: i64,
) -> CoreResult<Vec<PersonRow>> {
    let Some(scope) = super::scope(caller, "b.grid_id") else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT p.id, g.name, b.name, h.unit, h.room, p.name, COALESCE(p.phone, ''), p.relation, p.tags, \
           CAST(CASE WHEN p.user_id IS NULL THEN 0 ELSE 1 END AS BIGINT) \
         FROM people p JOIN households h ON h.id = p.household_id JOIN buildings b ON b.id = h.building_id \
         JOIN grids g ON g.id = b.grid_id WHERE {scope} AND p.id > $1 ORDER BY p.id LIMIT $2"
    );
    let rows = page(conn, sql, (after_id, limit)).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let phone: String = r.get(6);
            PersonRow {
                id: r.get(0),
                grid: r.get(1),
                building: r.get(2),
                unit: r.get(3),
                room: r.get(4),
                name: r.get(5),
                phone: if phone.is_empty() { phone } else { mask_phone(&phone) },
                relation: r.get(7),
                tags: r.get(8),
                account: r.get::<i64, _>(9) != 0,
            }
        })
        .collect())
}
