//! Check-in and hours: only invited people (or walk-ins of the event's grid, where allowed) may
//! check in; nothing is credited until the event is over, then the time it ran capped per day;
//! organisers correct with new ledger rows.

use serde_json::{Value, json};

use microwish_core::Clock;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

const HOUR: i64 = 3_600_000;

async fn event(app: &TestApp, leader: &TestUser, grid: i64, hours: i64, walk_ins: bool) -> Value {
    let now = (app.clock.now_ms() / 60_000) * 60_000;
    let body = json!({
        "title": "志愿服务周", "description": "", "location": "活动室",
        "starts_at": microwish_core::clock::rfc3339(now + HOUR / 2),
        "ends_at": microwish_core::clock::rfc3339(now + HOUR / 2 + hours * HOUR),
        "grid_id": grid, "walk_ins": walk_ins,
    });
    app.post("/api/v1/events", &leader.token, body).await.expect(201)
}

async fn scan(app: &TestApp) {
    microwish_core::schedule::scan(&app.db, &app.state().settings, app.clock.now_ms())
        .await
        .expect("scan");
}

async fn total(app: &TestApp, user: &TestUser) -> i64 {
    app.get("/api/v1/me/hours", &user.token).await.expect(200)["total_minutes"]
        .as_i64()
        .unwrap()
}

both_engines!(checkin_needs_an_invitation_and_credits_when_over, checkin_and_hours);
async fn checkin_and_hours(app: TestApp) {
    let c = Community::seed(&app).await;
    let week = event(&app, &c.leader_a, c.grid_a, 7 * 24, false).await;
    let walk_in = event(&app, &c.leader_a, c.grid_a, 2, true).await;
    let (week_id, walk_id) = (week["id"].as_i64().unwrap(), walk_in["id"].as_i64().unwrap());
    assert_eq!(walk_in["walk_ins"], true);
    app.post(
        &format!("/api/v1/events/{week_id}/invitations"),
        &c.leader_a.token,
        json!({ "user_ids": [c.volunteer.id] }),
    )
    .await
    .expect(200);
    let checkin = |user: &TestUser, id: i64, code: &Value| {
        let (path, token, body) = (
            format!("/api/v1/events/{id}/checkin"),
            user.token.clone(),
            json!({ "code": code }),
        );
        let app = &app;
        async move { app.post(&path, &token, body).await }
    };

    // Not invited — another grid, or the same grid without walk-ins: as if there were no event.
    checkin(&c.leader_b, week_id, &week["checkin_code"])
        .await
        .expect_error(404, "not_found");
    checkin(&c.other_resident, week_id, &week["checkin_code"])
        .await
        .expect_error(404, "not_found");
    checkin(&c.leader_b, walk_id, &walk_in["checkin_code"])
        .await
        .expect_error(404, "not_found");
    // Invited; and a walk-in of the grid where the organiser allows it.
    let early = checkin(&c.volunteer, week_id, &week["checkin_code"]).await.expect(200);
    assert_eq!(
        early["minutes"],
        7 * 480,
        "a week is worth seven capped days, not 10,080 minutes"
    );
    checkin(&c.other_resident, walk_id, &walk_in["checkin_code"])
        .await
        .expect(200);
    assert_eq!(
        total(&app, &c.volunteer).await,
        0,
        "nothing credited an hour before the start"
    );

    // Corrections wait for the end.
    let corrections = format!("/api/v1/events/{week_id}/hours/corrections");
    let fix = |who: &TestUser, user: i64, minutes: i64| {
        let (path, token) = (corrections.clone(), who.token.clone());
        let body = json!({ "user_id": user, "minutes": minutes, "reason": "提前离场" });
        let app = &app;
        async move { app.post(&path, &token, body).await }
    };
    fix(&c.leader_a, c.volunteer.id, -60)
        .await
        .expect_error(409, "event_not_over");

    app.clock.advance_ms(3 * HOUR);
    scan(&app).await;
    assert_eq!(
        total(&app, &c.other_resident).await,
        120,
        "the walk-in's two hours, once over"
    );
    assert_eq!(total(&app, &c.volunteer).await, 0, "the week is not over yet");
    app.clock.advance_ms(7 * 24 * HOUR);
    scan(&app).await;
    scan(&app).await;
    assert_eq!(
        total(&app, &c.volunteer).await,
        7 * 480,
        "credited once, capped per day"
    );

    // Organisers correct with new ledger rows, within what the event is worth.
    fix(&c.leader_b, c.volunteer.id, -60)
        .await
        .expect_error(403, "not_permitted");
    fix(&c.leader_a, c.other_resident.id, -60)
        .await
        .expect_error(422, "not_attended");
    fix(&c.leader_a, c.volunteer.id, 1)
        .await
        .expect_error(422, "invalid_field");
    fix(&c.leader_a, c.volunteer.id, 0)
        .await
        .expect_error(422, "invalid_field");
    let fixed = fix(&c.leader_a, c.volunteer.id, -60).await.expect(200);
    assert_eq!(fixed["total_minutes"], 7 * 480 - 60);
    fix(&c.leader_a, c.volunteer.id, -60).await.expect(200);
    fix(&c.leader_a, c.volunteer.id, -(7 * 480))
        .await
        .expect_error(422, "invalid_field");
    let mine = app.get("/api/v1/me/hours", &c.volunteer.token).await.expect(200);
    assert_eq!(mine["total_minutes"], 7 * 480 - 120);
    let sources: Vec<&str> = mine["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        ["correction", "correction", "event"],
        "the original entry stays"
    );
}
