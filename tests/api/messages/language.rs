//! Each person reads their own language: `language` in the profile (zh-CN until chosen, en),
//! notifications rendered in it (email and WeChat values), and the API's error messages worded
//! in it — from the request's `Accept-Language` when no profile says otherwise. Codes never
//! change with the language.

use serde_json::{Value, json};

use microwish_core::NotificationKind::WishClaimed;
use microwish_testkit::smtp::SmtpCapture;

use super::{register_templates, sent_to, subscribe};
use crate::both_engines;
use crate::helpers::{Answer, Community, TestApp};
use crate::notifier::{email, worker};

async fn asking(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    accept: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.client.request(method, format!("{}{path}", app.base));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(accept) = accept {
        req = req.header("accept-language", accept);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    app.send(req).await
}

/// The error's code and message, after checking its status.
#[track_caller]
fn said(answer: Answer, status: u16) -> (String, String) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.text);
    let text = |k: &str| answer.body[k].as_str().unwrap_or_default().to_string();
    (text("code"), text("message"))
}

both_engines!(
    each_person_reads_their_own_language,
    language,
    crate::messages::configure
);
async fn language(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    register_templates(&app);
    let worker = worker(&app, &capture, |_| {});

    // The profile's language: Chinese until chosen; only zh-CN or en.
    let me = app.get("/api/v1/me", &c.owner.token).await.expect(200);
    assert_eq!(me["language"], "zh-CN");
    let me = app
        .put("/api/v1/me", &c.owner.token, json!({ "language": "en" }))
        .await
        .expect(200);
    assert_eq!(me["language"], "en");
    for bad in [json!("fr"), json!("EN"), json!(""), json!(7)] {
        let answer = app.put("/api/v1/me", &c.owner.token, json!({ "language": bad })).await;
        assert!(matches!(answer.status.as_u16(), 400 | 422), "{bad}: {}", answer.text);
    }
    let refused = app.put("/api/v1/me", &c.owner.token, json!({ "language": "fr" })).await;
    assert_eq!(refused.body["detail"], "language: zh-CN or en", "{}", refused.text);
    assert_eq!(
        said(refused, 422),
        (
            "invalid_field".into(),
            "Please check the language: it is not acceptable.".into()
        )
    );
    let me = app.get("/api/v1/me", &c.owner.token).await.expect(200);
    assert_eq!(me["language"], "en", "a refused change changes nothing");

    // API errors: the same code, in the caller's language; the profile wins over the header.
    let wish = app.wish(&c.owner, "帮忙买药").await["id"].as_i64().unwrap();
    let claim = format!("/api/v1/wishes/{wish}/claim");
    let own = asking(&app, "POST", &claim, Some(&c.owner.token), Some("zh-CN"), None).await;
    assert_eq!(said(own, 403), ("not_permitted".into(), "You may not do this.".into()));
    let chinese = asking(&app, "POST", &claim, Some(&c.other_resident.token), None, None).await;
    assert_eq!(
        said(chinese, 403),
        ("not_permitted".into(), "您没有权限这样做。".into())
    );
    let header = asking(
        &app,
        "POST",
        &claim,
        Some(&c.other_resident.token),
        Some("en-GB,en;q=0.9"),
        None,
    )
    .await;
    assert_eq!(
        said(header, 403).1,
        "You may not do this.",
        "no profile choice: the header decides"
    );
    app.put("/api/v1/me", &c.volunteer2.token, json!({ "language": "zh-CN" }))
        .await
        .expect(200);
    let chosen = asking(
        &app,
        "GET",
        "/api/v1/wishes/999999",
        Some(&c.volunteer2.token),
        Some("en"),
        None,
    )
    .await;
    assert_eq!(said(chosen, 404), ("not_found".into(), "没有找到您要的内容。".into()));
    // The language is kept beside the cached caller; choosing another is seen at once.
    app.put("/api/v1/me", &c.volunteer2.token, json!({ "language": "en" }))
        .await
        .expect(200);
    let changed = asking(
        &app,
        "GET",
        "/api/v1/wishes/999999",
        Some(&c.volunteer2.token),
        None,
        None,
    )
    .await;
    assert_eq!(
        said(changed, 404),
        ("not_found".into(), "We could not find that.".into())
    );

    // Without a session: Accept-Language alone, Chinese unless English comes first.
    let post = json!({ "title": "x", "description": "y", "category": "errand" });
    for (accept, message) in [
        (Some("en-US,en;q=0.9"), "Please sign in first."),
        (Some("zh-CN,zh;q=0.9,en;q=0.8"), "请先登录。"),
        (None, "请先登录。"),
    ] {
        let answer = asking(&app, "POST", "/api/v1/wishes", None, accept, Some(post.clone())).await;
        assert_eq!(
            said(answer, 401),
            ("unauthenticated".into(), message.into()),
            "{accept:?}"
        );
    }
    let nowhere = asking(&app, "GET", "/api/v1/nowhere", None, Some("en"), None).await;
    assert_eq!(said(nowhere, 404).1, "We could not find that.");
    let garbled = app
        .send(
            app.client
                .post(format!("{}/api/v1/me/subscriptions", app.base))
                .bearer_auth(&c.owner.token)
                .header("content-type", "application/json")
                .body("{"),
        )
        .await;
    assert_eq!(
        said(garbled, 400),
        ("malformed".into(), "The request is not well formed.".into())
    );

    // Notifications: the claim by WeChat in English values (the status word stays Chinese, the
    // only thing WeChat takes there), then the fulfilment by email in English.
    subscribe(&app, &c.owner, &[WishClaimed], 1).await;
    email(&app, &c.owner, "owner@example.com").await;
    email(&app, &c.other_resident, "li@example.com").await;
    app.act(&c.volunteer, wish, "claim", None).await.expect(200);
    app.act(&c.volunteer, wish, "fulfil", Some(json!({ "note": "done" })))
        .await
        .expect(200);
    let his = app.wish(&c.other_resident, "修灯").await["id"].as_i64().unwrap();
    app.act(&c.volunteer2, his, "claim", None).await.expect(200);
    while worker.run_once().await.unwrap() > 0 {}
    let sent = sent_to(&app, &c.owner, WishClaimed);
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0]["lang"], "en_US");
    assert_eq!(sent[0]["data"]["thing4"]["value"], "Your wish is claimed");
    assert_eq!(sent[0]["data"]["phrase2"]["value"], "已认领");
    let mails = capture.messages();
    let subject_to = |to: &str| -> Vec<String> {
        mails
            .iter()
            .filter(|m| m.to == [to])
            .filter_map(|m| m.subject())
            .collect()
    };
    let hers = subject_to("owner@example.com");
    assert!(
        hers.iter()
            .any(|s| s.contains("Your wish “帮忙买药” is done, please confirm")),
        "{hers:?}"
    );
    let text = mails
        .iter()
        .find(|m| m.to == ["owner@example.com"])
        .unwrap()
        .text()
        .unwrap();
    assert!(text.starts_with("Hello"), "{text}");
    let his = subject_to("li@example.com");
    assert!(his.iter().any(|s| s.contains("您的心愿「修灯」已被认领")), "{his:?}");
}
