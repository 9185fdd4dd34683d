//! The queue's sections of wishes and where a page of one ends — the keyset the section pages
//! walk by (time in that state, then id), written into and read back from a link.

use crate::error::{CoreError, CoreResult};

/// A section of the queue's wishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Waiting for approval, the longest waiting first.
    Review,
    /// Open past the category's unclaimed limit, the longest waiting first.
    Unclaimed,
    /// Claimed too long ago or past the wanted-by time, the oldest claim first.
    Overdue,
}

impl Section {
    /// Its name in a path.
    pub fn name(self) -> &'static str {
        match self {
            Section::Review => "review",
            Section::Unclaimed => "unclaimed",
            Section::Overdue => "overdue",
        }
    }

    /// The section named in a path (`review`, `unclaimed`, `overdue`).
    pub fn parse(name: &str) -> Option<Section> {
        [Section::Review, Section::Unclaimed, Section::Overdue]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// Where a page of a section ended: the last wish's time in its state and id (the order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    /// Since when it waited.
    pub since: i64,
    /// Its id.
    pub id: i64,
}

impl std::fmt::Display for After {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.since, self.id)
    }
}

impl std::str::FromStr for After {
    type Err = CoreError;

    fn from_str(text: &str) -> CoreResult<After> {
        let bad = || CoreError::invalid("invalid_cursor", "after: use the link of the previous page");
        let (since, id) = text.split_once('.').ok_or_else(bad)?;
        Ok(After {
            since: since.parse().map_err(|_| bad())?,
            id: id.parse().map_err(|_| bad())?,
        })
    }
}
