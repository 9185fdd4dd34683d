//! A party member's year over HTTP, on both engines: what they served — a wish confirmed, a wish
//! closed automatically, an event attended (and corrected by its organiser), a care visit — is
//! what `GET /me/party` shows, by source, against the pro-rated yearly target; someone who is
//! not a member hears 404, a year out of range 422. `a_year_of_service` is the scenario the
//! end-to-end test of 双报到 builds on.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

pub(super) const HOUR: i64 = 3_600_000;
/// 2026-06-20 10:00 in Shanghai.
pub(super) const JUNE_20: i64 = 1_781_920_800_000;

/// Runs every scheduler rule once at the app's time.
pub(super) async fn scan(app: &TestApp) {
    use microwish_core::Clock;
    microwish_core::schedule::scan(&app.db, &app.state().settings, app.clock.now_ms())
        .await
        .expect("scan");
}

/// A wish `resident` posts and `member` claims and fulfils; returns its id.
async fn fulfilled(app: &TestApp, resident: &TestUser, member: &TestUser, title: &str) -> i64 {
    let id = app.wish(resident, title).await["id"].as_i64().unwrap();
    app.act(member, id, "claim", None).await.expect(200);
    let done = json!({ "note": "已送到家" });
    app.act(member, id, "fulfil", Some(done)).await.expect(200);
    id
}

/// What `member` does over four days from the app's time: fulfils a wish its resident confirms
/// (rating 5) and one nobody confirms (closed automatically), attends a two-hour event which its
/// organiser then corrects by −30 minutes, and visits a resident under care. At 60 minutes a
/// wish and 30 a visit that is 2 wishes (120 min), 1 event (90 min), 1 visit (30 min): 4 services,
/// 240 minutes. Returns the event's id.
pub(super) async fn a_year_of_service(app: &TestApp, c: &Community, member: &TestUser) -> i64 {
    let confirmed = fulfilled(app, &c.owner, member, "帮忙买药").await;
    let rated = json!({ "rating": 5, "comment": "谢谢小伙子" });
    app.act(&c.owner, confirmed, "confirm", Some(rated)).await.expect(200);
    fulfilled(app, &c.other_resident, member, "修一下门锁").await;

    use microwish_core::Clock;
    let start = (app.clock.now_ms() / 60_000) * 60_000 + HOUR;
    let event = json!({
        "title": "主题党日：清洁家园", "description": "一起打扫小区公共区域", "location": "社区活动室",
        "starts_at": microwish_core::clock::rfc3339(start), "ends_at": microwish_core::clock::rfc3339(start + 2 * HOUR),
    });
    let event = app.post("/api/v1/events", &c.admin.token, event).await.expect(201);
    let (event_id, code) = (
        event["id"].as_i64().unwrap(),
        event["checkin_code"].as_str().unwrap().to_string(),
    );
    let invite = json!({ "user_ids": [member.id] });
    app.post(
        &format!("/api/v1/events/{event_id}/invitations"),
        &c.admin.token,
        invite,
    )
    .await
    .expect(200);
    app.clock.advance_ms(HOUR);
    app.post(
        &format!("/api/v1/events/{event_id}/checkin"),
        &member.token,
        json!({ "code": code }),
    )
    .await
    .expect(200);

    app.care(&c.leader_a, &c.other_resident, &[member.id]).await.expect(200);
    app.visit(member, &c.other_resident, "ok").await.expect(201);

    // Past the event's end and the confirmation window: the scheduler closes and credits.
    app.clock.advance_ms(3 * 24 * HOUR + HOUR);
    scan(app).await;
    scan(app).await;
    let fix = json!({ "user_id": member.id, "minutes": -30, "reason": "提前离场半小时" });
    app.post(
        &format!("/api/v1/events/{event_id}/hours/corrections"),
        &c.admin.token,
        fix,
    )
    .await
    .expect(200);
    event_id
}

both_engines!(a_members_year_by_source, year_body);

async fn year_body(app: TestApp) {
    app.clock.set_ms(JUNE_20);
    let c = Community::seed(&app).await;
    let branch = app.branch(&c.admin, "第一党支部", &[c.grid_a]).await;
    app.set_party(&c.admin, &c.volunteer, branch, "in_service")
        .await
        .expect(200);
    app.me_party(&c.volunteer, "").await.expect(200);
    a_year_of_service(&app, &c, &c.volunteer).await;

    let year = app.me_party(&c.volunteer, "").await.expect(200);
    assert_eq!(year["year"], 2026);
    assert_eq!(year["branch"], json!({ "id": branch, "name": "第一党支部" }));
    assert_eq!(year["category"], "in_service");
    assert_eq!(year["target"], json!({ "hours": 24.0, "services": 12.0 }));
    assert_eq!(
        (year["minutes"].as_i64(), year["hours"].as_f64()),
        (Some(240), Some(4.0))
    );
    assert_eq!(year["services"], 4);
    let by = &year["by_source"];
    let source = |s: &str| (by[s]["minutes"].as_i64().unwrap(), by[s]["services"].as_i64().unwrap());
    assert_eq!(
        source("wishes"),
        (120, 2),
        "the confirmed wish and the one closed automatically"
    );
    assert_eq!(source("events"), (90, 1), "two hours less the organiser's correction");
    assert_eq!(source("visits"), (30, 1));
    // On 24 June 47.7 % of the year is gone: 11.4 hours and 5.7 services are due.
    let expected = year["expected"]["hours"].as_f64().unwrap();
    assert!((11.4..11.5).contains(&expected), "{year}");
    assert_eq!(
        (year["on_track"].as_bool(), year["target_met"].as_bool()),
        (Some(false), Some(false))
    );

    // Last year they served nothing, and it is over: not on track, the whole target expected.
    let last = app.me_party(&c.volunteer, "?year=2025").await.expect(200);
    assert_eq!(
        (last["services"].as_i64(), last["on_track"].as_bool()),
        (Some(0), Some(false))
    );
    assert_eq!(last["expected"], json!({ "hours": 24.0, "services": 12.0 }));
    app.me_party(&c.volunteer, "?year=2027")
        .await
        .expect_error(422, "invalid_field");
    app.me_party(&c.volunteer, "?year=1999")
        .await
        .expect_error(422, "invalid_field");
    // Not a party member: 404, whoever asks.
    app.me_party(&c.volunteer2, "").await.expect_error(404, "not_found");
    app.me_party(&c.owner, "").await.expect_error(404, "not_found");
}
