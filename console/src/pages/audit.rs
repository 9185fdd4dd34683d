//! The audit log (admins): who saw whose contact details and every staff action, newest first,
//! filtered by kind, person and dates, a page at a time — the same `core::audit` reading the
//! API's `/admin/audit` answers. The filters are a GET form, so a filtered page can be bookmarked.

use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};

use microwish_core::audit::{self, Action, CONTACT_VIEW, Entry, FilterText, VOLUNTEER_CONTACT_VIEW};
use microwish_core::insight::tz;
use microwish_core::{CoreError, CoreResult};

use super::local_time;
use crate::guard::Signed;
use crate::i18n::Lang;
use crate::render::encode_query_value;
use crate::{ConsoleState, render};

/// Entries per page.
const PAGE: i64 = 50;

/// The filter form; every field optional, empty meaning "any".
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    kind: String,
    actor: String,
    from: String,
    to: String,
    cursor: String,
}

impl Params {
    fn filter(&self, state: &ConsoleState) -> CoreResult<audit::Filter> {
        let actor = match self.actor.trim() {
            "" => None,
            a => Some(
                a.parse()
                    .map_err(|_| CoreError::invalid("invalid_field", "actor: pick a person from the list"))?,
            ),
        };
        let text = FilterText {
            kind: Some(&self.kind),
            actor_id: actor,
            from: Some(&self.from),
            to: Some(&self.to),
            cursor: Some(&self.cursor),
            limit: Some(PAGE),
            ..Default::default()
        };
        text.parse(&tz(&state.settings))
    }

    /// This filter's query string, starting at `cursor`.
    fn link(&self, cursor: &str) -> String {
        let pairs = [
            ("kind", &self.kind),
            ("actor", &self.actor),
            ("from", &self.from),
            ("to", &self.to),
        ];
        let mut parts: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
            .collect();
        parts.push(format!("cursor={}", encode_query_value(cursor)));
        format!("/console/audit?{}", parts.join("&"))
    }
}

/// A kind's words: `audit_grid_create` for `grid.create`, `audit_grid` for the family.
fn label(t: &Value, kind: &str) -> String {
    t.get(format!("audit_{}", kind.replace('.', "_")))
        .and_then(Value::as_str)
        .unwrap_or(kind)
        .to_string()
}

/// The particulars as one line: `key: value` pairs, nested values as JSON.
fn detail_line(detail: &Value) -> String {
    let Some(map) = detail.as_object() else {
        return String::new();
    };
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}: {s}"),
            other => format!("{k}: {other}"),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Where an entry's subject has a console page.
fn subject_href(e: &Entry) -> Option<String> {
    let id = e.subject_id?;
    match e.subject_type.as_str() {
        "wish" => Some(format!("/console/wishes/{id}")),
        "event" => Some(format!("/console/events/{id}")),
        "grid" => Some(format!("/console/grids/{id}")),
        _ => None,
    }
}

fn entry_view(state: &ConsoleState, t: &Value, e: &Entry) -> Value {
    let subject = match (&e.subject_name, e.subject_id) {
        (Some(name), Some(id)) if !name.is_empty() => format!("{name} #{id}"),
        (_, Some(id)) => format!("#{id}"),
        _ => String::new(),
    };
    json!({
        "at": local_time(&state.settings, e.at),
        "kind": e.kind,
        "label": label(t, &e.kind),
        "reveal": e.is_contact_view(),
        "actor": e.actor_name.clone().filter(|n| !n.is_empty()).or(e.actor_id.map(|id| format!("#{id}"))),
        "subject_type": label(t, &format!("subject.{}", e.subject_type)),
        "subject": subject,
        "href": subject_href(e),
        // A reveal concerned a wish: its page, one click away.
        "wish": e.detail.get("wish_id").and_then(Value::as_i64),
        "detail": detail_line(&e.detail),
    })
}

/// GET /console/audit?kind=&actor=&from=&to=&cursor=
#[handler]
pub async fn page(req: &Request, state: Data<&ConsoleState>, signed: Signed, params: Query<Params>) -> Response {
    let state = *state;
    if !signed.caller.is_admin() {
        return render::error(state, req, StatusCode::FORBIDDEN, "not_permitted", None);
    }
    let loaded = async {
        let filter = params.filter(state)?;
        let mut conn = state.db.pool().acquire().await?;
        let page = audit::list(&mut conn, &signed.caller, &filter).await?;
        Ok::<_, CoreError>((page, audit::actors(&mut conn).await?))
    }
    .await;
    let (page, actors) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::core_error(state, req, err),
    };
    let t = render::words(state, Lang::of(req));
    let mut kinds: Vec<Value> = [CONTACT_VIEW, VOLUNTEER_CONTACT_VIEW]
        .iter()
        .map(|k| json!({ "value": k, "label": label(t, k) }))
        .collect();
    kinds.extend(
        Action::families()
            .into_iter()
            .map(|f| json!({ "value": f, "label": label(t, f) })),
    );
    let p = &params.0;
    let data = json!({
        "entries": page.items.iter().map(|e| entry_view(state, t, e)).collect::<Vec<_>>(),
        "next": page.next_cursor.as_deref().map(|c| p.link(c)),
        "paged": !p.cursor.is_empty(),
        "first": p.link(""),
        "kinds": kinds,
        "actors": actors.iter().map(|(id, name)| json!({ "id": id.to_string(), "name": name })).collect::<Vec<_>>(),
        "f": { "kind": p.kind, "actor": p.actor, "from": p.from, "to": p.to },
    });
    render::page(state, req, Some(&signed), "audit.html", data, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_family_and_subject_has_its_words() {
        let catalogs = crate::i18n::Catalogs::load();
        let mut kinds: Vec<String> = Action::ALL.iter().map(|a| a.as_str().to_string()).collect();
        kinds.extend(Action::families().into_iter().map(str::to_string));
        kinds.extend(audit::Subject::TYPES.iter().map(|s| format!("subject.{s}")));
        kinds.extend([CONTACT_VIEW, VOLUNTEER_CONTACT_VIEW].map(str::to_string));
        for lang in [Lang::Zh, Lang::En] {
            let t = catalogs.of(lang);
            for kind in &kinds {
                assert_ne!(label(t, kind), *kind, "no words for {kind} in {lang:?}");
            }
        }
    }

    #[test]
    fn particulars_read_as_one_line() {
        let d = json!({ "name": "周伯", "household_id": 3, "phone": null, "after": ["admin"] });
        assert_eq!(detail_line(&d), "after: [\"admin\"] · household_id: 3 · name: 周伯");
        assert_eq!(detail_line(&json!({})), "");
    }
}
