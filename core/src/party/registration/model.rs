//! A 双报到 registration as stored and as filed: the applicant's work unit and its party
//! organisation, their skills (wish category codes) and the service posts (岗位) they take.

use std::ops::Deref;

use super::machine::RegistrationStatus;
use crate::config::Category;
use crate::error::{CoreError, CoreResult};
use crate::fields::{UnitBranch, WorkUnit};
use crate::people::skills::Skills;

/// A registration as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Id.
    pub id: i64,
    /// The applicant.
    pub user_id: i64,
    /// Their name.
    pub display_name: String,
    /// Their verified residence's grid when they filed.
    pub grid_id: i64,
    /// Their work unit.
    pub work_unit: String,
    /// The work unit's party organisation.
    pub unit_branch: String,
    /// Skills, wish category codes.
    pub skills: Vec<String>,
    /// Service posts, `party.service_posts` codes.
    pub posts: Vec<String>,
    /// Where it stands.
    pub status: RegistrationStatus,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The branch they joined, once approved.
    pub branch_id: Option<i64>,
    /// Who decided.
    pub decided_by: Option<i64>,
    /// When it was decided (or withdrawn).
    pub decided_at: Option<i64>,
    /// Filed.
    pub created_at: i64,
}

/// The most posts one member may take.
pub const MAX_POSTS: usize = 10;

/// A registration as filed, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationInput {
    /// The work unit.
    pub work_unit: WorkUnit,
    /// Its party organisation.
    pub unit_branch: UnitBranch,
    /// Skills.
    pub skills: Skills,
    /// Posts, sorted, each once.
    pub posts: Vec<String>,
}

impl RegistrationInput {
    /// Checks a filing against the configured categories and posts: at least one post, every code
    /// known (an unknown one is refused naming it).
    pub fn parse<S: Deref<Target = str>>(
        work_unit: &str,
        unit_branch: &str,
        skills: &[S],
        posts: &[S],
        (categories, service_posts): (&[Category], &[Category]),
    ) -> CoreResult<Self> {
        let work_unit = WorkUnit::parse(work_unit)?;
        let unit_branch = UnitBranch::parse(unit_branch)?;
        let skills = Skills::parse(skills, categories)?;
        if posts.is_empty() || posts.len() > MAX_POSTS {
            return Err(CoreError::invalid(
                "invalid_field",
                format!("posts: 1 to {MAX_POSTS} of GET /api/v1/party/posts"),
            ));
        }
        let mut codes = Vec::with_capacity(posts.len());
        for post in posts {
            let post = post.trim();
            if !service_posts.iter().any(|p| p.code == post) {
                return Err(CoreError::invalid(
                    "unknown_post",
                    format!("posts: `{post}` is not one of GET /api/v1/party/posts"),
                ));
            }
            codes.push(post.to_string());
        }
        codes.sort();
        codes.dedup();
        Ok(Self {
            work_unit,
            unit_branch,
            skills,
            posts: codes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(code: &str) -> Category {
        Category {
            code: code.into(),
            label_zh: code.into(),
            label_en: code.into(),
        }
    }

    fn known() -> (Vec<Category>, Vec<Category>) {
        (
            vec![code("errand"), code("repair")],
            vec![code("care_visits"), code("tutoring")],
        )
    }

    #[test]
    fn a_filing_is_trimmed_sorted_and_deduplicated() {
        let (categories, posts) = known();
        let s = (categories.as_slice(), posts.as_slice());
        let input = RegistrationInput::parse(
            " 市第一医院 ",
            "市第一医院党委",
            &["repair", "errand", "repair"],
            &["tutoring", "care_visits", "tutoring"],
            s,
        )
        .unwrap();
        assert_eq!(input.work_unit.as_str(), "市第一医院");
        assert_eq!(input.skills.as_slice(), ["errand", "repair"]);
        assert_eq!(input.posts, ["care_visits", "tutoring"]);
    }

    #[test]
    fn unknown_posts_missing_posts_and_empty_units_are_refused() {
        let (categories, posts) = known();
        let s = (categories.as_slice(), posts.as_slice());
        let post = "care_visits";
        let refusal = |r: CoreResult<RegistrationInput>| match r {
            Err(CoreError::Invalid { code, .. }) => code,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(
            refusal(RegistrationInput::parse("医院", "党委", &[], &["astrology"], s)),
            "unknown_post"
        );
        assert_eq!(
            refusal(RegistrationInput::parse("医院", "党委", &[], &[] as &[&str], s)),
            "invalid_field"
        );
        assert_eq!(
            refusal(RegistrationInput::parse(" ", "党委", &[], &[post], s)),
            "invalid_field"
        );
        assert_eq!(
            refusal(RegistrationInput::parse("医院", "党委", &["nope"], &[post], s)),
            "unknown_skill"
        );
    }
}
