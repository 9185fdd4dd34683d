//! `[wechat.templates]`: per notification kind, the subscribe-message template it is sent with.
//! Each entry is a bare template id (the classic keywords `thing1` title, `phrase2` status,
//! `time3` time, `thing4` note), a table `{ id, data = { keyword = "value" }, page }`, or
//! `{ same_as = "other_kind" }` to share another kind's template — and with it the person's
//! one-time quota, so one "accept" covers every kind that uses it. Checked at start: a keyword
//! WeChat does not know, a value it would refuse there (47003), a work-group kind (those go to the
//! WeCom robot only), a co-building unit's kind (its contact hears by email) or a `same_as` that leads nowhere fails naming the entry.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::notify::template::{MessageValue, TemplateMapping, keyword_prefix};
use crate::notify::{Addressee, Audience, NotificationKind};

/// Every kind's template, as configured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "BTreeMap<String, RawEntry>")]
pub struct WechatTemplates {
    entries: BTreeMap<NotificationKind, Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Own(TemplateMapping),
    SameAs(NotificationKind),
}

impl WechatTemplates {
    /// The template `kind` is sent with, if one with an id is configured (following `same_as`).
    pub fn for_kind(&self, kind: NotificationKind) -> Option<&TemplateMapping> {
        let own = match self.entries.get(&kind)? {
            Entry::Own(mapping) => mapping,
            Entry::SameAs(other) => match self.entries.get(other)? {
                Entry::Own(mapping) => mapping,
                Entry::SameAs(_) => return None,
            },
        };
        (!own.id.is_empty()).then_some(own)
    }

    /// Gives `kind` its own template (tests, `demo`); kinds that share it follow.
    pub fn set(&mut self, kind: NotificationKind, mapping: impl Into<TemplateMapping>) {
        self.entries.insert(kind, Entry::Own(mapping.into()));
    }

    /// Sets the id of the template `kind` is sent with — its own, or the one it shares — keeping
    /// its keywords and page (tests, `demo`: the defaults' mappings with ids filled in).
    pub fn set_id(&mut self, kind: NotificationKind, id: &str) {
        let owner = match self.entries.get(&kind) {
            Some(Entry::SameAs(other)) => *other,
            _ => kind,
        };
        match self.entries.get_mut(&owner) {
            Some(Entry::Own(mapping)) => mapping.id = id.to_string(),
            _ => self.set(owner, id),
        }
    }

    /// Every configured template id, once each, sorted.
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = NotificationKind::ALL
            .into_iter()
            .filter_map(|k| self.for_kind(k))
            .map(|m| m.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// One entry as written: a bare id, or a table.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawEntry {
    Id(String),
    // The environment provider reads an all-digit value as a number.
    Number(i64),
    Table(RawTable),
}

#[derive(Deserialize)]
struct RawTable {
    id: Option<String>,
    data: Option<BTreeMap<String, String>>,
    page: Option<String>,
    same_as: Option<String>,
    // Caught here rather than refused by serde, whose refusal inside an untagged enum names nothing.
    #[serde(flatten)]
    unknown: BTreeMap<String, serde::de::IgnoredAny>,
}

impl TryFrom<BTreeMap<String, RawEntry>> for WechatTemplates {
    type Error = String;

    fn try_from(raw: BTreeMap<String, RawEntry>) -> Result<Self, String> {
        let mut entries = BTreeMap::new();
        for (name, entry) in &raw {
            let fail = |why: String| format!("wechat.templates.{name}: {why}");
            let kind: NotificationKind = name
                .parse()
                .map_err(|e: crate::notify::UnknownKind| fail(e.to_string()))?;
            if kind.audience() == Audience::WorkGroup {
                return Err(fail("goes to a work group's WeCom robot, never by WeChat".into()));
            }
            if kind.addressee() == Addressee::Unit {
                return Err(fail(
                    "goes to a co-building unit's contact by email, never by WeChat".into(),
                ));
            }
            let entry = match entry {
                RawEntry::Id(id) => Entry::Own(TemplateMapping::classic(id.trim())),
                RawEntry::Number(id) => Entry::Own(TemplateMapping::classic(id.to_string())),
                RawEntry::Table(table) => table_entry(table, &raw).map_err(fail)?,
            };
            entries.insert(kind, entry);
        }
        Ok(Self { entries })
    }
}

fn table_entry(table: &RawTable, all: &BTreeMap<String, RawEntry>) -> Result<Entry, String> {
    if let Some(key) = table.unknown.keys().next() {
        return Err(format!("unknown key `{key}` (id, data, page or same_as)"));
    }
    if let Some(other) = &table.same_as {
        if table.id.is_some() || table.data.is_some() || table.page.is_some() {
            return Err("same_as stands alone: the shared kind's id, data and page apply".into());
        }
        let target: NotificationKind = other.parse().map_err(|e: crate::notify::UnknownKind| e.to_string())?;
        return match all.get(other) {
            Some(RawEntry::Table(t)) if t.same_as.is_some() => {
                Err(format!("same_as `{other}`, which itself shares another's template"))
            }
            Some(_) => Ok(Entry::SameAs(target)),
            None => Err(format!("same_as `{other}`, which has no template of its own")),
        };
    }
    let mut mapping = TemplateMapping::classic(table.id.as_deref().unwrap_or("").trim());
    if let Some(data) = &table.data {
        mapping.data = keywords(data)?;
    }
    if let Some(page) = &table.page {
        let page = page.trim();
        if page.is_empty() || page.starts_with('/') || page.len() > 512 || page.chars().any(char::is_whitespace) {
            return Err(format!(
                "page `{page}` must be a mini-program path like pages/wish/detail?id={{id}}"
            ));
        }
        mapping.page = Some(page.to_string());
    }
    Ok(Entry::Own(mapping))
}

fn keywords(data: &BTreeMap<String, String>) -> Result<Vec<(String, MessageValue)>, String> {
    if data.is_empty() {
        return Err("data needs at least one keyword".into());
    }
    let names: Vec<&str> = MessageValue::ALL.iter().map(|v| v.as_str()).collect();
    data.iter()
        .map(|(keyword, value)| {
            let prefix = keyword_prefix(keyword)
                .ok_or_else(|| format!("data.{keyword}: not a WeChat keyword (thing1, time2, phrase3, number4, …)"))?;
            let value = MessageValue::parse(value)
                .ok_or_else(|| format!("data.{keyword}: `{value}` is not one of {}", names.join(", ")))?;
            if !value.fits(prefix) {
                return Err(format!(
                    "data.{keyword}: WeChat refuses `{value}` in a `{prefix}` keyword"
                ));
            }
            Ok((keyword.clone(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use NotificationKind::*;

    fn parse(config: serde_json::Value) -> Result<WechatTemplates, String> {
        serde_json::from_value(config).map_err(|e| e.to_string())
    }

    #[test]
    fn kinds_share_a_template_and_an_id_alone_is_classic() {
        let t = parse(serde_json::json!({
            "wish_claimed": "TC",
            "wish_assigned": { "same_as": "wish_claimed" },
            "event_update": { "id": "TE", "data": { "thing1": "title", "time2": "time", "thing3": "location" },
                "page": "pages/event/detail?id={id}" },
            "event_cancelled": { "same_as": "event_update" },
            "wish_approved": { "id": "" },
        }))
        .unwrap();
        assert_eq!(t.for_kind(WishAssigned).map(|m| m.id.as_str()), Some("TC"));
        assert_eq!(
            t.for_kind(WishAssigned).unwrap().keywords(),
            ["thing1", "phrase2", "time3", "thing4"]
        );
        assert_eq!(
            t.for_kind(EventCancelled).unwrap().keywords(),
            ["thing1", "thing3", "time2"]
        );
        assert_eq!(t.for_kind(WishApproved), None, "an empty id is no WeChat");
        assert_eq!(t.for_kind(Digest), None);
        assert_eq!(t.ids(), ["TC", "TE"]);
        let mut t = t;
        t.set(WishClaimed, "TX");
        assert_eq!(t.for_kind(WishAssigned).unwrap().id, "TX", "sharing follows the change");
    }

    #[test]
    fn what_wechat_would_refuse_is_refused_at_start_naming_the_entry() {
        let bad = [
            (
                serde_json::json!({ "wish_teleported": "T" }),
                "wechat.templates.wish_teleported",
            ),
            (serde_json::json!({ "grid_alert": "T" }), "WeCom robot"),
            (serde_json::json!({ "project_proposed": "T" }), "co-building unit"),
            (
                serde_json::json!({ "wish_claimed": { "id": "T", "data": { "phrase1": "title" } } }),
                "data.phrase1",
            ),
            (
                serde_json::json!({ "wish_claimed": { "id": "T", "data": { "colour1": "title" } } }),
                "not a WeChat keyword",
            ),
            (
                serde_json::json!({ "wish_claimed": { "id": "T", "data": { "thing1": "mood" } } }),
                "`mood`",
            ),
            (
                serde_json::json!({ "wish_claimed": { "id": "T", "data": {} } }),
                "at least one",
            ),
            (
                serde_json::json!({ "wish_claimed": { "id": "T", "pgae": "x" } }),
                "unknown key `pgae`",
            ),
            (
                serde_json::json!({ "wish_claimed": { "id": "T", "page": "/pages/x" } }),
                "mini-program path",
            ),
            (
                serde_json::json!({ "wish_assigned": { "same_as": "wish_claimed" } }),
                "no template of its own",
            ),
            (
                serde_json::json!({ "alert": "T", "wish_review": { "same_as": "alert" },
                    "residence_request": { "same_as": "wish_review" } }),
                "itself shares",
            ),
            (
                serde_json::json!({ "alert": "T", "wish_review": { "same_as": "alert", "id": "X" } }),
                "stands alone",
            ),
        ];
        for (config, expected) in bad {
            let err = parse(config.clone()).unwrap_err();
            assert!(err.contains(expected), "{config}: {err}");
        }
    }
}
