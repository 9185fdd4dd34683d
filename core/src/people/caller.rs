//! The authenticated caller: who they are, their roles, and the grids they lead.

use super::Role;

/// Who is asking, as every permission check sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user's id.
    pub user_id: i64,
    /// Roles held (always includes `Resident`).
    pub roles: Vec<Role>,
    /// Ids of the grids this user leads.
    pub led_grids: Vec<i64>,
}

impl Caller {
    /// Whether the caller holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the caller is an admin.
    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    /// Whether the caller leads grid `grid_id` (and holds the grid-leader role).
    pub fn leads(&self, grid_id: i64) -> bool {
        self.has(Role::GridLeader) && self.led_grids.contains(&grid_id)
    }

    /// Whether the caller oversees grid `grid_id`: its leader, or an admin. The API's grid
    /// endpoints and the console's grid pages both decide with this.
    pub fn oversees(&self, grid_id: i64) -> bool {
        self.is_admin() || self.leads(grid_id)
    }

    /// Whether the caller may use the web console: grid leaders and admins.
    pub fn may_use_console(&self) -> bool {
        self.is_admin() || self.has(Role::GridLeader)
    }

    /// The SQL condition keeping rows whose `column` is a grid the caller oversees: every grid
    /// for an admin, the led ones otherwise; `None` when they lead none. The ids are integers
    /// from the session, never client text, so the clause is safe to format into a statement.
    pub fn grid_scope(&self, column: &str) -> Option<String> {
        if self.is_admin() {
            return Some("1 = 1".into());
        }
        if self.led_grids.is_empty() {
            return None;
        }
        let ids: Vec<String> = self.led_grids.iter().map(i64::to_string).collect();
        Some(format!("{column} IN ({})", ids.join(", ")))
    }

    /// Folds the rows of a caller query into a caller: a row naming a role grants it, a row with
    /// an empty role names a grid the user leads. Both the session lookup and `user::caller` read
    /// roles and led grids in this one shape, so each is one round trip.
    pub(crate) fn fold(user_id: i64, rows: impl IntoIterator<Item = (String, i64)>) -> Caller {
        let mut caller = Caller {
            user_id,
            roles: Vec::new(),
            led_grids: Vec::new(),
        };
        for (role, grid_id) in rows {
            match role.parse() {
                Ok(role) => caller.roles.push(role),
                Err(_) => caller.led_grids.push(grid_id),
            }
        }
        caller.roles.sort();
        caller
    }
}
