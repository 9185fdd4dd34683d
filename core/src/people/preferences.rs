//! Notification preferences: per user, per kind, which channels are on. No row means on.
//! Urgent alerts cannot be turned fully off (checked where preferences are set).

use sqlx::{AnyConnection, Row};

use crate::error::{CoreError, CoreResult};
use crate::notify::{KindUrgency, NotificationKind};

/// The channels a person can receive on.
pub const CHANNELS: [&str; 3] = ["wechat", "robot", "email"];

/// One preference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preference {
    /// Notification kind.
    pub kind: String,
    /// Channel.
    pub channel: String,
    /// On or off.
    pub enabled: bool,
}

/// A user's explicit preferences.
pub async fn get(conn: &mut AnyConnection, user_id: i64) -> CoreResult<Vec<Preference>> {
    let rows = sqlx::query(
        "SELECT kind, channel, enabled FROM notification_preferences WHERE user_id = $1 ORDER BY kind, channel",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Preference {
            kind: r.get(0),
            channel: r.get(1),
            enabled: r.get::<i64, _>(2) != 0,
        })
        .collect())
}

/// Channels the user turned off for `kind`.
pub async fn disabled_channels(conn: &mut AnyConnection, user_id: i64, kind: &str) -> CoreResult<Vec<String>> {
    let rows =
        sqlx::query("SELECT channel FROM notification_preferences WHERE user_id = $1 AND kind = $2 AND enabled = 0")
            .bind(user_id)
            .bind(kind)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Sets preferences after checking kinds, channels, and that no always-delivered kind ends up
/// with every channel off.
pub async fn set(conn: &mut AnyConnection, user_id: i64, prefs: &[Preference]) -> CoreResult<Vec<Preference>> {
    for p in prefs {
        if !NotificationKind::preference_groups().any(|k| k == p.kind) {
            let kinds: Vec<&str> = NotificationKind::preference_groups().collect();
            return Err(CoreError::invalid(
                "invalid_field",
                format!("kind: `{}` is not one of {}", p.kind, kinds.join(", ")),
            ));
        }
        if !CHANNELS.contains(&p.channel.as_str()) {
            return Err(CoreError::invalid(
                "invalid_field",
                format!("channel: `{}` is not one of {}", p.channel, CHANNELS.join(", ")),
            ));
        }
    }
    for p in prefs {
        sqlx::query(
            "INSERT INTO notification_preferences (user_id, kind, channel, enabled) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, kind, channel) DO UPDATE SET enabled = $4",
        )
        .bind(user_id)
        .bind(&p.kind)
        .bind(&p.channel)
        .bind(i64::from(p.enabled))
        .execute(&mut *conn)
        .await?;
    }
    let must_reach = NotificationKind::ALL
        .into_iter()
        .filter(|k| k.urgency() == KindUrgency::MustReach)
        .filter_map(NotificationKind::preference_group);
    for kind in must_reach {
        if disabled_channels(conn, user_id, kind).await?.len() == CHANNELS.len() {
            return Err(CoreError::invalid(
                "cannot_disable_alerts",
                format!("{kind}: urgent alerts must keep at least one channel on"),
            ));
        }
    }
    get(conn, user_id).await
}
