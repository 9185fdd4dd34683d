//! Operations: readiness means writable, answered quickly; admin retries; the phone code check;
//! invisible text and out-of-range offsets.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, Engine, TestApp};

both_engines!(readiness_means_the_database_takes_writes, readiness);
async fn readiness(app: TestApp) {
    app.call("GET", "/readyz", None, None).await.expect(200);
    // Another writer holds the database (SQLite) or the probe's table (PostgreSQL).
    let mut holder = app.db.pool().acquire().await.unwrap();
    let lock = match app.engine {
        Engine::Sqlite => vec!["BEGIN IMMEDIATE"],
        Engine::Postgres => vec!["BEGIN", "LOCK TABLE readiness IN EXCLUSIVE MODE"],
    };
    for sql in lock {
        sqlx::query(sql).execute(&mut *holder).await.unwrap();
    }
    let started = Instant::now();
    app.call("GET", "/readyz", None, None)
        .await
        .expect_error(503, "not_ready");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered in {:?}",
        started.elapsed()
    );
    sqlx::query("ROLLBACK").execute(&mut *holder).await.unwrap();
    drop(holder);
    app.call("GET", "/readyz", None, None).await.expect(200);
}

both_engines!(admins_retry_only_dead_or_skipped, admin_retry);
async fn admin_retry(app: TestApp) {
    let c = Community::seed(&app).await;
    let body = json!({ "title": "急需帮助", "description": "", "category": "other", "urgency": "urgent" });
    app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
    let list = app.get("/api/v1/admin/notifications", &c.admin.token).await.expect(200);
    let id = list[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/notifications/{id}/retry");
    app.call("POST", &path, Some(&c.admin.token), None)
        .await
        .expect_error(409, "not_retryable");
    // A worker claimed it twice and gave up: dead after attempts, with claims on record.
    sqlx::query("UPDATE notifications SET status = 'dead', attempts = 3, claims = 3 WHERE id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let retried = app.call("POST", &path, Some(&c.admin.token), None).await.expect(200);
    assert_eq!(retried["status"], "pending");
    app.call("POST", &path, Some(&c.admin.token), None)
        .await
        .expect_error(409, "not_retryable");
    // The next claim is a fresh one, not the rescue of a crashed worker's batch.
    use microwish_core::Clock;
    let now = app.clock.now_ms();
    let claimed = microwish_core::notify::queue::claim(&app.db, "test-worker", now, now + 60_000, 100)
        .await
        .unwrap();
    let n = claimed.iter().find(|n| n.id == id).expect("claimed");
    assert!(!n.rescued(), "an admin's retry is not a rescue");
}

both_engines!(phone_codes_and_invisible_text_are_checked_at_the_edge, edge_checks);
async fn edge_checks(app: TestApp) {
    let c = Community::seed(&app).await;
    for code in ["", "   ", "bad code!", &"x".repeat(200)] {
        app.post("/api/v1/me/phone", &c.owner.token, json!({ "code": code }))
            .await
            .expect_error(422, "invalid_code");
    }
    for title in ["\u{200B}\u{200B}", "\u{202E}\u{2066}", "\u{FEFF}"] {
        let body = json!({ "title": title, "description": "", "category": "errand" });
        app.post("/api/v1/wishes", &c.owner.token, body)
            .await
            .expect_error(422, "invalid_field");
    }
    let body = json!({ "title": "买药\u{202E}gpj.exe", "description": "\u{2067}请\u{2069}帮忙", "category": "errand" });
    let wish = app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
    assert_eq!(wish["title"], "买药gpj.exe", "bidi overrides are not stored");
    assert_eq!(wish["description"], "请帮忙");
    // The OpenAPI contract: an absent optional field is left out (never a null the schema does
    // not allow), and WeChat's failures on /me/phone are documented (5XX).
    let fields = wish.as_object().unwrap();
    assert!(
        !fields.contains_key("volunteer_id") && !fields.contains_key("due_at"),
        "{wish}"
    );
    let spec = app.call("GET", "/openapi.json", None, None).await.expect(200);
    assert!(
        spec["paths"]["/me/phone"]["post"]["responses"]["5XX"].is_object(),
        "5XX documented"
    );
    let body =
        json!({ "title": "买药", "description": "", "category": "errand", "due_at": "2099-01-01T08:00:00+24:00" });
    app.post("/api/v1/wishes", &c.owner.token, body)
        .await
        .expect_error(422, "invalid_field");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demos_printed_sign_in_works_as_printed() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let script = microwish::demo::sign_in_commands(&app.base, &app.stub.base_url()).join("\n");
    let run = script.clone();
    let out = tokio::task::spawn_blocking(move || std::process::Command::new("sh").arg("-c").arg(run).output())
        .await
        .unwrap()
        .expect("sh and curl");
    let text = String::from_utf8_lossy(&out.stdout);
    let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}\n{script}"));
    assert_eq!(body["token"].as_str().map(str::len), Some(64), "{body}");
}
