//! The caller's profile and grids as the API shows them.

use poem_openapi::Object;

use microwish_core::people::{Grid, User};
use microwish_core::register::ResidenceRequest;

/// A user's own profile.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserView {
    /// User id.
    pub id: i64,
    /// The name others see on wishes and events ('' until set).
    pub display_name: String,
    /// Mobile number, in full: a profile goes only to its owner and to staff.
    pub phone: Option<String>,
    /// Where email notifications go.
    pub email: Option<String>,
    /// The grid of the verified residence.
    pub grid_id: Option<i64>,
    /// The building, shown to those who see the person's wishes.
    pub building: Option<String>,
    /// The exact address, protected like the phone number.
    pub address: Option<String>,
    /// Roles: resident, volunteer, grid_leader, admin.
    pub roles: Vec<String>,
    /// The language notifications and error messages are in: zh-CN (until chosen) or en.
    pub language: String,
    /// Whether `grid_id` comes from a verified residence (it is only set once verified).
    pub residence_verified: bool,
    /// The residence request waiting for the grid leader, if any.
    #[oai(skip_serializing_if_is_none)]
    pub pending_residence_request_id: Option<i64>,
    /// Skills: wish category codes (`GET /api/v1/categories`); on your own profile.
    #[oai(skip_serializing_if_is_none)]
    pub skills: Option<Vec<String>>,
}

impl UserView {
    /// Adds the pending residence request, if any.
    pub fn with_pending(mut self, pending: Option<ResidenceRequest>) -> Self {
        self.pending_residence_request_id = pending.map(|r| r.id);
        self
    }
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            display_name: u.display_name,
            phone: u.phone,
            email: u.email,
            grid_id: u.grid_id,
            building: u.building,
            address: u.address,
            roles: u.roles.iter().map(|r| r.as_str().to_string()).collect(),
            language: u.language.unwrap_or_default().tag().to_string(),
            residence_verified: u.grid_id.is_some(),
            pending_residence_request_id: None,
            skills: None,
        }
    }
}

/// A grid. The robot key is a secret and only shown to admins.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct GridView {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Leader's user id.
    pub leader_user_id: Option<i64>,
    /// WeCom robot key (admins only).
    #[oai(skip_serializing_if_is_none)]
    pub wecom_robot_key: Option<String>,
}

impl GridView {
    /// The view of a grid for an admin (with the robot key) or anyone else (without).
    pub fn new(grid: Grid, show_secret: bool) -> Self {
        Self {
            id: grid.id,
            name: grid.name,
            leader_user_id: grid.leader_user_id,
            wecom_robot_key: grid.wecom_robot_key.filter(|_| show_secret),
        }
    }
}
