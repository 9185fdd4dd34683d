//! Scale-out for real: two `microwish serve` processes and two `microwish notifier` processes on
//! one PostgreSQL. A token from one server works on the other, claims raced across both have one
//! winner each, and every notification is delivered exactly once.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use microwish_core::people::Role;
use microwish_testkit::smtp::SmtpCapture;

use crate::helpers::{APPID, Engine, SECRET, TestApp};
use crate::workers::{received, spawn_worker, terminate};

/// Child processes stopped when the test ends, even by a failed assertion.
struct Reap(Vec<Child>);

impl Drop for Reap {
    fn drop(&mut self) {
        self.0.drain(..).for_each(terminate);
    }
}

/// A free local port (bound, read, released: the server binds it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `microwish serve` on the app's database without its in-process worker.
fn spawn_server(app: &TestApp, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_microwish"))
        .arg("serve")
        .env("MICROWISH__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("MICROWISH__DATABASE__URL", &app.state().settings.database.url)
        .env("MICROWISH__DATABASE__MAX_CONNECTIONS", "4")
        .env("MICROWISH__WECHAT__API_BASE", app.stub.base_url())
        .env("MICROWISH__WECHAT__APPID", APPID)
        .env("MICROWISH__WECHAT__SECRET", SECRET)
        .env("MICROWISH__WECOM__API_BASE", app.stub.base_url())
        .env("MICROWISH__NOTIFIER__ENABLED", "false")
        .env("MICROWISH__LIMITS__ENABLED", "false")
        .env("MICROWISH__WISHES__MAX_OPEN_CLAIMS", "100")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("microwish serve starts")
}

async fn call(
    client: &reqwest::Client,
    method: &str,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn sign_in(app: &TestApp, client: &reqwest::Client, base: &str, openid: &str) -> (i64, String) {
    let code = app.stub.issue_login_code(openid);
    let (status, body) = call(
        client,
        "POST",
        format!("{base}/api/v1/auth/wechat"),
        None,
        Some(json!({ "code": code })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    (
        body["user"]["id"].as_i64().unwrap(),
        body["token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_and_two_workers_on_one_postgres() {
    let app = TestApp::spawn(Engine::Postgres).await;
    let capture = SmtpCapture::start().await.unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let (port_a, port_b) = (free_port(), free_port());
    let _servers = Reap(vec![spawn_server(&app, port_a), spawn_server(&app, port_b)]);
    let (a, b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    for base in [&a, &b] {
        let started = Instant::now();
        while client.get(format!("{base}/healthz")).send().await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "{base} did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // Signed in on A, used on B.
    microwish::admin::grant(&app.db, "cluster-admin", Role::Admin, None)
        .await
        .unwrap();
    let (_, admin) = sign_in(&app, &client, &a, "cluster-admin").await;
    let (status, grid) = call(
        &client,
        "POST",
        format!("{b}/api/v1/admin/grids"),
        Some(&admin),
        Some(json!({ "name": "第一网格" })),
    )
    .await;
    assert_eq!(status, 201, "{grid}");
    let (resident_id, resident) = sign_in(&app, &client, &a, "cluster-resident").await;
    let profile =
        json!({ "display_name": "王奶奶", "phone": "13812345678", "grid_id": grid["id"], "email": "wang@example.com" });
    let (status, body) = call(&client, "PUT", format!("{b}/api/v1/me"), Some(&resident), Some(profile)).await;
    assert_eq!(status, 200, "{body}");
    // The residence as the register would verify it (not this test's subject).
    sqlx::query("UPDATE users SET grid_id = $1 WHERE id = $2")
        .bind(grid["id"].as_i64().unwrap())
        .bind(resident_id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let mut volunteers = Vec::new();
    for (i, base) in [&a, &b].into_iter().enumerate() {
        let (id, token) = sign_in(&app, &client, base, &format!("cluster-volunteer-{i}")).await;
        let roles = json!({ "roles": ["volunteer"] });
        let (status, _) = call(
            &client,
            "PUT",
            format!("{a}/api/v1/admin/users/{id}/roles"),
            Some(&admin),
            Some(roles),
        )
        .await;
        assert_eq!(status, 200);
        volunteers.push(token);
    }

    // Claims raced across both servers: one winner each.
    const WISHES: usize = 12;
    for i in 0..WISHES {
        let body = json!({ "title": format!("心愿 {i}"), "description": "", "category": "errand" });
        let base = if i % 2 == 0 { &a } else { &b };
        let (status, wish) = call(
            &client,
            "POST",
            format!("{base}/api/v1/wishes"),
            Some(&resident),
            Some(body),
        )
        .await;
        assert_eq!(status, 201, "{wish}");
        let id = wish["id"].as_i64().unwrap();
        let (one, two) = tokio::join!(
            call(
                &client,
                "POST",
                format!("{a}/api/v1/wishes/{id}/claim"),
                Some(&volunteers[0]),
                None
            ),
            call(
                &client,
                "POST",
                format!("{b}/api/v1/wishes/{id}/claim"),
                Some(&volunteers[1]),
                None
            ),
        );
        let mut statuses = [one.0, two.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "wish {id}: {} / {}", one.1, two.1);
    }

    // Two notifier processes deliver every notification exactly once.
    let mut workers = Reap(vec![
        spawn_worker(&app, &capture, "30s"),
        spawn_worker(&app, &capture, "30s"),
    ]);
    let started = Instant::now();
    loop {
        let open: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE status IN ('pending', 'sending', 'retry')")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        if open == 0 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    workers.0.drain(..).for_each(terminate);
    let sent: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM notifications WHERE recipient_id = $1 AND status = 'sent' ORDER BY id")
            .bind(resident_id)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert!(
        sent.len() >= WISHES,
        "the resident heard of every claim: {} sent",
        sent.len()
    );
    let got = received(&capture);
    for id in &sent {
        assert_eq!(
            got.get(id),
            Some(&1),
            "notification {id} delivered {:?} times",
            got.get(id)
        );
    }
    assert!(got.values().all(|n| *n == 1), "nothing delivered twice: {got:?}");
}
