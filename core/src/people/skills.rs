//! A person's skills: wish category codes (`wishes.categories`), so that what a volunteer can do
//! is matched against what residents ask for with no mapping in between. Anyone keeps their own
//! (`PUT /me {"skills"}`); an approved 双报到 registration sets them too. Read by the
//! supply–demand report and the volunteers' ordering of open wishes.

use std::collections::BTreeMap;
use std::ops::Deref;

use sqlx::{AnyConnection, Row};

use crate::config::Category;
use crate::error::{CoreError, CoreResult};

/// The most skills one person may list (there are only so many categories; this bounds what a
/// client may send before it is even checked).
pub const MAX_SKILLS: usize = 20;

/// How many ids one `IN (…)` list reads at once.
const CHUNK: usize = 500;

/// A validated set of skills: known category codes, each once, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skills(Vec<String>);

impl Skills {
    /// Reads codes against the configured categories: an unknown code is refused naming it,
    /// duplicates count once, more than [`MAX_SKILLS`] is refused.
    pub fn parse<S: Deref<Target = str>>(codes: &[S], categories: &[Category]) -> CoreResult<Self> {
        if codes.len() > MAX_SKILLS {
            return Err(CoreError::invalid(
                "invalid_field",
                format!("skills: at most {MAX_SKILLS}"),
            ));
        }
        let mut skills = Vec::with_capacity(codes.len());
        for code in codes {
            let code = code.trim();
            if !categories.iter().any(|c| c.code == code) {
                return Err(CoreError::invalid(
                    "unknown_skill",
                    format!("skills: `{code}` is not one of GET /api/v1/categories"),
                ));
            }
            skills.push(code.to_string());
        }
        skills.sort();
        skills.dedup();
        Ok(Self(skills))
    }

    /// The codes, sorted.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// Replaces `user_id`'s skills.
pub async fn set(conn: &mut AnyConnection, user_id: i64, skills: &Skills) -> CoreResult<()> {
    sqlx::query("DELETE FROM user_skills WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for code in skills.as_slice() {
        sqlx::query("INSERT INTO user_skills (user_id, category) VALUES ($1, $2)")
            .bind(user_id)
            .bind(code)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// `user_id`'s skills, sorted.
pub async fn of(conn: &mut AnyConnection, user_id: i64) -> CoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT category FROM user_skills WHERE user_id = $1 ORDER BY category")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The skills of each of `user_ids` that has any (sorted), read a chunk of ids at a time.
pub async fn of_many(conn: &mut AnyConnection, user_ids: &[i64]) -> CoreResult<BTreeMap<i64, Vec<String>>> {
    let mut skills: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for chunk in user_ids.chunks(CHUNK) {
        // Integers only, so the list is safe to format into the statement.
        let ids: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT user_id, category FROM user_skills WHERE user_id IN ({}) ORDER BY user_id, category",
            ids.join(", ")
        );
        for row in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await? {
            skills.entry(row.get(0)).or_default().push(row.get(1));
        }
    }
    Ok(skills)
}

/// The volunteers (role `volunteer`) living in `grid_id` who have `category` among their
/// skills, by id.
pub async fn volunteers_with(conn: &mut AnyConnection, grid_id: i64, category: &str) -> CoreResult<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT u.id FROM users u JOIN user_skills s ON s.user_id = u.id \
         JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' \
         WHERE u.grid_id = $1 AND s.category = $2 ORDER BY u.id",
    )
    .bind(grid_id)
    .bind(category)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn categories() -> Vec<Category> {
        ["errand", "repair", "medicine"]
            .into_iter()
            .map(|code| Category {
                code: code.into(),
                label_zh: code.into(),
                label_en: code.into(),
            })
            .collect()
    }

    #[test]
    fn known_codes_are_kept_once_and_sorted() {
        let skills = Skills::parse(&["repair", " errand", "repair"], &categories()).unwrap();
        assert_eq!(skills.as_slice(), ["errand", "repair"]);
        assert_eq!(Skills::parse::<&str>(&[], &categories()).unwrap(), Skills::default());
    }

    #[test]
    fn an_unknown_code_is_refused_by_name() {
        let err = Skills::parse(&["errand", "juggling"], &categories()).unwrap_err();
        assert!(
            matches!(&err, CoreError::Invalid { code: "unknown_skill", message } if message.contains("juggling")),
            "{err:?}"
        );
    }

    #[test]
    fn too_many_are_refused_before_they_are_read() {
        let many = vec!["errand"; MAX_SKILLS + 1];
        let err = Skills::parse(&many, &categories()).unwrap_err();
        assert!(
            matches!(
                err,
                CoreError::Invalid {
                    code: "invalid_field",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(Skills::parse(&vec!["errand"; MAX_SKILLS], &categories()).is_ok());
    }
}
