//! Reading the audit log: admin actions (`audit_log`) and contact reveals (`contact_views`, and
//! `volunteer_contact_views` for who is coming) as one list, newest first, filtered and paged by a keyset cursor. Each source is read newest first
//! through its own time index and cut at the page size before the two are merged, so a page costs
//! two short index scans however long the log grows. The same SQL runs on both engines.

use std::sync::LazyLock;

use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::filter::{CONTACT_VIEW, Cursor, Filter, Kind, VOLUNTEER_CONTACT_VIEW};
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;

/// One entry of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// `contact_view` or `volunteer_contact_view` for a reveal, else the action's name (`grid.create`).
    pub kind: String,
    /// Who acted (`None`: the operator at the command line).
    pub actor_id: Option<i64>,
    /// Their display name.
    pub actor_name: Option<String>,
    /// What it was done to: its type and id.
    pub subject_type: String,
    /// The subject's id.
    pub subject_id: Option<i64>,
    /// The subject's display name, when it is a user.
    pub subject_name: Option<String>,
    /// The grid it concerns, when known.
    pub grid_id: Option<i64>,
    /// The particulars (a reveal's: the wish, when one was concerned).
    pub detail: Value,
    /// When (epoch ms).
    pub at: i64,
    cursor: Cursor,
}

/// A page of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Newest first.
    pub items: Vec<Entry>,
    /// Where the next page starts, when this one is full.
    pub next_cursor: Option<String>,
}

/// A table of contact reveals: whose details its rows say were shown, and their kind in the log.
struct Reveals {
    table: &'static str,
    person: &'static str,
    kind: &'static str,
    /// Its place in the order of equal times (the actions are 2), and its "read me" parameter.
    source: i64,
    switch: &'static str,
}

/// A resident's phone and address shown to staff or their volunteer; the holding volunteer's
/// name and phone shown to the resident's side ("who is coming").
const REVEALS: [Reveals; 2] = [
    Reveals {
        table: "contact_views",
        person: "resident_id",
        kind: CONTACT_VIEW,
        source: 1,
        switch: "$13",
    },
    Reveals {
        table: "volunteer_contact_views",
        person: "volunteer_id",
        kind: VOLUNTEER_CONTACT_VIEW,
        source: 0,
        switch: "$16",
    },
];

/// After the cursor (`$9` time, `$10` source, `$11` id) in the log's order, for rows of `source`.
/// The plain `at <= $9` in front lets the time index start at the cursor: without it a deep page
/// scans every newer row (221 ms against 1.6 ms with 500,000 actions and 2,000,000 reveals on
/// PostgreSQL).
fn after_cursor(alias: &str, source: i64) -> String {
    format!(
        "{alias}.at <= $9 AND ({alias}.at < $9 OR ({alias}.at = $9 AND ({source} < $10 \
         OR ({source} = $10 AND {alias}.id < $11))))"
    )
}

/// The three sources, each already filtered, sorted and cut, merged; `$1`…`$16` as [`list`]
/// binds them.
fn sql() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let actions = format!(
            "SELECT * FROM (SELECT CAST(2 AS BIGINT) AS src, a.id, a.at, a.actor_id, u.display_name AS actor_name, \
             a.action AS kind, a.subject_type, a.subject_id, s.display_name AS subject_name, a.grid_id, a.detail, \
             CAST(NULL AS BIGINT) AS wish_id FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
             LEFT JOIN users s ON a.subject_type = 'user' AND s.id = a.subject_id \
             WHERE $1 = 1 AND ($2 IS NULL OR a.actor_id = $2) AND ($3 IS NULL OR a.action = $3) \
             AND ($4 IS NULL OR a.action LIKE $4) AND ($5 IS NULL OR a.subject_type = $5) \
             AND ($6 IS NULL OR a.subject_id = $6) AND a.at >= $7 AND a.at < $8 AND {} \
             ORDER BY a.at DESC, a.id DESC LIMIT $12) actions",
            after_cursor("a", 2)
        );
        let reveals = REVEALS.iter().map(|r| {
            format!(
                "SELECT * FROM (SELECT CAST({src} AS BIGINT) AS src, c.id, c.at, c.viewer_id, u.display_name, \
                 '{kind}', 'user', c.{person}, p.display_name, CAST(NULL AS BIGINT), '{{}}', c.wish_id \
                 FROM {table} c JOIN users u ON u.id = c.viewer_id JOIN users p ON p.id = c.{person} \
                 WHERE {switch} = 1 AND ($2 IS NULL OR c.viewer_id = $2) AND ($14 IS NULL OR c.{person} = $14) \
                 AND ($15 IS NULL OR c.wish_id = $15) AND c.at >= $7 AND c.at < $8 AND {after} \
                 ORDER BY c.at DESC, c.id DESC LIMIT $12) {table}",
                src = r.source,
                kind = r.kind,
                person = r.person,
                table = r.table,
                switch = r.switch,
                after = after_cursor("c", r.source),
            )
        });
        let mut parts = vec![actions];
        parts.extend(reveals);
        format!(
            "{} ORDER BY at DESC, src DESC, id DESC LIMIT $12",
            parts.join(" UNION ALL ")
        )
    });
    &SQL
}

/// Which sources a filter reads: (actions?, resident reveals?, volunteer reveals?).
fn sources(f: &Filter) -> (bool, bool, bool) {
    let reveals_fit = match f.subject.as_ref().map(|s| s.kind) {
        None | Some("user" | "wish") => true,
        Some(_) => false,
    };
    match f.kind {
        None => (true, reveals_fit, reveals_fit),
        Some(Kind::ContactView) => (false, reveals_fit, false),
        Some(Kind::VolunteerContactView) => (false, false, reveals_fit),
        Some(Kind::Action(_) | Kind::Family(_)) => (true, false, false),
    }
}

fn entry(row: &AnyRow) -> CoreResult<Entry> {
    let source: i64 = row.get("src");
    let detail = if source < 2 {
        let wish: Option<i64> = row.get("wish_id");
        wish.map_or_else(|| json!({}), |w| json!({ "wish_id": w }))
    } else {
        serde_json::from_str(&row.get::<String, _>("detail")).unwrap_or_else(|_| json!({}))
    };
    let (at, id) = (row.get("at"), row.get("id"));
    Ok(Entry {
        kind: row.get("kind"),
        actor_id: row.get("actor_id"),
        actor_name: row.get("actor_name"),
        subject_type: row.get("subject_type"),
        subject_id: row.get("subject_id"),
        subject_name: row.get("subject_name"),
        grid_id: row.get("grid_id"),
        detail,
        at,
        cursor: Cursor { at, source, id },
    })
}

/// A page of the log (admins only: it names who saw whose contact details).
pub async fn list(conn: &mut AnyConnection, caller: &Caller, f: &Filter) -> CoreResult<Page> {
    if !caller.is_admin() {
        return Err(CoreError::forbidden("forbidden", "admins only"));
    }
    let (actions, residents, volunteers) = sources(f);
    let (action, family) = match f.kind {
        Some(Kind::Action(a)) => (Some(a.as_str().to_string()), None),
        Some(Kind::Family(family)) => (None, Some(format!("{family}.%"))),
        _ => (None, None),
    };
    let subject = f.subject.as_ref();
    let (person, wish) = match subject.map(|s| (s.kind, s.id)) {
        Some(("user", id)) => (id, None),
        Some(("wish", id)) => (None, id),
        _ => (None, None),
    };
    let after = f.cursor.unwrap_or(Cursor {
        at: i64::MAX,
        source: 2,
        id: i64::MAX,
    });
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql()))
        .bind(i64::from(actions))
        .bind(f.actor_id)
        .bind(action)
        .bind(family)
        .bind(subject.map(|s| s.kind))
        .bind(subject.and_then(|s| s.id))
        .bind(f.from.unwrap_or(i64::MIN))
        .bind(f.to.unwrap_or(i64::MAX))
        .bind(after.at)
        .bind(after.source)
        .bind(after.id)
        .bind(f.limit)
        .bind(i64::from(residents))
        .bind(person)
        .bind(wish)
        .bind(i64::from(volunteers))
        .fetch_all(&mut *conn)
        .await?;
    let items = rows.iter().map(entry).collect::<CoreResult<Vec<_>>>()?;
    let next_cursor = (items.len() as i64 == f.limit)
        .then(|| items.last().map(|e| e.cursor.to_string()))
        .flatten();
    Ok(Page { items, next_cursor })
}

/// The people whose entries one may look for: everyone holding a role that acts or sees contact
/// details (admins, grid leaders, volunteers), by name — the console's "who" choices.
pub async fn actors(conn: &mut AnyConnection) -> CoreResult<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT DISTINCT u.id, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role IN ('admin', 'grid_leader', 'volunteer') ORDER BY u.display_name, u.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

impl Entry {
    /// Whether this entry is a contact reveal (a resident's, or a volunteer's).
    pub fn is_contact_view(&self) -> bool {
        self.kind == CONTACT_VIEW || self.kind == VOLUNTEER_CONTACT_VIEW
    }
}
