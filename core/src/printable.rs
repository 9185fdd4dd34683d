//! Documents fit to print, as HTML pages (A4, print styles, a print button the printout leaves
//! out): a party member's year-end letter to their work unit and a volunteer's yearly
//! certificate of service hours. The words are the templates' (`core/templates/printable/`, both
//! languages in each); this module only gathers the facts they show.

use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use minijinja::Environment;
use serde_json::{Value, json};

use crate::error::{CoreError, CoreResult};
use crate::lang::Lang;
use crate::party::feedback::Letter;
use crate::party::progress::{Served, Tally};

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = crate::lang::template_environment();
        for (name, source) in [
            ("style.html", include_str!("../templates/printable/style.html")),
            ("letter.html", include_str!("../templates/printable/letter.html")),
            (
                "certificate.html",
                include_str!("../templates/printable/certificate.html"),
            ),
        ] {
            // Compiled in and covered by tests: a syntax error is a build-time bug.
            env.add_template(name, source).expect("embedded template parses");
        }
        env
    })
}

/// What every document shows besides its facts: who issues it, when, in which language.
#[derive(Debug, Clone, Copy)]
pub struct Issuer<'a> {
    /// The reader's language.
    pub lang: Lang,
    /// The community's name.
    pub community: &'a str,
    /// The community's time zone, for the date of issue.
    pub tz: &'a TimeZone,
    /// Now, epoch ms.
    pub now: i64,
}

impl Issuer<'_> {
    fn issued(&self) -> String {
        let date = Timestamp::from_millisecond(self.now)
            .map(|t| t.to_zoned(self.tz.clone()).date())
            .unwrap_or_default();
        match self.lang {
            Lang::ZhCn => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
            Lang::En => date.strftime("%-d %B %Y").to_string(),
        }
    }
}

/// Hours with at most two decimals, as people write them.
pub fn hours(minutes: i64) -> String {
    let hundredths = (minutes * 100 + 30) / 60;
    let (whole, part) = (hundredths / 100, hundredths % 100);
    match part {
        0 => whole.to_string(),
        p if p % 10 == 0 => format!("{whole}.{}", p / 10),
        p => format!("{whole}.{p:02}"),
    }
}

fn tally(t: Tally) -> Value {
    json!({ "hours": hours(t.minutes), "minutes": t.minutes, "services": t.services })
}

fn served(s: &Served) -> Value {
    json!({ "hours": hours(s.minutes()), "minutes": s.minutes(), "services": s.services(),
        "wishes": tally(s.wishes), "events": tally(s.events), "visits": tally(s.visits) })
}

fn render(name: &str, facts: Value, issuer: &Issuer<'_>) -> CoreResult<String> {
    let mut ctx = facts;
    if let Value::Object(map) = &mut ctx {
        map.insert("lang".into(), issuer.lang.tag().into());
        map.insert("community".into(), issuer.community.into());
        map.insert("issued".into(), issuer.issued().into());
    }
    let template = env()
        .get_template(name)
        .map_err(|e| CoreError::Storage(format!("template {name}: {e}")))?;
    template
        .render(ctx)
        .map_err(|e| CoreError::Storage(format!("template {name}: {e}")))
}

/// A member's year-end letter to their work unit.
pub fn letter(letter: &Letter, issuer: &Issuer<'_>) -> CoreResult<String> {
    let p = &letter.progress;
    let mut facts = served(&p.served);
    let (work_unit, unit_branch) = letter.work_unit.clone().unzip();
    let target_met = crate::party::target::on_track(p.target, p.served.minutes(), p.served.services(), 1.0);
    if let Value::Object(map) = &mut facts {
        for (key, value) in [
            ("name", json!(p.member.display_name)),
            ("year", json!(p.year)),
            ("branch", json!(p.branch_name)),
            ("work_unit", json!(work_unit)),
            ("unit_branch", json!(unit_branch)),
            ("ratings_count", json!(letter.ratings.count)),
            (
                "rating_average",
                json!(letter.ratings.average.map(|a| format!("{a:.1}"))),
            ),
            ("target_hours", json!(p.target.hours)),
            ("target_services", json!(p.target.services)),
            ("target_met", json!(target_met)),
            ("comment", json!(letter.feedback.as_ref().map(|f| f.comment.clone()))),
        ] {
            map.insert(key.into(), value);
        }
    }
    render("letter.html", facts, issuer)
}

/// A volunteer's certificate of the hours they served in `year`.
pub fn certificate(name: &str, year: i16, service: &Served, issuer: &Issuer<'_>) -> CoreResult<String> {
    let mut facts = served(service);
    if let Value::Object(map) = &mut facts {
        map.insert("name".into(), name.into());
        map.insert("year".into(), year.into());
    }
    render("certificate.html", facts, issuer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_read_as_people_write_them() {
        assert_eq!(hours(0), "0");
        assert_eq!(hours(240), "4");
        assert_eq!(hours(90), "1.5");
        assert_eq!(hours(100), "1.67");
    }

    #[test]
    fn a_certificate_in_each_language_names_the_person_and_escapes_them() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let service = Served {
            wishes: Tally {
                minutes: 120,
                services: 2,
            },
            events: Tally {
                minutes: 90,
                services: 1,
            },
            visits: Tally {
                minutes: 30,
                services: 1,
            },
        };
        for (lang, words) in [
            (Lang::ZhCn, "累计服务<strong>4小时</strong>"),
            (Lang::En, "for <strong>4 hours</strong>"),
        ] {
            let issuer = Issuer {
                lang,
                community: "幸福社区",
                tz: &tz,
                now: 1_781_920_800_000,
            };
            let page = certificate("小王<script>", 2026, &service, &issuer).unwrap();
            assert!(page.contains(words), "{page}");
            assert!(page.contains("小王&lt;script&gt;"), "the name is escaped");
            assert!(!page.contains("小王<script>"));
        }
    }
}
