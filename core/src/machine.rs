//! What the pure state machines (a wish's, a project's) share: why a transition is refused, and
//! how someone acting in several capacities is decided.

/// Why a transition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This actor may never take this action on this subject (HTTP 403).
    NotPermitted,
    /// The action is not possible from the current status (HTTP 409).
    WrongStatus,
}

/// Decides for someone acting in several capacities: allowed if any capacity allows it; a status
/// refusal wins over a permission refusal (the caller was entitled to try: that is the 409 of a
/// lost race, not a 403).
pub fn any_capacity<A: Copy, S>(actors: &[A], decide: impl Fn(A) -> Result<S, Refusal>) -> Result<S, Refusal> {
    let mut refusal = Refusal::NotPermitted;
    for actor in actors {
        match decide(*actor) {
            Ok(to) => return Ok(to),
            Err(Refusal::WrongStatus) => refusal = Refusal::WrongStatus,
            Err(Refusal::NotPermitted) => {}
        }
    }
    Err(refusal)
}
