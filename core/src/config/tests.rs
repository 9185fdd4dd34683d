//! The settings' own rules, tested without files.

use std::time::Duration;

use super::*;

#[test]
fn durations_parse_in_every_unit() {
    assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
    assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
    assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    assert!(parse_duration("soon").is_err());
    assert!(parse_duration("5 weeks").is_err());
    assert!(
        parse_duration("18446744073709551615d").is_err(),
        "overflow is refused, not wrapped"
    );
    assert!(parse_duration("99999999999999999999s").is_err());
}

#[test]
fn passwords_never_reach_debug_output() {
    assert_eq!(redact_url("smtps://mail:s3cret@host:465"), "smtps://mail:***@host:465");
    assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
}
