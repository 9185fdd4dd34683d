//! The console in a real browser: headless Debian Chromium driven over WebDriver. A grid leader
//! signs in through the QR ticket approved over the API (the page's own script notices and goes
//! on), approves a wish, assigns another to a volunteer picked by name, acknowledges an alert,
//! switches to English, is refused another grid's pages, approves a residence request and opens
//! the grid's people. The party secretary reads the dashboard's charts (their marks' numbers),
//! downloads CSV exports through the browser's session and reads the audit log. Screenshots of
//! each page land in `target/console-screenshots/` for a person to look at.

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
    let newcomer = app.login("newcomer").await;
    let me = app
        .put(
            "/api/v1/me",
            &newcomer.token,
            json!({ "display_name": "新来的张阿姨", "grid_id": c.grid_a }),
        )
        .await
        .expect(200);
    let request = me["pending_residence_request_id"].as_i64().expect("a pending request");

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
    browser
        .goto(&format!("{}/console/register/{}/people", app.base, c.grid_b))
        .await;
    assert!(
        !browser.source().await.contains("赵网格长"),
        "another grid's people are not shown"
    );
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

    // Back in Chinese: the wish's page with its timeline; then the register, a residence request
    // approved.
    browser.click("#lang-switch").await;
    browser.wait_for_url(&format!("/console/events/{}", event["id"])).await;
    browser.goto(&format!("{}/console/wishes/{review}", app.base)).await;
    assert!(browser.source().await.contains("买降压药"));
    browser.screenshot(&shots().join("wish.png")).await;
    browser.goto(&format!("{}/console/register", app.base)).await;
    browser.find(&format!("#request-{request}")).await;
    browser.screenshot(&shots().join("register.png")).await;
    browser.click(&format!("#approve-request-{request}")).await;
    browser.wait_for_url("/console/register?done=residence_approve").await;
    let me = app.get("/api/v1/me", &newcomer.token).await.expect(200);
    assert_eq!(
        (me["grid_id"].as_i64(), &me["residence_verified"]),
        (Some(c.grid_a), &json!(true))
    );
    browser.click(&format!("#people-{}", c.grid_a)).await;
    browser.wait_for_url("/people").await;
    assert!(browser.source().await.contains("新来的张阿姨"));
    browser.screenshot(&shots().join("people.png")).await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_party_secretarys_dashboard_in_chromium() {
    if !webdriver::available() {
        return;
    }
    let app = TestApp::spawn(Engine::Sqlite).await;
    let (c, admin, _) = super::dashboard::seeded(&app).await;
    app.put("/api/v1/me", &admin.token, json!({ "display_name": "陈书记" }))
        .await
        .expect(200);
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

    // Exports through the browser's own session: the wishes sheet and the indicators sheet.
    browser.goto(&format!("{}/console/exports", app.base)).await;
    browser.find("#export-indicators").await;
    let session = browser.cookie("mw_console").await;
    let fetch = |path: &str| {
        let req = app
            .client
            .get(format!("{}{path}", app.base))
            .header("cookie", format!("mw_console={session}"));
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let wishes = fetch("/console/exports/wishes.csv").await;
    assert!(wishes.starts_with("\u{feff}id,grid,"), "{wishes}");
    assert_eq!(
        wishes.lines().count() as i64,
        1 + app.count("wishes").await,
        "a row per wish: {wishes}"
    );
    let sheet = fetch("/console/exports/indicators.csv?from=2026-10&to=2026-10").await;
    let api = app
        .get("/api/v1/insight.csv?from=2026-10&to=2026-10", &admin.token)
        .await;
    assert_eq!(sheet.trim_start_matches('\u{feff}'), api.text, "the API's numbers");

    browser.goto(&format!("{}/console/audit", app.base)).await;
    browser.find("#audit").await;
    assert!(browser.source().await.contains("新建网格"));
    browser.screenshot(&shots().join("audit.png")).await;
    browser.quit().await;
}
