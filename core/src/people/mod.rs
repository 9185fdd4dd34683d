//! People and their place in the community: users, roles, grids, sessions, and the caller
//! identity every rule is checked against.

pub mod audience;
pub mod caller;
pub mod grid;
pub mod preferences;
pub mod role;
pub mod session;
pub mod skills;
pub mod subscribe_next;
pub mod subscription;
pub(crate) mod token;
pub mod user;

pub use caller::Caller;
pub use grid::Grid;
pub use role::Role;
pub use user::User;
