//! The residence request's rules, pure: how a new request settles at once, and which decisions
//! a pending one allows.
//!
//! ```text
//!            phone matches the register ─┐
//!            or the filer may approve    ├─► verified
//! filed ─► pending ── approve ───────────┘
//!             ├────── reject ──► rejected
//!             └────── a newer request ──► withdrawn
//! ```

use std::fmt;
use std::str::FromStr;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// Waiting for the grid leader.
    Pending,
    /// The place is verified: the account's grid follows from it.
    Verified,
    /// The leader refused it.
    Rejected,
    /// Replaced by a newer request of the same person.
    Withdrawn,
}

/// How a request came to be verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The WeChat-verified phone matched a person of that household (or grid) in the register.
    Phone,
    /// The grid's leader (or an admin) approved the pending request.
    Leader,
    /// Filed by someone who could approve it anyway (an admin, or that grid's leader).
    Staff,
}

/// What may be decided about a pending request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Verify it.
    Approve,
    /// Refuse it.
    Reject,
}

impl RequestStatus {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RequestStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Pending, Self::Verified, Self::Rejected, Self::Withdrawn]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not pending, verified, rejected or withdrawn"))
    }
}

impl Method {
    /// The database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Leader => "leader",
            Self::Staff => "staff",
        }
    }
}

/// How a newly filed request settles: the register's word (a phone match) first, then the
/// filer's own authority over that grid; otherwise it waits for the leader.
pub fn on_filing(phone_matches: bool, filer_may_approve: bool) -> (RequestStatus, Option<Method>) {
    if phone_matches {
        (RequestStatus::Verified, Some(Method::Phone))
    } else if filer_may_approve {
        (RequestStatus::Verified, Some(Method::Staff))
    } else {
        (RequestStatus::Pending, None)
    }
}

/// The status after `decision`, or `None` when the request is no longer pending.
pub fn decide(status: RequestStatus, decision: Decision) -> Option<RequestStatus> {
    match (status, decision) {
        (RequestStatus::Pending, Decision::Approve) => Some(RequestStatus::Verified),
        (RequestStatus::Pending, Decision::Reject) => Some(RequestStatus::Rejected),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_register_settles_first_then_authority_then_the_leader() {
        assert_eq!(on_filing(true, false), (RequestStatus::Verified, Some(Method::Phone)));
        assert_eq!(on_filing(true, true), (RequestStatus::Verified, Some(Method::Phone)));
        assert_eq!(on_filing(false, true), (RequestStatus::Verified, Some(Method::Staff)));
        assert_eq!(on_filing(false, false), (RequestStatus::Pending, None));
    }

    #[test]
    fn only_pending_requests_are_decided() {
        use RequestStatus::*;
        for status in [Pending, Verified, Rejected, Withdrawn] {
            for decision in [Decision::Approve, Decision::Reject] {
                let expected = match (status, decision) {
                    (Pending, Decision::Approve) => Some(Verified),
                    (Pending, Decision::Reject) => Some(Rejected),
                    _ => None,
                };
                assert_eq!(decide(status, decision), expected, "{status} {decision:?}");
            }
            assert_eq!(status.as_str().parse::<RequestStatus>(), Ok(status));
        }
        assert!("maybe".parse::<RequestStatus>().is_err());
    }
}
