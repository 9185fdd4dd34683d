//! One-time subscribe-message quota per (user, template): each "accept" the mini-program reports
//! grants one later send; the notifier spends it and zeroes it when WeChat answers 43101.

use sqlx::{AnyConnection, Row};

use crate::error::CoreResult;

/// What the user chose for one template in `wx.requestSubscribeMessage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// One more send allowed.
    Accept,
    /// Not this time: nothing changes.
    Reject,
    /// The user turned the template off for good: no sends left.
    Ban,
    /// WeChat filtered the template: nothing changes.
    Filter,
}

impl std::str::FromStr for Choice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "accept" => Ok(Choice::Accept),
            "reject" => Ok(Choice::Reject),
            "ban" => Ok(Choice::Ban),
            "filter" => Ok(Choice::Filter),
            _ => Err(format!("`{s}` is not accept, reject, ban or filter")),
        }
    }
}

/// Applies the user's choices.
pub async fn record(conn: &mut AnyConnection, user_id: i64, choices: &[(String, Choice)], now: i64) -> CoreResult<()> {
    for (template, choice) in choices {
        let sql = match choice {
            Choice::Accept => {
                "INSERT INTO subscription_quotas (user_id, template_id, remaining, updated_at) VALUES ($1, $2, 1, $3) \
                 ON CONFLICT (user_id, template_id) DO UPDATE SET remaining = subscription_quotas.remaining + 1, updated_at = $3"
            }
            Choice::Ban => {
                "INSERT INTO subscription_quotas (user_id, template_id, remaining, updated_at) VALUES ($1, $2, 0, $3) \
                 ON CONFLICT (user_id, template_id) DO UPDATE SET remaining = 0, updated_at = $3"
            }
            Choice::Reject | Choice::Filter => continue,
        };
        sqlx::query(sql)
            .bind(user_id)
            .bind(template)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Remaining sends per template for a user, by template id.
pub async fn remaining(conn: &mut AnyConnection, user_id: i64) -> CoreResult<Vec<(String, i64)>> {
    let rows =
        sqlx::query("SELECT template_id, remaining FROM subscription_quotas WHERE user_id = $1 ORDER BY template_id")
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Spends one send of `template` after WeChat accepted a message (never below zero).
pub async fn spend(pool: &sqlx::AnyPool, user_id: i64, template: &str, now: i64) -> CoreResult<()> {
    set_remaining(
        pool,
        user_id,
        template,
        now,
        "CASE WHEN remaining > 0 THEN remaining - 1 ELSE 0 END",
    )
    .await
}

/// Records that WeChat says the user has no sends of `template` left (43101).
pub async fn exhaust(pool: &sqlx::AnyPool, user_id: i64, template: &str, now: i64) -> CoreResult<()> {
    set_remaining(pool, user_id, template, now, "0").await
}

/// Sets the user's remaining sends of `template` to `value`, an SQL expression of a fixed few.
async fn set_remaining(
    pool: &sqlx::AnyPool,
    user_id: i64,
    template: &str,
    now: i64,
    value: &'static str,
) -> CoreResult<()> {
    let sql = format!(
        "UPDATE subscription_quotas SET remaining = {value}, updated_at = $3 WHERE user_id = $1 AND template_id = $2"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(template)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}
