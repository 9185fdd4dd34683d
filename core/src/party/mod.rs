//! The community party committee's organisation: its branches (党支部), the grids each covers,
//! and the party members of each branch with their category — maintained by admins only, never
//! self-declared — and what members serve against their yearly targets.

pub mod audience;
pub mod branch;
pub mod feedback;
pub mod member;
pub mod progress;
pub mod registration;
pub mod reminder;
pub mod target;

pub use branch::{Branch, BranchInput};
pub use member::{Category, Member};
