//! What a delivery worker needs to know about each recipient of a batch — openid, email, phone, the
//! robots of the grids they lead, switched-off channels, subscribe quota; for a co-building unit,
//! its contact's name, email and phone and its robot — loaded for the whole batch in a handful of
//! queries rather than per notification.

use std::collections::HashMap;

use sqlx::Row;

use super::{Addressee, Notification};
use crate::db::Db;

/// One recipient's delivery facts.
#[derive(Debug, Clone, Default)]
pub struct Recipient {
    /// User id.
    pub id: i64,
    /// WeChat openid.
    pub openid: String,
    /// Display name.
    pub display_name: String,
    /// Email address.
    pub email: Option<String>,
    /// Mobile number (for robot mentions).
    pub phone: Option<String>,
    /// WeCom robot keys of the grids this user leads.
    pub robot_keys: Vec<String>,
    /// (kind, channel) pairs the user switched off.
    pub disabled: Vec<(String, String)>,
    /// Remaining subscribe-message sends per template.
    pub quota: HashMap<String, i64>,
    /// The language they read (their profile's; Chinese unless they chose English).
    pub lang: crate::Lang,
}

impl Recipient {
    /// Whether the user switched `channel` off for `kind`.
    pub fn has_disabled(&self, kind: super::NotificationKind, channel: &str) -> bool {
        let Some(group) = kind.preference_group() else {
            return false;
        };
        self.disabled.iter().any(|(k, c)| k == group && c == channel)
    }
}

/// The recipients of one batch: users and co-building units, each by their own ids.
#[derive(Debug, Default)]
pub struct Batch {
    users: HashMap<i64, Recipient>,
    units: HashMap<i64, Recipient>,
}

impl Batch {
    /// The recipient of `n`, as its kind addresses it; `None` when it no longer exists.
    pub fn of(&self, n: &Notification) -> Option<&Recipient> {
        match n.kind.addressee() {
            Addressee::User => self.users.get(&n.recipient_id),
            Addressee::Unit => self.units.get(&n.recipient_id),
        }
    }
}

/// Loads the recipients of a batch of notifications.
pub async fn for_batch(db: &Db, batch: &[Notification]) -> Result<Batch, sqlx::Error> {
    let ids = |who: Addressee| -> Vec<i64> {
        let of = batch.iter().filter(|n| n.kind.addressee() == who);
        of.map(|n| n.recipient_id).collect()
    };
    Ok(Batch {
        users: load(db, &ids(Addressee::User)).await?,
        units: load_units(db, &ids(Addressee::Unit)).await?,
    })
}

/// Loads co-building units as recipients: the contact's name, email and phone (for the robot's
/// mention), and the unit's robot. A unit has no WeChat account, preferences or quota.
pub async fn load_units(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Recipient>, sqlx::Error> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id, contact_name, contact_email, contact_phone, wecom_robot_key FROM cobuild_units WHERE id IN ({})",
        placeholders(ids.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in &ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(db.pool()).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let unit = Recipient {
                id: r.get(0),
                display_name: r.get(1),
                email: Some(r.get(2)),
                phone: Some(r.get(3)),
                robot_keys: r.get::<Option<String>, _>(4).into_iter().collect(),
                ..Default::default()
            };
            (unit.id, unit)
        })
        .collect())
}

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Loads the recipients with these ids (unknown ids are simply absent).
pub async fn load(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Recipient>, sqlx::Error> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let list = placeholders(ids.len());
    let queries = [
        format!("SELECT id, openid, display_name, email, phone, language FROM users WHERE id IN ({list})"),
        format!(
            "SELECT leader_user_id, wecom_robot_key FROM grids WHERE leader_user_id IN ({list}) \
             AND wecom_robot_key IS NOT NULL"
        ),
        format!(
            "SELECT user_id, kind, channel FROM notification_preferences WHERE enabled = 0 AND user_id IN ({list})"
        ),
        format!("SELECT user_id, template_id, remaining FROM subscription_quotas WHERE user_id IN ({list})"),
    ];
    let mut results = Vec::new();
    for sql in queries {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            q = q.bind(*id);
        }
        results.push(q.fetch_all(db.pool()).await?);
    }
    for r in &results[0] {
        let id: i64 = r.get(0);
        let recipient = Recipient {
            id,
            openid: r.get(1),
            display_name: r.get(2),
            email: r.get(3),
            phone: r.get(4),
            lang: r
                .get::<Option<String>, _>(5)
                .as_deref()
                .and_then(crate::Lang::parse)
                .unwrap_or_default(),
            ..Default::default()
        };
        out.insert(id, recipient);
    }
    for r in &results[1] {
        if let Some(rec) = out.get_mut(&r.get::<i64, _>(0)) {
            rec.robot_keys.push(r.get(1));
        }
    }
    for r in &results[2] {
        if let Some(rec) = out.get_mut(&r.get::<i64, _>(0)) {
            rec.disabled.push((r.get(1), r.get(2)));
        }
    }
    for r in &results[3] {
        if let Some(rec) = out.get_mut(&r.get::<i64, _>(0)) {
            rec.quota.insert(r.get(1), r.get(2));
        }
    }
    Ok(out)
}
