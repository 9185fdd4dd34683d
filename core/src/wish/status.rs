//! A wish's status and urgency: their wire and database names.

use std::fmt;
use std::str::FromStr;

/// The wire and database names of a wish's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WishStatus {
    /// Waiting for a grid leader's approval (or a content review).
    PendingReview,
    /// Visible to volunteers, waiting for a claim.
    Open,
    /// A volunteer holds it.
    Claimed,
    /// The volunteer reports it done; the resident is asked to confirm.
    Fulfilled,
    /// Confirmed (or auto-closed).
    Closed,
    /// Turned down by a leader.
    Rejected,
    /// Withdrawn.
    Cancelled,
}

impl WishStatus {
    /// Every status.
    pub const ALL: [WishStatus; 7] = [
        WishStatus::PendingReview,
        WishStatus::Open,
        WishStatus::Claimed,
        WishStatus::Fulfilled,
        WishStatus::Closed,
        WishStatus::Rejected,
        WishStatus::Cancelled,
    ];

    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            WishStatus::PendingReview => "pending_review",
            WishStatus::Open => "open",
            WishStatus::Claimed => "claimed",
            WishStatus::Fulfilled => "fulfilled",
            WishStatus::Closed => "closed",
            WishStatus::Rejected => "rejected",
            WishStatus::Cancelled => "cancelled",
        }
    }

    /// Statuses anyone in the community may see (the others only the people involved).
    pub fn is_public(self) -> bool {
        matches!(
            self,
            WishStatus::Open | WishStatus::Claimed | WishStatus::Fulfilled | WishStatus::Closed
        )
    }
}

impl fmt::Display for WishStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WishStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WishStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown status `{s}`"))
    }
}

/// How pressing a wish is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Urgency {
    /// The usual.
    #[default]
    Normal,
    /// Alerts the grid leader at once.
    Urgent,
}

impl Urgency {
    /// The wire and database name.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
        }
    }
}

impl FromStr for Urgency {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "normal" => Ok(Urgency::Normal),
            "urgent" => Ok(Urgency::Urgent),
            _ => Err(format!("unknown urgency `{s}` (normal, urgent)")),
        }
    }
}
