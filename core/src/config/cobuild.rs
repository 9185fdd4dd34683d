//! `[cobuild]`: how co-building projects credit their units — with its own checks, kept beside it.

use serde::Deserialize;

use super::ConfigError;

/// `[cobuild]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CobuildSettings {
    /// Minutes a unit is credited for each wish its delivered project fulfilled, when the delivery
    /// does not state the minutes spent.
    pub minutes_per_service: u32,
}

impl CobuildSettings {
    /// Bounds serde cannot check.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.minutes_per_service > 24 * 60 {
            return Err(ConfigError {
                key: "cobuild.minutes_per_service",
                message: "must be at most 1440 (a day)".into(),
            });
        }
        Ok(())
    }
}
