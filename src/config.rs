//! Loads [`Settings`]: the embedded `config/default.toml`, then `--config FILE`, then
//! `MICROWISH__SECTION__KEY` environment variables; validated once, failing with the key's name.

use std::path::Path;

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Toml};

pub use microwish_core::Settings;

/// The documented defaults, embedded in the binary.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Loads and validates the settings.
pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
    let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
    if let Some(file) = file {
        if !file.is_file() {
            bail!("configuration file {} does not exist", file.display());
        }
        figment = figment.merge(Toml::file(file));
    }
    figment = figment.merge(Env::prefixed("MICROWISH__").split("__"));
    let settings: Settings = figment.extract().context("invalid configuration")?;
    settings.validate()?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_defaults_are_valid() {
        let settings = load(None).unwrap();
        assert_eq!(settings.server.bind, "127.0.0.1:8080");
        assert_eq!(settings.database.url, "sqlite://data/microwish.db");
        assert_eq!(settings.community.timezone, "Asia/Shanghai");
        assert_eq!(settings.escalation.unclaimed_after.0.as_secs(), 24 * 3600);
        assert!(!settings.wishes.review_required);
    }

    #[test]
    fn a_file_overrides_and_a_bad_value_names_its_key() {
        let dir = std::env::temp_dir().join(format!("microwish-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(&good, "[wishes]\nreview_required = true\n").unwrap();
        assert!(load(Some(&good)).unwrap().wishes.review_required);

        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "[community]\ntimezone = \"Mars/Olympus\"\n").unwrap();
        let err = format!("{:#}", load(Some(&bad)).unwrap_err());
        assert!(err.contains("community.timezone"), "{err}");

        let bad_duration = dir.join("bad-duration.toml");
        std::fs::write(&bad_duration, "[escalation]\nunclaimed_after = \"soon\"\n").unwrap();
        let err = format!("{:#}", load(Some(&bad_duration)).unwrap_err());
        assert!(err.contains("unclaimed_after"), "{err}");

        assert!(load(Some(&dir.join("missing.toml"))).is_err());
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let mut settings = load(None).unwrap();
        settings.wechat.secret = "TOPSECRET".into();
        settings.email.smtp_url = "smtps://mail:TOPSECRET@host:465".into();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
    }
}
