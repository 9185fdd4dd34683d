//! Rate limits: per client IP (with trusted proxies), per user, sign-in, invitations — in
//! memory — and posting, urgent posting and check-in guesses counted in the database, so they
//! hold across two servers on one database. Each refusal is 429 `rate_limited` + `Retry-After`.

use microwish_core::{Clock, Settings};
use serde_json::json;

use super::second_server;
use crate::both_engines;
use crate::helpers::{Answer, Community, Engine, TestApp};

const HOUR: i64 = 3_600_000;

/// Limits on, generous everywhere but where a test narrows them.
fn limited(s: &mut Settings) {
    s.limits.enabled = true;
    s.limits.per_ip_per_minute = 10_000;
    s.limits.per_user_per_minute = 10_000;
    s.limits.sign_in_per_ip_per_minute = 1000;
}

#[track_caller]
fn expect_limited(answer: Answer, retry_after: Option<&reqwest::header::HeaderValue>) {
    let seconds: u64 = retry_after
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(seconds >= 1, "Retry-After {seconds}");
    answer.expect_error(429, "rate_limited");
}

/// Sends a GET from `forwarded_for` (as a proxy would write it) and returns the answer and its
/// Retry-After.
async fn get_as(
    app: &TestApp,
    path: &str,
    forwarded_for: Option<&str>,
) -> (Answer, Option<reqwest::header::HeaderValue>) {
    let mut req = app.client.get(format!("{}{path}", app.base));
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    let resp = req.send().await.unwrap();
    let retry = resp.headers().get("retry-after").cloned();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_default();
    (Answer { status, body, text }, retry)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_ip_limits_ignore_forwarded_for_from_strangers() {
    let app = TestApp::spawn_with(Engine::Sqlite, |s| {
        limited(s);
        s.limits.per_ip_per_minute = 3;
    })
    .await;
    for i in 0..3 {
        // A client may write any X-Forwarded-For it likes: from an untrusted peer it is ignored.
        let (answer, _) = get_as(&app, "/api/v1/categories", Some(&format!("198.51.100.{i}"))).await;
        answer.expect(200);
    }
    let (answer, retry) = get_as(&app, "/api/v1/categories", Some("198.51.100.77")).await;
    expect_limited(answer, retry.as_ref());
    // Probes are never limited.
    get_as(&app, "/healthz", None).await.0.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let app = TestApp::spawn_with(Engine::Sqlite, |s| {
        limited(s);
        s.limits.per_ip_per_minute = 2;
        s.server.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await;
    for _ in 0..2 {
        get_as(&app, "/api/v1/categories", Some("203.0.113.7"))
            .await
            .0
            .expect(200);
    }
    let (answer, retry) = get_as(&app, "/api/v1/categories", Some("203.0.113.7")).await;
    expect_limited(answer, retry.as_ref());
    // Prepending an address does not help: the proxy's own entry (the rightmost) counts.
    let (answer, retry) = get_as(&app, "/api/v1/categories", Some("10.9.9.9, 203.0.113.7")).await;
    expect_limited(answer, retry.as_ref());
    get_as(&app, "/api/v1/categories", Some("203.0.113.8"))
        .await
        .0
        .expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_per_ip_and_requests_per_user_are_limited() {
    let app = TestApp::spawn_with(Engine::Sqlite, |s| {
        limited(s);
        s.limits.sign_in_per_ip_per_minute = 2;
        s.limits.per_user_per_minute = 3;
    })
    .await;
    let busy = app.login("busy").await;
    let calm = app.login("calm").await;
    let code = app.stub.issue_login_code("third");
    let third = app
        .call("POST", "/api/v1/auth/wechat", None, Some(json!({ "code": code })))
        .await;
    third.expect_error(429, "rate_limited");
    for _ in 0..3 {
        app.get("/api/v1/me", &busy.token).await.expect(200);
    }
    app.get("/api/v1/me", &busy.token)
        .await
        .expect_error(429, "rate_limited");
    app.get("/api/v1/me", &calm.token).await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_per_user_are_limited() {
    let app = TestApp::spawn_with(Engine::Sqlite, |s| {
        limited(s);
        s.limits.invitations_per_user_per_hour = 2;
    })
    .await;
    let c = Community::seed(&app).await;
    let starts = microwish_core::clock::rfc3339(app.clock.now_ms() + 48 * HOUR);
    let ends = microwish_core::clock::rfc3339(app.clock.now_ms() + 50 * HOUR);
    let event = app
        .post(
            "/api/v1/events",
            &c.admin.token,
            json!({ "title": "志愿服务日", "description": "", "location": "活动室", "starts_at": starts, "ends_at": ends }),
        )
        .await
        .expect(201);
    let path = format!("/api/v1/events/{}/invitations", event["id"]);
    for _ in 0..2 {
        app.post(&path, &c.admin.token, json!({ "user_ids": [c.owner.id] }))
            .await
            .expect(200);
    }
    app.post(&path, &c.admin.token, json!({ "user_ids": [c.owner.id] }))
        .await
        .expect_error(429, "rate_limited");
}

both_engines!(posting_limits_hold_across_servers, posting_across_servers, |s| {
    super::limited(s);
    s.limits.wishes_per_user_per_hour = 3;
    s.limits.urgent_wishes_per_user_per_day = 1;
});
async fn posting_across_servers(app: TestApp) {
    let c = Community::seed(&app).await;
    let (_other, other_base) = second_server(&app).await;
    let post = |base: String, urgency: &'static str| {
        let body = json!({ "title": "买药", "description": "请帮忙", "category": "medicine", "urgency": urgency });
        let req = app
            .client
            .post(format!("{base}/api/v1/wishes"))
            .bearer_auth(&c.owner.token)
            .json(&body);
        app.send(req)
    };
    post(app.base.clone(), "urgent").await.expect(201);
    post(other_base.clone(), "urgent")
        .await
        .expect_error(429, "rate_limited");
    post(app.base.clone(), "normal").await.expect(201);
    post(other_base.clone(), "normal")
        .await
        .expect_error(429, "rate_limited");
    assert_eq!(app.count("wishes").await, 2, "refused posts write nothing");
    app.clock.advance_ms(HOUR + 1000);
    post(other_base.clone(), "normal").await.expect(201);
    post(other_base.clone(), "urgent")
        .await
        .expect_error(429, "rate_limited");
    app.clock.advance_ms(24 * HOUR);
    post(app.base.clone(), "urgent").await.expect(201);
}

both_engines!(wrong_checkin_codes_lock_out_across_servers, checkin_lockout, |s| {
    super::limited(s);
    s.limits.checkin_wrong_codes = 3;
    s.limits.checkin_lockout = microwish_core::config::ConfigDuration(std::time::Duration::from_secs(900));
});
async fn checkin_lockout(app: TestApp) {
    let c = Community::seed(&app).await;
    let (_other, other_base) = second_server(&app).await;
    let starts = microwish_core::clock::rfc3339(app.clock.now_ms() + HOUR / 2);
    let ends = microwish_core::clock::rfc3339(app.clock.now_ms() + 3 * HOUR);
    let event = app
        .post(
            "/api/v1/events",
            &c.leader_a.token,
            json!({ "title": "志愿服务日", "description": "", "location": "活动室", "starts_at": starts, "ends_at": ends, "grid_id": c.grid_a }),
        )
        .await
        .expect(201);
    let id = event["id"].as_i64().unwrap();
    let code = event["checkin_code"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/v1/events/{id}/invitations"),
        &c.leader_a.token,
        json!({ "user_ids": [c.volunteer.id] }),
    )
    .await
    .expect(200);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let checkin = |base: &str, code: &str| {
        let req = app
            .client
            .post(format!("{base}/api/v1/events/{id}/checkin"))
            .bearer_auth(&c.volunteer.token)
            .json(&json!({ "code": code }));
        app.send(req)
    };
    checkin(&app.base, wrong).await.expect_error(422, "wrong_code");
    checkin(&other_base, wrong).await.expect_error(422, "wrong_code");
    checkin(&app.base, wrong).await.expect_error(422, "wrong_code");
    // Locked out on both servers, even with the right code.
    checkin(&other_base, &code).await.expect_error(429, "rate_limited");
    checkin(&app.base, &code).await.expect_error(429, "rate_limited");
    app.clock.advance_ms(16 * 60_000);
    checkin(&other_base, &code).await.expect(200);
}
