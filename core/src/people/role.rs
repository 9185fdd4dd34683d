//! The four roles of CONTRACT.md: everyone is a resident; some are volunteers, grid leaders, admins.

use std::fmt;
use std::str::FromStr;

/// A role a user holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Everyone.
    Resident,
    /// A (party-member) volunteer who may claim wishes.
    Volunteer,
    /// Responsible for one or more grids.
    GridLeader,
    /// Community staff.
    Admin,
}

impl Role {
    /// Every role, in order.
    pub const ALL: [Role; 4] = [Role::Resident, Role::Volunteer, Role::GridLeader, Role::Admin];

    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Volunteer => "volunteer",
            Role::GridLeader => "grid_leader",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}` (resident, volunteer, grid_leader, admin)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("mayor".parse::<Role>().is_err());
    }
}
