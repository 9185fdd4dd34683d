//! The service routes (health, readiness, metrics, OpenAPI, docs), login, profile and sessions.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

both_engines!(service_routes_answer, service_routes);
async fn service_routes(app: TestApp) {
    let healthz = app.call("GET", "/healthz", None, None).await.expect(200);
    assert_eq!(healthz["status"], "ok");
    assert_eq!(
        app.call("GET", "/readyz", None, None).await.expect(200)["database"],
        "ok"
    );
    // The document and the page are built by the first requests that reach them: racing ones
    // all get the same whole document.
    let firsts = futures::future::join_all((0..4).map(|_| app.call("GET", "/openapi.json", None, None))).await;
    let specs: Vec<_> = firsts.into_iter().map(|a| a.expect(200)).collect();
    assert!(specs.iter().all(|s| *s == specs[0]), "one document");
    assert!(
        specs[0]["paths"]["/wishes/{id}/claim"]["post"].is_object(),
        "claim documented"
    );
    let docs = app.client.get(format!("{}/docs", app.base)).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    let page = docs.text().await.unwrap();
    assert!(
        page.contains("SwaggerUIBundle") && page.contains("/wishes/{id}/claim"),
        "the UI with the document inlined"
    );
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("microwish_http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("microwish_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    let answer = app.call("GET", "/no/such/route", None, None).await;
    answer.expect_error(404, "not_found");
}

both_engines!(login_maps_wechat_errors, login_errors);
async fn login_errors(app: TestApp) {
    let code = app.stub.issue_login_code("someone");
    let first = app
        .call("POST", "/api/v1/auth/wechat", None, Some(json!({ "code": code })))
        .await
        .expect(200);
    assert_eq!(first["user"]["roles"], json!(["resident"]));
    assert!(!first.to_string().contains("session_key"));
    // Single use: the same code again is 401 invalid_code (40163 from WeChat).
    let again = app
        .call("POST", "/api/v1/auth/wechat", None, Some(json!({ "code": code })))
        .await;
    again.expect_error(401, "invalid_code");
    app.call("POST", "/api/v1/auth/wechat", None, Some(json!({ "code": "made-up" })))
        .await
        .expect_error(401, "invalid_code");
    let busy = app.stub.fail_next_login(-1);
    app.call("POST", "/api/v1/auth/wechat", None, Some(json!({ "code": busy })))
        .await
        .expect_error(503, "wechat_busy");
    let blocked = app.stub.fail_next_login(48001);
    app.call("POST", "/api/v1/auth/wechat", None, Some(json!({ "code": blocked })))
        .await
        .expect_error(502, "wechat_error");
    // Signing in twice is the same user.
    let second = app.login("someone").await;
    assert_eq!(second.id, first["user"]["id"].as_i64().unwrap());
}

both_engines!(sessions_expire, session_expiry);
async fn session_expiry(app: TestApp) {
    let user = app.login("sleepy").await;
    app.get("/api/v1/me", &user.token).await.expect(200);
    app.clock.advance_ms(31 * 86_400_000);
    app.get("/api/v1/me", &user.token)
        .await
        .expect_error(401, "unauthenticated");
}

both_engines!(profiles_bind_phones_and_subscriptions, profile);
async fn profile(app: TestApp) {
    let c = Community::seed(&app).await;
    let me = app.get("/api/v1/me", &c.owner.token).await.expect(200);
    assert_eq!(me["phone"], "13812345678");
    assert_eq!(me["grid_id"], c.grid_a);

    let code = app.stub.issue_phone_code("13987654321");
    let bound = app
        .post("/api/v1/me/phone", &c.owner.token, json!({ "code": code }))
        .await
        .expect(200);
    assert_eq!(bound["phone"], "13987654321");
    app.post("/api/v1/me/phone", &c.owner.token, json!({ "code": code }))
        .await
        .expect_error(422, "invalid_code");

    let unknown = json!({ "results": { "not-ours": "accept" } });
    app.post("/api/v1/me/subscriptions", &c.owner.token, unknown)
        .await
        .expect_error(422, "unknown_template");

    let grids = app.get("/api/v1/grids", &c.owner.token).await.expect(200);
    assert_eq!(grids.as_array().unwrap().len(), 2);
    let categories = app.call("GET", "/api/v1/categories", None, None).await.expect(200);
    assert!(
        categories
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "medicine" && c["label_zh"] == "买药取药")
    );
}

both_engines!(subscription_choices_feed_the_quota, subscriptions, |s| s
    .wechat
    .templates
    .set(microwish_core::NotificationKind::WishClaimed, "TPL-CLAIMED"));
async fn subscriptions(app: TestApp) {
    let user = app.login("subscriber").await;
    for _ in 0..2 {
        app.post(
            "/api/v1/me/subscriptions",
            &user.token,
            json!({ "results": { "TPL-CLAIMED": "accept" } }),
        )
        .await
        .expect(200);
    }
    let quota = app
        .post(
            "/api/v1/me/subscriptions",
            &user.token,
            json!({ "results": { "TPL-CLAIMED": "reject" } }),
        )
        .await
        .expect(200);
    assert_eq!(quota["remaining"]["TPL-CLAIMED"], 2);
    let quota = app
        .post(
            "/api/v1/me/subscriptions",
            &user.token,
            json!({ "results": { "TPL-CLAIMED": "ban" } }),
        )
        .await
        .expect(200);
    assert_eq!(quota["remaining"]["TPL-CLAIMED"], 0);
    let bad = json!({ "results": { "TPL-CLAIMED": "maybe" } });
    app.post("/api/v1/me/subscriptions", &user.token, bad)
        .await
        .expect_error(422, "invalid_field");
}
