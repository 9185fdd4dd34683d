//! `[party]`: the party organisation's service posts (岗位), its members' yearly service targets,
//! what a care visit is worth in the hours ledger and the day of the mid-year reminder — with
//! its own checks, kept beside it.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Category, ConfigError};

/// `[party]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartySettings {
    /// The posts (岗位) a 双报到 member may take: a code with its Chinese and English label.
    pub service_posts: Vec<Category>,
    /// Hours a member is expected to serve in a calendar year (0: no hours target).
    pub yearly_target_hours: u32,
    /// Services (wishes fulfilled, events attended, visits made) expected a year (0: none).
    pub yearly_target_services: u32,
    /// Per member category (`community`, `in_service`), targets replacing the two above.
    pub category_targets: BTreeMap<String, Target>,
    /// Minutes credited to the visitor for each care visit recorded (0: visits earn no hours).
    pub visit_minutes: u32,
    /// The local day (`MM-DD`) in-service members behind their pro-rated target are reminded;
    /// `""` sends no reminder.
    pub midyear_reminder: String,
}

/// A yearly service target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Hours.
    pub hours: u32,
    /// Services.
    pub services: u32,
}

impl PartySettings {
    /// The target of a member of `category` (`community` or `in_service`).
    pub fn target(&self, category: &str) -> Target {
        self.category_targets.get(category).copied().unwrap_or(Target {
            hours: self.yearly_target_hours,
            services: self.yearly_target_services,
        })
    }

    /// The mid-year reminder's (month, day), or `None` when switched off.
    pub fn midyear_day(&self) -> Option<(i8, i8)> {
        parse_month_day(&self.midyear_reminder)
    }

    /// Bounds serde cannot check.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let fail = |key, message: &str| {
            Err(ConfigError {
                key,
                message: message.into(),
            })
        };
        let mut codes: Vec<&str> = self.service_posts.iter().map(|p| p.code.as_str()).collect();
        codes.sort_unstable();
        let well_formed = |c: &&str| !c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if codes.is_empty() || codes.windows(2).any(|w| w[0] == w[1]) || !codes.iter().all(well_formed) {
            return fail(
                "party.service_posts",
                "at least one post; codes unique, lowercase letters and _",
            );
        }
        let targets = self.category_targets.values().copied();
        for target in targets.chain([self.target("")]) {
            if target.hours > 2000 || target.services > 1000 {
                return fail(
                    "party.yearly_target_hours",
                    "targets: at most 2000 hours and 1000 services a year",
                );
            }
        }
        if self
            .category_targets
            .keys()
            .any(|k| k != "community" && k != "in_service")
        {
            return fail("party.category_targets", "categories are community and in_service");
        }
        if self.visit_minutes > 480 {
            return fail("party.visit_minutes", "must be at most 480 (8 hours)");
        }
        if !self.midyear_reminder.is_empty() && self.midyear_day().is_none() {
            return fail(
                "party.midyear_reminder",
                "must be a day like 07-01 (not 02-29), or \"\"",
            );
        }
        Ok(())
    }
}

/// `MM-DD` as (month, day), a day every year has.
fn parse_month_day(text: &str) -> Option<(i8, i8)> {
    let (month, day) = text.split_once('-')?;
    if month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (month, day): (i8, i8) = (month.parse().ok()?, day.parse().ok()?);
    // 2023 is not a leap year: a day valid in it exists every year.
    jiff::civil::Date::new(2023, month, day).ok()?;
    Some((month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> PartySettings {
        let post = Category {
            code: "care_visits".into(),
            label_zh: "关爱走访".into(),
            label_en: "Care visits".into(),
        };
        PartySettings {
            service_posts: vec![post],
            yearly_target_hours: 24,
            yearly_target_services: 12,
            category_targets: BTreeMap::from([("community".into(), Target { hours: 12, services: 6 })]),
            visit_minutes: 30,
            midyear_reminder: "07-01".into(),
        }
    }

    #[test]
    fn targets_by_category_and_bad_values_named() {
        let ok = settings();
        assert!(ok.validate().is_ok());
        assert_eq!(ok.target("community"), Target { hours: 12, services: 6 });
        assert_eq!(
            ok.target("in_service"),
            Target {
                hours: 24,
                services: 12
            }
        );
        let key = |s: PartySettings| s.validate().unwrap_err().key;
        assert_eq!(
            key(PartySettings {
                visit_minutes: 481,
                ..settings()
            }),
            "party.visit_minutes"
        );
        assert_eq!(
            key(PartySettings {
                midyear_reminder: "02-29".into(),
                ..settings()
            }),
            "party.midyear_reminder"
        );
        assert_eq!(
            key(PartySettings {
                service_posts: vec![],
                ..settings()
            }),
            "party.service_posts"
        );
        let mut odd = settings();
        odd.category_targets
            .insert("retired".into(), Target { hours: 1, services: 1 });
        assert_eq!(key(odd), "party.category_targets");
        assert_eq!(
            key(PartySettings {
                yearly_target_hours: 9000,
                ..settings()
            }),
            "party.yearly_target_hours"
        );
        assert!(
            PartySettings {
                midyear_reminder: String::new(),
                ..settings()
            }
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn reminder_days_exist_every_year() {
        assert_eq!(parse_month_day("07-01"), Some((7, 1)));
        assert_eq!(parse_month_day("12-31"), Some((12, 31)));
        for bad in ["02-29", "13-01", "7-1", "07/01", "", "07-01x"] {
            assert_eq!(parse_month_day(bad), None, "{bad}");
        }
    }
}
