//! `[register]`: the population register's import limit, the care categories, visits and family
//! codes — with their own checks, kept beside them.

use serde::Deserialize;

use super::{ConfigDuration, ConfigError};

/// `[register]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterSettings {
    /// Largest CSV accepted by `POST /api/v1/admin/households/import`, in bytes.
    pub import_limit_bytes: usize,
    /// Care categories a person may carry (lives alone, empty-nest elderly, …).
    pub care_tags: Vec<String>,
    /// How long past its due date a visit may be before the grid leader is alerted.
    pub visit_overdue_after: ConfigDuration,
    /// How long a one-time family code stays valid.
    pub family_code_ttl: ConfigDuration,
}

impl RegisterSettings {
    /// Bounds and formats serde cannot check.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let fail = |key, message: String| Err(ConfigError { key, message });
        if !(1024..=256 * 1024 * 1024).contains(&self.import_limit_bytes) {
            return fail("register.import_limit_bytes", "must be 1 KiB to 256 MiB".into());
        }
        let well_formed = |t: &String| {
            (1..=32).contains(&t.len())
                && t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
        };
        if self.care_tags.is_empty() || !self.care_tags.iter().all(well_formed) {
            return fail(
                "register.care_tags",
                "at least one tag, each like lives_alone (a-z, 0-9, _)".into(),
            );
        }
        let day = 86_400_000;
        if self.visit_overdue_after.as_millis_i64() > 90 * day {
            return fail("register.visit_overdue_after", "at most 90d".into());
        }
        let ttl = self.family_code_ttl.as_millis_i64();
        if !(60_000..=30 * day).contains(&ttl) {
            return fail("register.family_code_ttl", "must be 1m to 30d".into());
        }
        Ok(())
    }
}
