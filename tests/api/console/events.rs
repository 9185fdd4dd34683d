//! Events in the console, on both engines: a leader creates one for their grid through the form,
//! invites the grid, sees registrants before the waitlist and who checked in, and reads the
//! check-in code off the page; bad times, forged forms and another grid's leader are refused.

use serde_json::json;

use microwish_core::Settings;
use microwish_core::clock::parse_rfc3339;

use super::signed_in;
use crate::both_engines;
use crate::helpers::{Community, TestApp};

pub fn configure(s: &mut Settings) {
    s.notifier.quiet_hours = String::new();
}

both_engines!(
    a_leader_runs_an_event_from_the_console,
    leader_event,
    crate::console::events::configure
);
async fn leader_event(app: TestApp) {
    let c = Community::seed(&app).await;
    // 10:00 in Shanghai; the event runs 10:30–12:30, so check-in is open.
    app.clock.set_ms(parse_rfc3339("2026-12-01T02:00:00Z").unwrap());
    let mut browser = signed_in(&app, &c.leader_a).await;
    let page = browser.get("/console/events").await.expect(200);
    assert!(page.text.contains(&format!("<option value=\"{}\">第一网格", c.grid_a)));
    assert!(
        !page.text.contains("第二网格"),
        "a leader organises for their own grid only"
    );
    let csrf = page.csrf();
    let (starts, ends) = ("2026-12-01T10:30", "2026-12-01T12:30");
    let (grid_a, grid_b) = (c.grid_a.to_string(), c.grid_b.to_string());
    create(&mut browser, (starts, ends, &grid_a, "forged"))
        .await
        .expect(403);
    create(&mut browser, (ends, starts, &grid_a, &csrf)).await.expect(422);
    create(&mut browser, (starts, "tomorrow", &grid_a, &csrf))
        .await
        .expect(422);
    create(&mut browser, (starts, ends, &grid_b, &csrf)).await.expect(403);
    create(&mut browser, (starts, ends, "", &csrf)).await.expect(403);
    assert_eq!(app.count("events").await, 0, "nothing half-written");

    let created = create(&mut browser, (starts, ends, &grid_a, &csrf)).await;
    let location = created.expect(303).location.unwrap();
    let id: i64 = location.strip_prefix("/console/events/").unwrap().parse().unwrap();
    let event = app
        .get(&format!("/api/v1/events/{id}"), &c.leader_a.token)
        .await
        .expect(200);
    assert_eq!(event["grid_id"], c.grid_a);
    let page = browser.get(&location).await.expect(200);
    let code = event["checkin_code"].as_str().unwrap();
    assert!(
        page.text.contains(&format!("id=\"checkin-code\">{code}<")),
        "the code, big on screen"
    );

    // Invite the grid; two answer yes for one place: one registered, one waiting.
    let invite = format!("{location}/invite");
    browser
        .post(&invite, &[("csrf", &csrf), ("audience", "")])
        .await
        .expect(422);
    let done = browser
        .post(&invite, &[("csrf", &csrf), ("audience", &format!("grid:{}", c.grid_a))])
        .await
        .expect(303);
    assert!(done.location.unwrap().starts_with(&format!("{location}?invited=")));
    for (who, expected) in [(&c.owner, "registered"), (&c.volunteer, "waitlisted")] {
        let path = format!("/api/v1/events/{id}/rsvp");
        let answer = app
            .post(&path, &who.token, json!({ "response": "yes" }))
            .await
            .expect(200);
        assert_eq!(answer["status"], expected);
    }
    let checkin = format!("/api/v1/events/{id}/checkin");
    app.post(&checkin, &c.owner.token, json!({ "code": code }))
        .await
        .expect(200);

    let page = browser.get(&location).await.expect(200);
    let (granny, xiaowang) = (page.text.find("王奶奶").unwrap(), page.text.find("小王").unwrap());
    assert!(granny < xiaowang, "registered before the waitlist");
    assert!(page.text.contains("id=\"count-registered\">1 / 1<"));
    assert!(page.text.contains("id=\"count-waitlisted\">1<"));
    assert!(page.text.contains("id=\"count-attended\">1<"));
    let list = browser.get("/console/events").await.expect(200);
    assert!(list.text.contains(&format!("id=\"event-{id}\"")));

    // Another grid's leader neither sees nor manages it.
    let mut b = signed_in(&app, &c.leader_b).await;
    let theirs = b.get("/console/events").await.expect(200);
    assert!(!theirs.text.contains(&format!("id=\"event-{id}\"")));
    b.get(&location).await.expect(403);
    let csrf_b = theirs.csrf();
    b.post(
        &invite,
        &[("csrf", &csrf_b), ("audience", &format!("grid:{}", c.grid_b))],
    )
    .await
    .expect(403);
}

/// Posts the new-event form: (starts, ends, grid, csrf).
async fn create(b: &mut super::Browser, (starts, ends, grid, csrf): (&str, &str, &str, &str)) -> super::Page {
    let form = [
        ("csrf", csrf),
        ("title", "主题党日：清洁家园"),
        ("description", "一起打扫"),
        ("location", "社区活动室"),
        ("starts_at", starts),
        ("ends_at", ends),
        ("capacity", "1"),
        ("grid_id", grid),
    ];
    b.post("/console/events", &form).await
}

/// Limits on, one invitation per organiser and hour.
pub fn configure_one_invitation(s: &mut Settings) {
    configure(s);
    s.limits.enabled = true;
    s.limits.invitations_per_user_per_hour = 1;
}

both_engines!(
    console_invitations_count_against_the_api_limit,
    invitation_limit,
    crate::console::events::configure_one_invitation
);
async fn invitation_limit(app: TestApp) {
    let c = Community::seed(&app).await;
    let event = json!({ "title": "志愿服务日", "description": "", "location": "广场",
        "starts_at": "2026-12-20T01:00:00Z", "ends_at": "2026-12-20T03:00:00Z", "grid_id": c.grid_a });
    let id = app.post("/api/v1/events", &c.leader_a.token, event).await.expect(201)["id"]
        .as_i64()
        .unwrap();
    let mut browser = signed_in(&app, &c.leader_a).await;
    let page = browser.get(&format!("/console/events/{id}")).await.expect(200);
    let invite = format!("/console/events/{id}/invite");
    let audience = format!("grid:{}", c.grid_a);
    browser
        .post(&invite, &[("csrf", &page.csrf()), ("audience", &audience)])
        .await
        .expect(303);
    browser
        .post(&invite, &[("csrf", &page.csrf()), ("audience", &audience)])
        .await
        .expect(429);
    // The API and the console share the one budget.
    let body = json!({ "grid_ids": [c.grid_a] });
    app.post(&format!("/api/v1/events/{id}/invitations"), &c.leader_a.token, body)
        .await
        .expect_error(429, "rate_limited");
}
