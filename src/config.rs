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

        let no_probes = load_text("no-probes.toml", "[notifier]\nmetrics_bind = \"\"\n").unwrap();
        assert_eq!(no_probes.notifier.metrics_bind, "");
        let err = format!(
            "{:#}",
            load_text("bad-probes.toml", "[notifier]\nmetrics_bind = \"9465\"\n").unwrap_err()
        );
        assert!(err.contains("notifier.metrics_bind"), "{err}");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let mut settings = load(None).unwrap();
        settings.wechat.secret = "TOPSECRET".into();
        settings.email.smtp_url = "smtps://mail:TOPSECRET@host:465".into();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
    }

    fn load_text(name: &str, text: &str) -> anyhow::Result<Settings> {
        let dir = std::env::temp_dir().join(format!("microwish-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        load(Some(&file))
    }

    #[test]
    fn zero_and_absurd_values_are_refused_by_key() {
        for (text, key) in [
            ("[notifier]\npoll_interval = \"0s\"\n", "notifier.poll_interval"),
            ("[notifier]\nlease = \"0ms\"\n", "notifier.lease"),
            ("[notifier]\nlease = \"400d\"\n", "notifier.lease"),
            ("[escalation]\nscan_interval = \"0s\"\n", "escalation.scan_interval"),
            ("[auth]\nsession_ttl = \"0s\"\n", "auth.session_ttl"),
            ("[auth]\nsession_ttl = \"36500d\"\n", "auth.session_ttl"),
            ("[auth]\nsession_ttl = \"99999999999999999d\"\n", "session_ttl"),
            ("[notifier]\nbatch_size = 4000000000\n", "notifier.batch_size"),
            (
                "[notifier]\nretry_base = \"2h\"\nretry_cap = \"1h\"\n",
                "notifier.retry_base",
            ),
        ] {
            let err = format!("{:#}", load_text("bounds.toml", text).unwrap_err());
            assert!(err.contains(key), "{text} → {err}");
        }
    }

    #[test]
    fn a_mistyped_secret_is_named_never_echoed() {
        // An all-digit secret, as the environment provider types it, is still a secret.
        let digits = load_text("digits.toml", "[wechat]\nsecret = 918273645\n").unwrap();
        assert_eq!(digits.wechat.secret, "918273645");
        for text in [
            "[wechat]\nsecret = { value = \"TOPSECRET\" }\n",
            "[wechat]\nsecret = [\"TOPSECRET\"]\n",
            "[wechat]\nsecret = 3.14159265\n",
        ] {
            let err = format!("{:#}", load_text("secret.toml", text).unwrap_err());
            assert!(err.contains("secret"), "{err}");
            assert!(!err.contains("TOPSECRET") && !err.contains("3.14159265"), "{err}");
        }
    }

    #[test]
    fn a_kinds_template_is_an_id_or_a_table_over_the_defaults() {
        use microwish_core::NotificationKind::*;
        let text = "[wechat.templates]\nwish_claimed = \"TC\"\nalert = { id = \"TA\" }\n";
        let t = load_text("templates.toml", text).unwrap().wechat.templates;
        let assigned = t.for_kind(WishAssigned).expect("shares wish_claimed's");
        assert_eq!(
            (assigned.id.as_str(), assigned.keywords()),
            ("TC", vec!["thing1", "phrase2", "time3", "thing4"])
        );
        let review = t.for_kind(WishReview).expect("shares the alert's");
        assert_eq!(review.id, "TA", "a file's id joins the default keywords");
        assert_eq!(t.for_kind(EventInvitation), None, "no id, no WeChat");
        let digest = load(None).unwrap().wechat.templates;
        assert!(digest.ids().is_empty(), "the defaults configure no template");
        let err = format!(
            "{:#}",
            load_text("bad-template.toml", "[wechat.templates]\ngrid_alert = \"T\"\n").unwrap_err()
        );
        assert!(err.contains("wechat.templates.grid_alert"), "{err}");
    }
}
