//! What the web console needs from the core besides what the API already uses: signing in
//! (QR tickets, one-time links, cookie sessions) and the grid leader's work queue. The rules
//! themselves — who may see, approve or assign what — are the same functions the API calls.

pub mod events;
pub mod export;
pub mod grant;
pub mod party;
pub mod queue;
pub mod register;
mod section;
pub mod signin;

use crate::people::Caller;

/// The grids the caller works on in the console, as a SQL condition on `column`: every grid for
/// admins, the led ones for leaders; `None` when they may not use the console or lead no grid.
fn scope(caller: &Caller, column: &str) -> Option<String> {
    caller.may_use_console().then(|| caller.grid_scope(column)).flatten()
}
