//! What the web console needs from the core besides what the API already uses: signing in
//! (QR tickets, one-time links, cookie sessions) and the grid leader's work queue. The rules
//! themselves — who may see, approve or assign what — are the same functions the API calls.

pub mod events;
pub mod export;
pub mod grant;
pub mod queue;
pub mod signin;
