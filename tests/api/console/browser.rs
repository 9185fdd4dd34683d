//! The console in a real browser: headless Debian Chromium driven over WebDriver. Signs in through
//! the QR ticket approved over the API (the page's own script notices and goes on), approves a
//! wish, assigns another to a volunteer picked by name, acknowledges an alert, switches to English,
//! and is refused another grid's page. Screenshots of each page land in
//! `target/console-screenshots/` for a person to look at.

use std::path::PathBuf;

use serde_json::json;

use microwish_core::config::ConfigDuration;
use microwish_core::{Clock, Settings};

use super::webdriver::{self, Driver};
use crate::helpers::{Community, Engine, TestApp};

const HOUR: i64 = 3_600_000;

fn configure(s: &mut Settings) {
    crate::console::queue::configure(s);
    // Errands wait one hour before they count as unclaimed, so the day fits in one session.
    s.escalation.unclaimed_after = ConfigDuration(std::time::Duration::from_secs(3600));
}

fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/console-screenshots")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grid_leaders_morning_in_chromium() {
    if !webdriver::available() {
        return;
    }
    let app = TestApp::spawn_with(Engine::Sqlite, configure).await;
    let c = Community::seed(&app).await;
    let post = |title: &str, urgency: &str| json!({ "title": title, "description": "请帮帮忙", "category": "errand", "urgency": urgency });
    let review = app
        .post("/api/v1/wishes", &c.owner.token, post("买降压药", "normal"))
        .await
        .expect(201);
    let review = review["id"].as_i64().unwrap();
    let urgent = app
        .post("/api/v1/wishes", &c.other_resident.token, post("老人摔倒了", "urgent"))
        .await;
    let urgent = urgent.expect(201)["id"].as_i64().unwrap();
    let alert = app.get("/api/v1/alerts", &c.admin.token).await.expect(200)[0]["id"]
        .as_i64()
        .unwrap();

    let browser = Driver::start().await;
    browser.goto(&format!("{}/console/", app.base)).await;
    browser.wait_for_url("/console/login").await;
    let ticket = browser
        .attribute("#qr", "data-ticket")
        .await
        .expect("a ticket on the QR code");
    browser.screenshot(&shots().join("login.png")).await;

    // The leader scans the code in the mini-program; the page signs in by itself.
    super::approve_ticket(&app, &c.leader_a, &ticket).await.expect(200);
    browser.wait_for_url("/console/queue").await;
    assert!(browser.source().await.contains("买降压药"));
    browser.screenshot(&shots().join("queue.png")).await;

    browser.click(&format!("#approve-{review}")).await;
    browser.find("#flash").await;
    let wish = app
        .get(&format!("/api/v1/wishes/{review}"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(wish["status"], "open");

    // Two hours later nobody has claimed it: give it to 小王, picked by name.
    app.clock.advance_ms(2 * HOUR);
    browser.goto(&format!("{}/console/queue", app.base)).await;
    browser
        .click(&format!("#volunteer-{review} option[value=\"{}\"]", c.volunteer.id))
        .await;
    browser.screenshot(&shots().join("assign.png")).await;
    browser.click(&format!("#assign-{review}")).await;
    browser.find("#flash").await;
    let wish = app
        .get(&format!("/api/v1/wishes/{review}"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(wish["status"], "claimed");
    assert_eq!(wish["volunteer_id"], c.volunteer.id);

    browser.click(&format!("#ack-{alert}")).await;
    // The assignment's flash is still on the page until the acknowledgement's answer replaces it.
    browser.wait_for_url("/console/queue?done=ack").await;
    browser.find("#flash").await;
    let alerts = app
        .get("/api/v1/alerts?status=acknowledged", &c.leader_a.token)
        .await
        .expect(200);
    assert_eq!(alerts[0]["id"], alert);
    assert_eq!(alerts[0]["wish_id"], urgent);
    browser.screenshot(&shots().join("queue-after.png")).await;

    browser.click("#lang-switch").await;
    browser.wait_for_url("/console/queue?done=ack").await;
    assert!(browser.source().await.contains("Wishes to review"));
    browser.screenshot(&shots().join("queue-en.png")).await;

    browser.goto(&format!("{}/console/grids/{}", app.base, c.grid_b)).await;
    let refused = browser.source().await;
    assert!(refused.contains("This is not a grid you oversee"), "{refused}");
    browser.screenshot(&shots().join("refused.png")).await;
    browser.goto(&format!("{}/console/grids/{}", app.base, c.grid_a)).await;
    assert!(browser.source().await.contains("第一网格"));
    browser.screenshot(&shots().join("grid.png")).await;

    // The event page as the venue's screen shows it: the check-in code, big.
    let start = microwish_core::clock::rfc3339(app.clock.now_ms() + 26 * HOUR);
    let end = microwish_core::clock::rfc3339(app.clock.now_ms() + 28 * HOUR);
    let event = json!({ "title": "主题党日：清洁家园", "description": "一起打扫小区公共区域", "location": "社区活动室",
        "starts_at": start, "ends_at": end, "capacity": 20, "grid_id": c.grid_a });
    let event = app.post("/api/v1/events", &c.leader_a.token, event).await.expect(201);
    browser
        .goto(&format!("{}/console/events/{}", app.base, event["id"]))
        .await;
    let code = browser.find("#checkin-code").await;
    assert!(!code.is_empty());
    assert!(browser.source().await.contains(event["checkin_code"].as_str().unwrap()));
    browser.screenshot(&shots().join("event.png")).await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_party_secretarys_dashboard_in_chromium() {
    if !webdriver::available() {
        return;
    }
    let app = TestApp::spawn(Engine::Sqlite).await;
    let (c, admin, _) = super::dashboard::seeded(&app).await;
    let browser = Driver::start().await;
    browser.goto(&format!("{}/console/", app.base)).await;
    browser.wait_for_url("/console/login").await;
    let ticket = browser.attribute("#qr", "data-ticket").await.expect("a ticket");
    super::approve_ticket(&app, &admin, &ticket).await.expect(200);
    browser.wait_for_url("/console/queue").await;

    browser
        .goto(&format!("{}/console/dashboard?month=2026-10", app.base))
        .await;
    let point = |measure: &str| format!("svg.line[data-measure=\"{measure}\"] circle[data-month=\"2026-10\"]");
    let bar = |measure: &str| format!("svg.bars[data-measure=\"{measure}\"] rect[data-grid=\"第一网格\"]");
    // The hand-counted October (tests/api/insight.rs): shares as percentages.
    for (css, want) in [
        (point("households_active"), "80"),
        (bar("households_active"), "75"),
        (bar("median_minutes_to_claim"), "765"),
        (point("fulfilment_rate"), "25"),
        (bar("volunteer_hours"), "1.5"),
    ] {
        assert_eq!(
            browser.attribute(&css, "data-value").await.as_deref(),
            Some(want),
            "{css}"
        );
    }
    browser.screenshot(&shots().join("dashboard.png")).await;

    // Drill down to the first grid: its trend lines, no bars.
    browser
        .goto(&format!(
            "{}/console/dashboard?month=2026-10&grid={}",
            app.base, c.grid_a
        ))
        .await;
    let css = point("households_active");
    assert_eq!(browser.attribute(&css, "data-value").await.as_deref(), Some("75"));
    assert!(!browser.source().await.contains("chart bars"));
    browser.screenshot(&shots().join("dashboard-grid.png")).await;
    browser.quit().await;
}
