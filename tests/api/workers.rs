//! Worker processes: several `microwish notifier` processes drain one queue and deliver each
//! notification exactly once; a process killed with SIGKILL mid-batch loses nothing, and the
//! duplicates it can cause stay within the batch it held.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use microwish_core::outbox::{self, NewNotification};
use microwish_core::people::user::{self, ProfileUpdate};
use microwish_core::{Clock, fields::Email};
use microwish_testkit::smtp::SmtpCapture;

use crate::both_engines;
use crate::helpers::TestApp;

/// Records `count` notifications for `people` recipients with email addresses, in one transaction.
pub(crate) async fn backlog(app: &TestApp, people: usize, count: usize) {
    let now = app.clock.now_ms();
    let mut tx = app.db.begin_write().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..people {
        let (u, _) = user::find_or_create(&mut tx, &format!("mail-{i}"), now).await.unwrap();
        let update = ProfileUpdate {
            email: Some(Email::parse(&format!("person{i}@example.com")).unwrap()),
            ..Default::default()
        };
        user::update_profile(&mut tx, u.id, update, now).await.unwrap();
        ids.push(u.id);
    }
    for i in 0..count {
        let n = NewNotification {
            kind: microwish_core::NotificationKind::WishClaimed,
            recipient_id: ids[i % people],
            subject_type: "wish",
            subject_id: i as i64,
            urgent: false,
            payload: json!({ "title": format!("心愿 {i}"), "wish_id": i }),
            dedupe_key: format!("backlog:{i}"),
        };
        outbox::record(&mut tx, &n, now).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Starts `microwish notifier` against the app's database, sending email to `capture`.
pub(crate) fn spawn_worker(app: &TestApp, capture: &SmtpCapture, lease: &str) -> Child {
    spawn_worker_with_probes(app, capture, lease, "127.0.0.1:0")
}

/// The same, serving `/metrics` and `/healthz` on `probes`.
fn spawn_worker_with_probes(app: &TestApp, capture: &SmtpCapture, lease: &str, probes: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_microwish"))
        .arg("notifier")
        .env("MICROWISH__DATABASE__URL", &app.state().settings.database.url)
        .env("MICROWISH__DATABASE__MAX_CONNECTIONS", "4")
        .env("MICROWISH__EMAIL__SMTP_URL", capture.url())
        .env("MICROWISH__EMAIL__FROM", "noreply@microwish.test")
        .env("MICROWISH__WECHAT__API_BASE", app.stub.base_url())
        .env("MICROWISH__WECOM__API_BASE", app.stub.base_url())
        .env("MICROWISH__NOTIFIER__QUIET_HOURS", "")
        .env("MICROWISH__NOTIFIER__POLL_INTERVAL", "200ms")
        .env("MICROWISH__NOTIFIER__LEASE", lease)
        .env("MICROWISH__NOTIFIER__BATCH_SIZE", "50")
        .env("MICROWISH__NOTIFIER__METRICS_BIND", probes)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("microwish notifier starts")
}

/// How many times each notification id reached the SMTP server.
pub(crate) fn received(capture: &SmtpCapture) -> HashMap<i64, usize> {
    let mut seen = HashMap::new();
    for mail in capture.messages() {
        let id = mail
            .data
            .lines()
            .find_map(|l| {
                l.strip_prefix("Message-ID: <n")
                    .or_else(|| l.strip_prefix("Message-Id: <n"))
            })
            .and_then(|rest| rest.split('.').next())
            .and_then(|n| n.parse::<i64>().ok())
            .expect("every mail carries its notification's Message-ID");
        *seen.entry(id).or_default() += 1;
    }
    seen
}

pub(crate) async fn wait_for(capture: &SmtpCapture, distinct: usize, limit: Duration) {
    let started = Instant::now();
    while received(capture).len() < distinct && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) fn terminate(mut child: Child) {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
}

const BACKLOG: usize = 1500;

both_engines!(several_worker_processes_deliver_each_notification_once, scale_out);
async fn scale_out(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    backlog(&app, 40, BACKLOG).await;
    let workers: Vec<Child> = (0..3).map(|_| spawn_worker(&app, &capture, "60s")).collect();
    wait_for(&capture, BACKLOG, Duration::from_secs(120)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    workers.into_iter().for_each(terminate);

    let seen = received(&capture);
    assert_eq!(seen.len(), BACKLOG, "every notification delivered");
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "nothing sent twice: {twice:?}");
    assert_eq!(app.count("notifications").await, BACKLOG as i64);
    let sent = app.get_status_count("sent").await;
    assert_eq!(sent, BACKLOG as i64);
}

both_engines!(a_killed_worker_loses_nothing, crash);
async fn crash(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    backlog(&app, 40, BACKLOG).await;
    let mut victim = spawn_worker(&app, &capture, "2s");
    // Kill it in the middle of the backlog, with a batch in hand.
    wait_for(&capture, 300, Duration::from_secs(60)).await;
    victim.kill().unwrap();
    victim.wait().unwrap();
    let before = received(&capture).len();
    assert!(before < BACKLOG, "killed before the end ({before})");

    let rescuer = spawn_worker(&app, &capture, "2s");
    wait_for(&capture, BACKLOG, Duration::from_secs(120)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    terminate(rescuer);

    let seen = received(&capture);
    assert_eq!(seen.len(), BACKLOG, "none lost");
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    assert!(
        duplicates <= 50,
        "duplicates bounded by the batch in hand (50), got {duplicates}"
    );
    assert_eq!(app.get_status_count("sent").await, BACKLOG as i64);
}

both_engines!(a_worker_alone_serves_its_metrics_and_health, probes);
async fn probes(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    backlog(&app, 5, 20).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let worker = spawn_worker_with_probes(&app, &capture, "60s", &format!("127.0.0.1:{port}"));
    wait_for(&capture, 20, Duration::from_secs(60)).await;

    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let get = |path: &'static str| {
        let client = client.clone();
        async move {
            let url = format!("http://127.0.0.1:{port}{path}");
            let answer = client.get(url).send().await.expect("the probe answers");
            (answer.status().as_u16(), answer.text().await.unwrap())
        }
    };
    let (status, health) = get("/healthz").await;
    assert_eq!((status, health.as_str()), (200, r#"{"status":"ok"}"#));
    // The counter moves just after the SMTP server has the message: give it a moment.
    let sent = r#"microwish_notifier_deliveries_total{channel="email",outcome="sent"} 20"#;
    let started = Instant::now();
    let (status, mut metrics) = get("/metrics").await;
    while !metrics.contains(sent) && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        metrics = get("/metrics").await.1;
    }
    assert_eq!(status, 200);
    assert!(metrics.contains(sent), "{metrics}");
    terminate(worker);
}
