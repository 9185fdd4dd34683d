//! Reading wishes: one wish (for the system, or for a caller who may see it), a filtered page of
//! the wishes a caller may see, and a wish's timeline. The same SQL runs on both engines.

use std::sync::LazyLock;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::access::can_see;
use super::model::{ResidentContact, TimelineEntry, VolunteerContact, Wish, WishFilter, WishStatus};
use super::repeat::RepeatRule;
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;

/// A wish's own columns, as [`from_row`] reads them (the table is aliased `w`, or unaliased in a
/// `RETURNING` clause, hence `{w}`).
const WISH_COLUMNS: &str = "{w}id, {w}resident_id, {w}created_by, {w}consent_note, {w}grid_id, {w}title, \
    {w}description, {w}category, {w}urgency, {w}due_at, {w}status, {w}volunteer_id, {w}claimed_at, {w}fulfilled_at, \
    {w}fulfil_note, {w}closed_at, {w}rating, {w}rating_comment, {w}status_reason, {w}created_at, {w}updated_at, \
    {w}referred_at, {w}referral_reason, {w}project_id, {w}slots, {w}slots_taken, {w}repeat_every, {w}repeat_until, \
    {w}series_id, {w}occurrence, {w}offer_until";

/// A wish joined with its resident's contact columns and its volunteer's name and phone, ready
/// for a `WHERE`.
pub(super) fn select_wish() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {}, u.display_name AS r_name, u.phone AS r_phone, u.building AS r_building, \
         u.address AS r_address, v.display_name AS v_name, v.phone AS v_phone \
         FROM wishes w JOIN users u ON u.id = w.resident_id LEFT JOIN users v ON v.id = w.volunteer_id",
            WISH_COLUMNS.replace("{w}", "w.")
        )
    });
    &SQL
}

/// The `RETURNING` clause of an `UPDATE wishes` that answers what [`from_row`] reads: the row and,
/// by subqueries (both engines take them there), its resident's and volunteer's contact columns.
pub(super) fn returning_wish() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let contact = |col: &str, alias: &str| {
            format!("(SELECT u.{col} FROM users u WHERE u.id = wishes.resident_id) AS {alias}")
        };
        let volunteer = |col: &str, alias: &str| {
            format!("(SELECT v.{col} FROM users v WHERE v.id = wishes.volunteer_id) AS {alias}")
        };
        format!(
            "RETURNING {}, {}, {}, {}, {}, {}, {}",
            WISH_COLUMNS.replace("{w}", ""),
            contact("display_name", "r_name"),
            contact("phone", "r_phone"),
            contact("building", "r_building"),
            contact("address", "r_address"),
            volunteer("display_name", "v_name"),
            volunteer("phone", "v_phone")
        )
    });
    &SQL
}

pub(super) fn from_row(row: &AnyRow) -> Wish {
    let volunteer_id: Option<i64> = row.get("volunteer_id");
    let referred_at: Option<i64> = row.get("referred_at");
    let count = |column: &str| u32::try_from(row.get::<i64, _>(column)).unwrap_or(0);
    Wish {
        id: row.get("id"),
        resident_id: row.get("resident_id"),
        created_by: row.get("created_by"),
        consent_note: row.get("consent_note"),
        grid_id: row.get("grid_id"),
        title: row.get("title"),
        description: row.get("description"),
        category: row.get("category"),
        urgency: row.get::<String, _>("urgency").parse().unwrap_or_default(),
        due_at: row.get("due_at"),
        status: row.get::<String, _>("status").parse().unwrap_or(WishStatus::Open),
        volunteer_id,
        claimed_at: row.get("claimed_at"),
        fulfilled_at: row.get("fulfilled_at"),
        fulfil_note: row.get("fulfil_note"),
        closed_at: row.get("closed_at"),
        rating: row.get("rating"),
        rating_comment: row.get("rating_comment"),
        status_reason: row.get("status_reason"),
        referral: referred_at.map(|at| (at, row.get::<Option<String>, _>("referral_reason").unwrap_or_default())),
        project_id: row.get("project_id"),
        slots: (count("slots").max(1), count("slots_taken")),
        repeat: RepeatRule::from_columns(row.get("repeat_every"), row.get("repeat_until")),
        series: row
            .get::<Option<i64>, _>("series_id")
            .zip(row.get::<Option<i64>, _>("occurrence")),
        offer_until: row.get("offer_until"),
        // A one-slot wish's holder is its volunteer; several slots' holders are read by `with_holders`.
        holders: volunteer_id.into_iter().collect(),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
        resident: ResidentContact {
            display_name: row.get("r_name"),
            phone: row.get("r_phone"),
            building: row.get("r_building"),
            address: row.get("r_address"),
        },
        holder_contacts: Vec::new(),
        volunteer: row
            .get::<Option<String>, _>("v_name")
            .map(|display_name| VolunteerContact {
                id: volunteer_id.unwrap_or_default(),
                display_name,
                phone: row.get("v_phone"),
            }),
    }
}

/// Fills in the holders of the wishes that take several volunteers, with their names and phones
/// (one query for all of them; none when every wish has one slot, as almost all do).
pub(super) async fn with_holders(conn: &mut AnyConnection, wishes: &mut [Wish]) -> CoreResult<()> {
    let ids: Vec<i64> = wishes.iter().filter(|w| w.is_multi_slot()).map(|w| w.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let list = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT h.wish_id, h.volunteer_id, u.display_name, u.phone FROM wish_holders h JOIN users u ON u.id = h.volunteer_id \
         WHERE h.wish_id IN ({list}) ORDER BY h.claimed_at, h.volunteer_id"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in &ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    for wish in wishes.iter_mut().filter(|w| w.is_multi_slot()) {
        wish.holder_contacts = rows
            .iter()
            .filter(|r| r.get::<i64, _>(0) == wish.id)
            .map(|r| VolunteerContact {
                id: r.get(1),
                display_name: r.get(2),
                phone: r.get(3),
            })
            .collect();
        wish.holders = wish.holder_contacts.iter().map(|h| h.id).collect();
    }
    Ok(())
}

/// Reads a wish without any permission check (for the system and for tests).
pub async fn load(conn: &mut AnyConnection, id: i64) -> CoreResult<Wish> {
    let mut wish = sqlx::query(sqlx::AssertSqlSafe(format!("{} WHERE w.id = $1", select_wish())))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| from_row(&r))
        .ok_or(CoreError::NotFound("wish"))?;
    with_holders(conn, std::slice::from_mut(&mut wish)).await?;
    Ok(wish)
}

/// Reads a wish the caller may see; a wish they may not see does not exist for them.
pub async fn get(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<Wish> {
    let wish = load(conn, id).await?;
    if !can_see(caller, &wish) {
        return Err(CoreError::NotFound("wish"));
    }
    Ok(wish)
}

/// One page of the wishes the caller may see, newest first.
pub async fn list(conn: &mut AnyConnection, caller: &Caller, filter: &WishFilter) -> CoreResult<Vec<Wish>> {
    let mut sql = format!("{} WHERE 1 = 1", select_wish());
    let mut n = 1;
    let mut next = |clause: &str, sql: &mut String| {
        sql.push_str(&clause.replace('?', &format!("${n}")));
        n += 1;
    };
    // Only clauses that are in use: every combination stays an indexable query.
    if filter.status.is_some() {
        next(" AND w.status = ?", &mut sql);
    }
    if filter.grid_id.is_some() {
        next(" AND w.grid_id = ?", &mut sql);
    }
    if filter.category.is_some() {
        next(" AND w.category = ?", &mut sql);
    }
    if filter.before_id.is_some() {
        next(" AND w.id < ?", &mut sql);
    }
    match filter.referred {
        Some(true) => sql.push_str(" AND w.referred_at IS NOT NULL"),
        Some(false) => sql.push_str(" AND w.referred_at IS NULL"),
        None => {}
    }
    let me = format!("${n}");
    if filter.mine {
        sql.push_str(&format!(
            " AND (w.resident_id = {me} OR w.created_by = {me} OR w.volunteer_id = {me} \
             OR w.id IN (SELECT h.wish_id FROM wish_holders h WHERE h.volunteer_id = {me}))"
        ));
    }
    if !caller.is_admin() {
        sql.push_str(&format!(
            " AND (w.status IN ('open', 'claimed', 'fulfilled', 'closed') OR w.resident_id = {me} \
             OR w.created_by = {me} OR w.volunteer_id = {me} \
             OR w.grid_id IN (SELECT g.id FROM grids g WHERE g.leader_user_id = {me}))"
        ));
    }
    sql.push_str(&format!(" ORDER BY w.id DESC LIMIT ${}", n + 1));

    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(status) = filter.status {
        query = query.bind(status.as_str());
    }
    if let Some(grid_id) = filter.grid_id {
        query = query.bind(grid_id);
    }
    if let Some(category) = &filter.category {
        query = query.bind(category.clone());
    }
    if let Some(before) = filter.before_id {
        query = query.bind(before);
    }
    let rows = query
        .bind(caller.user_id)
        .bind(filter.limit)
        .fetch_all(&mut *conn)
        .await?;
    let mut wishes: Vec<Wish> = rows.iter().map(from_row).collect();
    with_holders(conn, &mut wishes).await?;
    Ok(wishes)
}

/// A wish and its timeline, oldest first, for a caller who may see the wish.
pub async fn timeline(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<(Wish, Vec<TimelineEntry>)> {
    let wish = get(conn, caller, id).await?;
    let rows = sqlx::query(
        "SELECT id, at, actor_id, action, from_status, to_status, note FROM wish_timeline WHERE wish_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok((wish, entries(&rows)))
}

/// Timeline rows (`id, at, actor_id, action, from_status, to_status, note`) as entries: a wish's,
/// or a project's, which keeps its timeline in the same shape.
pub fn entries(rows: &[AnyRow]) -> Vec<TimelineEntry> {
    rows.iter()
        .map(|r| TimelineEntry {
            id: r.get("id"),
            at: r.get("at"),
            actor_id: r.get("actor_id"),
            action: r.get("action"),
            from_status: r.get("from_status"),
            to_status: r.get("to_status"),
            note: r.get("note"),
        })
        .collect()
}
