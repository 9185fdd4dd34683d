//! `[photos]`: where wish photos are kept and how many and how large they may be — with their own
//! checks, kept beside them.

use serde::Deserialize;

use super::ConfigError;

/// `[photos]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoSettings {
    /// `file://DIR` (a local directory) or `s3://BUCKET/PREFIX` (a build with the `s3` feature).
    pub store: String,
    /// Largest accepted photo in bytes; larger uploads get 413.
    pub max_bytes: usize,
    /// Photos per wish and kind (the resident's, the volunteer's proof).
    pub max_per_wish: u32,
}

impl PhotoSettings {
    /// Bounds and formats serde cannot check (the store itself is opened, and so checked, at start).
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let fail = |key, message: String| Err(ConfigError { key, message });
        let store = &self.store;
        let known = ["file://", "s3://"]
            .iter()
            .any(|p| store.len() > p.len() && store.starts_with(p));
        if !known {
            return fail(
                "photos.store",
                format!("`{store}` must be file://DIR or s3://BUCKET/PREFIX"),
            );
        }
        if !(1024..=32 * 1024 * 1024).contains(&self.max_bytes) {
            return fail("photos.max_bytes", "must be 1 KiB to 32 MiB".into());
        }
        if !(1..=50).contains(&self.max_per_wish) {
            return fail("photos.max_per_wish", "must be 1 to 50".into());
        }
        Ok(())
    }
}
