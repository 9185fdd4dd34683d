//! The one line an alert record shows people (`summary`, in the API and the work-group robot's
//! message). Alerts are records read long after they were raised, so the line is written once,
//! when raised — every wording in one place here, the rules hand over only facts.

/// Why an alert was raised, with the facts its line needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// An urgent wish was posted.
    Urgent,
    /// A wish of a resident the leader marked vulnerable was posted.
    Vulnerable,
    /// Open this many hours without a claim.
    Unclaimed { hours: i64 },
    /// Still unclaimed this many hours, and the leader has not acted.
    UnclaimedEscalated { hours: i64 },
    /// Claimed this many hours ago and not yet fulfilled.
    OverdueClaim { hours: i64 },
    /// Rated this low: the leader should call back (回访).
    Callback { rating: i64 },
    /// The callback's deadline passed.
    CallbackOverdue,
}

impl Reason {
    /// The alert's kind, as stored.
    pub fn kind(self) -> &'static str {
        match self {
            Reason::Urgent => "urgent",
            Reason::Vulnerable => "vulnerable",
            Reason::Unclaimed { .. } => "unclaimed",
            Reason::UnclaimedEscalated { .. } => "unclaimed_escalated",
            Reason::OverdueClaim { .. } => "overdue_claim",
            Reason::Callback { .. } => "callback",
            Reason::CallbackOverdue => "callback_overdue",
        }
    }

    /// The line for the wish titled `title`.
    pub fn summary(self, title: &str) -> String {
        match self {
            Reason::Urgent => format!("紧急心愿：「{title}」"),
            Reason::Vulnerable => format!("重点关照居民的心愿：「{title}」"),
            Reason::Unclaimed { hours } => format!("心愿「{title}」已等待 {hours} 小时无人认领"),
            Reason::UnclaimedEscalated { hours } => format!("心愿「{title}」已等待 {hours} 小时，网格长尚未处理"),
            Reason::OverdueClaim { hours } => format!("心愿「{title}」认领后 {hours} 小时仍未完成"),
            Reason::Callback { rating } => format!("心愿「{title}」获得 {rating} 星评价，请回访"),
            Reason::CallbackOverdue => format!("心愿「{title}」差评回访已超期"),
        }
    }
}

/// Whole hours in `ms`, at least one (an alert never says "0 hours").
pub fn hours(ms: i64) -> i64 {
    (ms / 3_600_000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_names_the_wish_and_its_facts() {
        assert_eq!(
            Reason::Unclaimed { hours: 5 }.summary("修灯"),
            "心愿「修灯」已等待 5 小时无人认领"
        );
        assert_eq!(Reason::Callback { rating: 2 }.kind(), "callback");
        assert!(Reason::Callback { rating: 2 }.summary("买药").contains("2 星"));
        assert_eq!(hours(10), 1);
        assert_eq!(hours(7_300_000), 2);
    }
}
