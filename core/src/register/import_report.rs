//! What an import did, line by line: the counts and the refused lines with why (the first
//! 1,000 listed, all counted) — answered by the API, kept by an import job for its page, and
//! summed up in the audit log.

use serde::{Deserialize, Serialize};

/// At most this many refusals are listed; the rest are only counted.
const MAX_LISTED_REFUSALS: usize = 1000;

/// One refused line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// Why.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// People added.
    pub created: u64,
    /// People whose phone, relation or tags changed.
    pub updated: u64,
    /// People already as the sheet says.
    pub unchanged: u64,
    /// Households added.
    pub households_created: u64,
    /// Lines refused, with why (the first 1,000).
    pub refused: Vec<Refused>,
    /// How many lines were refused in all.
    pub refused_total: u64,
}

impl ImportReport {
    /// The counts, as the audit log keeps them.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "households_created": self.households_created, "refused": self.refused_total,
        })
    }

    pub(super) fn refuse(&mut self, line: u64, message: impl Into<String>) {
        self.refused_total += 1;
        if self.refused.len() < MAX_LISTED_REFUSALS {
            self.refused.push(Refused {
                line,
                message: message.into(),
            });
        }
    }
}
