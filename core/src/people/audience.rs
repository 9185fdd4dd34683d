//! An audience: grids, roles, party branches and categories, and named people — whom an event
//! invitation or a notice reaches. Resolved to a set of users, each once however often they
//! match; a grid leader reaches only the people of the grids they lead (and hears the same
//! refusal for a grid or a person that does not exist as for one outside their grids).

use std::collections::BTreeSet;

use sqlx::{AnyConnection, Row};

use super::{Caller, Role};
use crate::error::{CoreError, CoreResult};
use crate::party::Category;

/// Ids resolved a chunk at a time.
const BATCH: usize = 500;

/// Whom to reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    /// Everyone whose home grid is one of these.
    pub grid_ids: Vec<i64>,
    /// Everyone holding one of these roles (a grid leader's: only in their grids).
    pub roles: Vec<Role>,
    /// These people.
    pub user_ids: Vec<i64>,
    /// The party members of these branches.
    pub branch_ids: Vec<i64>,
    /// The party members of these categories.
    pub party_categories: Vec<Category>,
}

/// An audience resolved: the people it reaches (sorted, each once), and the grids and named
/// people it gave (sorted, each once), for the audit's particulars.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Everyone reached.
    pub people: Vec<i64>,
    /// The grids named.
    pub grids: Vec<i64>,
    /// The people named.
    pub named: Vec<i64>,
}

impl Audience {
    /// Whether it names nobody at all.
    pub fn is_empty(&self) -> bool {
        *self == Audience::default()
    }

    /// Resolves the audience for `caller`: permission first, then existence.
    pub async fn resolve(&self, conn: &mut AnyConnection, caller: &Caller) -> CoreResult<Resolved> {
        let may_manage = |g: Option<i64>| caller.is_admin() || g.is_some_and(|g| caller.leads(g));
        let grids: Vec<i64> = self
            .grid_ids
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        // Permission first: a leader hears the same for a grid that does not exist.
        if grids.iter().any(|&g| !may_manage(Some(g))) {
            return Err(CoreError::forbidden(
                "not_permitted",
                "a grid leader may only reach their own grid",
            ));
        }
        // Whom a grid leader reaches through roles and names: people of the grids they lead.
        let scope: Option<&[i64]> = (!caller.is_admin()).then_some(caller.led_grids.as_slice());
        let mut people = BTreeSet::new();
        // Grids, resolved a chunk at a time: one query checks they exist, one gathers their people.
        for chunk in grids.chunks(BATCH) {
            let known: BTreeSet<i64> = bind_all(
                format!("SELECT id FROM grids WHERE id IN ({})", in_list(chunk.len())),
                chunk,
            )
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
            if let Some(g) = chunk.iter().find(|g| !known.contains(g)) {
                return Err(CoreError::invalid("unknown_grid", format!("grid_ids: no grid {g}")));
            }
            let rows = bind_all(
                format!("SELECT id FROM users WHERE grid_id IN ({})", in_list(chunk.len())),
                chunk,
            )
            .fetch_all(&mut *conn)
            .await?;
            people.extend(rows.iter().map(|r| r.get::<i64, _>(0)));
        }
        let in_scope = |g: Option<i64>| scope.is_none_or(|s| g.is_some_and(|g| s.contains(&g)));
        for role in &self.roles {
            let rows = sqlx::query(
                "SELECT u.id, u.grid_id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = $1",
            )
            .bind(role.as_str())
            .fetch_all(&mut *conn)
            .await?;
            people.extend(rows.iter().filter(|r| in_scope(r.get(1))).map(|r| r.get::<i64, _>(0)));
        }
        let members = crate::party::audience::members(&mut *conn, &self.branch_ids, &self.party_categories).await?;
        people.extend(members.into_iter().filter(|&(_, g)| in_scope(g)).map(|(u, _)| u));
        // Named people, resolved a chunk at a time (a repeated id costs nothing). A grid leader
        // hears the same refusal for an unknown id as for someone outside their grids, so the
        // answer does not tell them who exists; only admins learn "no user".
        let named: Vec<i64> = self
            .user_ids
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for chunk in named.chunks(BATCH) {
            let sql = format!("SELECT id, grid_id FROM users WHERE id IN ({})", in_list(chunk.len()));
            let found: std::collections::BTreeMap<i64, Option<i64>> = bind_all(sql, chunk)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            for &u in chunk {
                let grid = found.get(&u);
                if scope.is_some_and(|s| !grid.is_some_and(|g| g.is_some_and(|g| s.contains(&g)))) {
                    return Err(CoreError::forbidden(
                        "not_permitted",
                        "a grid leader may only reach people of their own grid",
                    ));
                }
                if grid.is_none() {
                    return Err(CoreError::invalid("unknown_user", format!("user_ids: no user {u}")));
                }
                people.insert(u);
            }
        }
        Ok(Resolved {
            people: people.into_iter().collect(),
            grids,
            named,
        })
    }
}

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list of `n` ids.
pub(crate) fn in_list(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The query `sql` with every id of `ids` bound in order (the placeholders come from [`in_list`]).
pub(crate) fn bind_all(sql: String, ids: &[i64]) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    ids.iter()
        .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |q, &id| q.bind(id))
}
