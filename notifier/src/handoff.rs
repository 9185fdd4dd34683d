//! A resident's news that no channel can carry is handed on by core (`register::handoff`): to
//! their family, or as a phone-call task for their grid leader. The row still ends skipped or
//! dead, its reason saying where the news went. News a resident silenced in their own
//! preferences stays silenced: that is their choice, not a missing channel.

use microwish_core::Db;
use microwish_core::notify::{Notification, Recipient};
use microwish_core::register::handoff;

use crate::route::{self, RouteContext};

/// Whether `person` has a channel for `n` once their own preferences are set aside.
fn has_channel(n: &Notification, person: &Recipient, ctx: &RouteContext) -> bool {
    let unmuted = Recipient {
        disabled: Vec::new(),
        ..person.clone()
    };
    route::chain(n.kind, true, &unmuted, ctx, &[]).is_ok()
}

/// Hands `n` on when it could not reach `person` — no channel at all, or every one failed
/// (`failed`) — and returns `reason` with what was done appended.
pub async fn hand_over(
    db: &Db,
    n: &Notification,
    (person, ctx): (&Recipient, &RouteContext),
    failed: bool,
    reason: String,
    now: i64,
) -> String {
    if !failed && has_channel(n, person, ctx) {
        return reason;
    }
    match handoff::hand_over(db, n, now).await {
        Ok(Some(done)) => format!("{reason}; {done}"),
        Ok(None) => reason,
        Err(err) => {
            tracing::warn!(error = %err, id = n.id, "could not hand an unreachable notification on");
            format!("{reason}; hand-over failed: {err}")
        }
    }
}
