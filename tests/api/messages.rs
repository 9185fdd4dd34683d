//! Messages that reach people, in their language: every kind a resident, volunteer or leader must
//! hear as a WeChat subscribe message (template, keywords, page) and its fallbacks; the digests'
//! own words and figures; per-person language for notifications and API errors; which templates
//! to ask for next.

mod digests;
mod language;
mod subscriptions;
mod wechat;

use serde_json::{Value, json};

use microwish_core::NotificationKind::{self, *};
use microwish_core::Settings;

use crate::helpers::{TestApp, TestUser};

/// The kinds that have a template of their own in `config/default.toml`; every other person's
/// kind shares one of these (`same_as`).
pub const OWN_TEMPLATES: [NotificationKind; 10] = [
    WishClaimed,
    WishFulfilled,
    WishApproved,
    WishOverdue,
    EventInvitation,
    EventReminder,
    EventUpdate,
    VisitDue,
    Alert,
    Digest,
];

/// The template id the tests give `kind`'s own template.
pub fn template_id(kind: NotificationKind) -> String {
    format!("T-{kind}")
}

/// The defaults' mappings with an id for each, no quiet hours.
pub fn configure(s: &mut Settings) {
    crate::notifier::configure(s);
    for kind in OWN_TEMPLATES {
        s.wechat.templates.set_id(kind, &template_id(kind));
    }
}

/// Registers every configured template with the stub, with the keywords its mapping fills.
pub fn register_templates(app: &TestApp) {
    for kind in OWN_TEMPLATES {
        let mapping = app
            .state()
            .settings
            .wechat
            .templates
            .for_kind(kind)
            .expect("configured");
        app.stub.register_template(&mapping.id, &mapping.keywords());
    }
}

/// `user` accepts every template `times` times in the mini-program (our quota and WeChat's).
pub async fn subscribe_all(app: &TestApp, user: &TestUser, times: u32) {
    subscribe(app, user, &OWN_TEMPLATES, times).await;
}

/// `user` accepts the templates of `kinds` `times` times (our quota and WeChat's).
pub async fn subscribe(app: &TestApp, user: &TestUser, kinds: &[NotificationKind], times: u32) {
    let results: serde_json::Map<String, Value> = kinds.iter().map(|k| (template_id(*k), json!("accept"))).collect();
    for _ in 0..times {
        app.post("/api/v1/me/subscriptions", &user.token, json!({ "results": results }))
            .await
            .expect(200);
    }
    for kind in kinds {
        app.stub.grant_subscription(&user.openid, &template_id(*kind), times);
    }
}

/// The subscribe messages sent to `user` with `template`'s id, oldest first.
pub fn sent_to(app: &TestApp, user: &TestUser, template: NotificationKind) -> Vec<Value> {
    let id = template_id(template);
    app.stub
        .subscribe_messages()
        .into_iter()
        .filter(|m| m["touser"] == user.openid.as_str() && m["template_id"] == id.as_str())
        .collect()
}

/// The one message among `sent` whose keywords read these values.
#[track_caller]
pub fn with<'a>(sent: &'a [Value], values: &[(&str, &str)]) -> &'a Value {
    let found: Vec<&Value> = sent
        .iter()
        .filter(|m| values.iter().all(|(key, value)| m["data"][key]["value"] == *value))
        .collect();
    assert_eq!(found.len(), 1, "one message with {values:?} among {sent:#?}");
    found[0]
}
