//! Events end to end on both engines: calendar invitations received over real SMTP and read by an
//! independent iCalendar parser, capacity under concurrent answers, the waitlist, reminders on a
//! hand-moved clock, an invitation to a grid of 5,000, check-in, hours, and bad input.

use serde_json::{Value, json};

use microwish_core::outbox::{self, Notification};
use microwish_core::schedule::events as reminders;
use microwish_testkit::smtp::SmtpCapture;

mod access;
mod feed;
mod lists;
mod load;
mod mail;
mod robot;

use self::mail::{calendar_part, parse};
use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};
use crate::notifier::{configure, email, worker};

const HOUR: i64 = 3_600_000;

/// A time `hours` from the app's clock, on a whole minute (RFC 3339 and epoch ms).
fn at(app: &TestApp, hours: i64) -> (String, i64) {
    use microwish_core::Clock;
    let ms = (app.clock.now_ms() / 60_000) * 60_000 + hours * HOUR;
    (microwish_core::clock::rfc3339(ms), ms)
}

/// Creates an event as `who` starting `hours` from now, lasting two hours.
pub(super) async fn event(app: &TestApp, who: &TestUser, hours: i64, extra: Value) -> Value {
    let mut body = json!({
        "title": "主题党日：清洁家园", "description": "一起打扫小区公共区域", "location": "社区活动室, 2 楼",
        "starts_at": at(app, hours).0, "ends_at": at(app, hours + 2).0,
    });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    app.post("/api/v1/events", &who.token, body).await.expect(201)
}

pub(super) async fn notices(app: &TestApp, event_id: i64, kind: &str) -> Vec<Notification> {
    let mut conn = app.db.pool().acquire().await.unwrap();
    outbox::for_subject(&mut conn, "event", event_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.kind.as_str() == kind)
        .collect()
}

pub(super) async fn rsvp(app: &TestApp, user: &TestUser, id: i64, answer: &str) -> String {
    let body = app
        .post(
            &format!("/api/v1/events/{id}/rsvp"),
            &user.token,
            json!({ "response": answer }),
        )
        .await
        .expect(200);
    body["status"].as_str().unwrap().to_string()
}

both_engines!(
    invitations_update_and_cancel_carry_one_calendar_entry,
    calendar_entry,
    super::configure
);
async fn calendar_entry(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    email(&app, &c.owner, "owner@example.com").await;
    let worker = worker(&app, &capture, |_| {});
    let created = event(&app, &c.admin, 72, json!({ "capacity": 20 })).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["status"], "published");
    assert_eq!(created["sequence"], 0);
    let starts_ms = microwish_core::clock::parse_rfc3339(created["starts_at"].as_str().unwrap()).unwrap();
    let expected_start = microwish_core::clock::rfc3339(starts_ms).replace(['-', ':'], "");

    let invited = app
        .post(
            &format!("/api/v1/events/{id}/invitations"),
            &c.admin.token,
            json!({ "user_ids": [c.owner.id] }),
        )
        .await
        .expect(200);
    assert_eq!(invited["invited"], 1);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let mails = capture.messages();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].data.contains("text/calendar; method=REQUEST"),
        "{}",
        mails[0].data
    );
    let first = parse(&calendar_part(&mails[0]));
    assert_eq!(first.method, "REQUEST");
    assert!(
        first.prodid.contains("microwish"),
        "our PRODID, not the crate's: {}",
        first.prodid
    );
    assert_eq!(first.uid, format!("event-{id}@microwish"));
    assert_eq!(first.sequence, 0);
    assert_eq!(first.dtstart, expected_start, "DTSTART in UTC equals the event's start");
    assert_eq!(first.organizer, "mailto:noreply@microwish.test");
    assert_eq!(first.attendee, "mailto:owner@example.com");
    assert_eq!(first.rsvp.as_deref(), Some("TRUE"));

    // A new place: the same UID, a higher SEQUENCE.
    let mut body = json!({
        "title": "主题党日：清洁家园", "description": "一起打扫小区公共区域", "location": "小区中心广场",
        "starts_at": created["starts_at"], "ends_at": created["ends_at"], "capacity": 20,
    });
    let updated = app
        .put(&format!("/api/v1/events/{id}"), &c.admin.token, body.clone())
        .await
        .expect(200);
    assert_eq!(updated["sequence"], 1);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let second = parse(&calendar_part(&capture.messages()[1]));
    assert_eq!(
        (second.method.as_str(), second.uid.as_str()),
        ("REQUEST", first.uid.as_str())
    );
    assert!(second.sequence > first.sequence);
    // Only the description changed: no re-send.
    body["description"] = json!("请自带手套");
    let same = app
        .put(&format!("/api/v1/events/{id}"), &c.admin.token, body)
        .await
        .expect(200);
    assert_eq!(same["sequence"], 1);
    assert_eq!(worker.run_once().await.unwrap(), 0);

    let cancelled = app
        .call(
            "POST",
            &format!("/api/v1/events/{id}/cancel"),
            Some(&c.admin.token),
            None,
        )
        .await
        .expect(200);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let mails = capture.messages();
    assert!(mails[2].data.contains("text/calendar; method=CANCEL"));
    let third = parse(&calendar_part(&mails[2]));
    assert_eq!(
        (third.method.as_str(), third.uid.as_str()),
        ("CANCEL", first.uid.as_str())
    );
    assert!(third.sequence > second.sequence);
}

both_engines!(
    reminders_follow_the_clock_and_stop_on_cancel,
    reminders,
    super::configure
);
async fn reminders(app: TestApp) {
    use microwish_core::Clock;
    let c = Community::seed(&app).await;
    let settings = app.state().settings.clone();
    let kept = event(&app, &c.admin, 30, json!({})).await["id"].as_i64().unwrap();
    let dropped = event(&app, &c.admin, 30, json!({})).await["id"].as_i64().unwrap();
    let starts = at(&app, 30).1;
    for id in [kept, dropped] {
        rsvp(&app, &c.owner, id, "yes").await;
        rsvp(&app, &c.volunteer, id, "yes").await;
        rsvp(&app, &c.other_resident, id, "no").await;
    }
    app.call(
        "POST",
        &format!("/api/v1/events/{dropped}/cancel"),
        Some(&c.admin.token),
        None,
    )
    .await
    .expect(200);
    // The events' rule alone (schedule::scan runs it among the others).
    let scan = || async { reminders::scan(&app.db, &settings, app.clock.now_ms()).await.unwrap() };

    scan().await;
    assert!(
        notices(&app, kept, "event_reminder").await.is_empty(),
        "30 h before: nothing yet"
    );

    app.clock.set_ms(starts - 24 * HOUR);
    scan().await;
    scan().await;
    let day_before = notices(&app, kept, "event_reminder").await;
    let mut who: Vec<i64> = day_before.iter().map(|n| n.recipient_id).collect();
    who.sort_unstable();
    let mut expected = vec![c.owner.id, c.volunteer.id];
    expected.sort_unstable();
    assert_eq!(
        who, expected,
        "registered people only, once each, however often it scans"
    );
    assert!(day_before.iter().all(|n| !n.urgent));
    // The message says the local time (Asia/Shanghai, UTC+8).
    let local = microwish_core::clock::rfc3339(starts + 8 * HOUR)[..16].replace('T', " ");
    assert!(
        day_before[0].payload["local_time"]
            .as_str()
            .unwrap()
            .starts_with(&local)
    );

    app.clock.set_ms(starts - 2 * HOUR);
    scan().await;
    let all = notices(&app, kept, "event_reminder").await;
    assert_eq!(all.len(), 4);
    assert!(all[2..].iter().all(|n| n.urgent), "the last two hours are urgent");
    app.clock.set_ms(starts - HOUR);
    scan().await;
    assert_eq!(notices(&app, kept, "event_reminder").await.len(), 4);
    assert!(
        notices(&app, dropped, "event_reminder").await.is_empty(),
        "none for a cancelled event"
    );

    // An hour after the end check-in closes and the event is finished: no more answers.
    app.clock.set_ms(starts + 3 * HOUR + 1);
    scan().await;
    let finished = app
        .get(&format!("/api/v1/events/{kept}"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(finished["status"], "finished");
    app.post(
        &format!("/api/v1/events/{kept}/rsvp"),
        &c.volunteer2.token,
        json!({ "response": "yes" }),
    )
    .await
    .expect_error(409, "event_closed");
}

both_engines!(
    checkin_credits_hours_and_bad_input_is_refused,
    checkin_and_bad_input,
    super::configure
);
async fn checkin_and_bad_input(app: TestApp) {
    let c = Community::seed(&app).await;
    let (start, _) = at(&app, 5);
    let (before, _) = at(&app, 4);
    let base = json!({ "title": "志愿服务日", "description": "", "location": "活动室", "starts_at": start, "ends_at": before });
    app.post("/api/v1/events", &c.admin.token, base.clone())
        .await
        .expect_error(422, "invalid_time");
    for capacity in [0, -5] {
        let mut b = base.clone();
        b["ends_at"] = json!(at(&app, 7).0);
        b["capacity"] = json!(capacity);
        app.post("/api/v1/events", &c.admin.token, b)
            .await
            .expect_error(422, "invalid_field");
    }
    let mut b = base.clone();
    b["ends_at"] = json!(at(&app, 7).0);
    b["grid_id"] = json!(999_999);
    app.post("/api/v1/events", &c.admin.token, b.clone())
        .await
        .expect_error(422, "unknown_grid");
    b["grid_id"] = json!(c.grid_b);
    app.post("/api/v1/events", &c.leader_a.token, b.clone())
        .await
        .expect_error(403, "not_permitted");
    app.post("/api/v1/events", &c.owner.token, b.clone())
        .await
        .expect_error(403, "not_permitted");
    b["grid_id"] = json!(c.grid_a);
    let mine = app.post("/api/v1/events", &c.leader_a.token, b).await.expect(201);
    let id = mine["id"].as_i64().unwrap();
    let code = mine["checkin_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);

    let invitations = format!("/api/v1/events/{id}/invitations");
    app.post(&invitations, &c.leader_a.token, json!({ "grid_ids": [c.grid_b] }))
        .await
        .expect_error(403, "not_permitted");
    app.post(&invitations, &c.leader_a.token, json!({ "user_ids": [c.leader_b.id] }))
        .await
        .expect_error(403, "not_permitted");
    app.post(&invitations, &c.admin.token, json!({ "grid_ids": [999_999] }))
        .await
        .expect_error(422, "unknown_grid");
    app.post(&invitations, &c.leader_a.token, json!({}))
        .await
        .expect_error(422, "empty_audience");
    let n = app
        .post(
            &invitations,
            &c.leader_a.token,
            json!({ "grid_ids": [c.grid_a], "roles": ["volunteer"] }),
        )
        .await
        .expect(200);
    assert_eq!(n["invited"], 5, "grid A's five people, the volunteers counted once");
    let seen = app
        .get(&format!("/api/v1/events/{id}"), &c.owner.token)
        .await
        .expect(200);
    assert!(seen["checkin_code"].is_null(), "residents do not see the code");
    app.post(
        &format!("/api/v1/events/{id}/rsvp"),
        &c.owner.token,
        json!({ "response": "maybe" }),
    )
    .await
    .expect_error(422, "invalid_field");

    let path = format!("/api/v1/events/{id}/checkin");
    let checkin = |code: &str| app.post(&path, &c.volunteer.token, json!({ "code": code }));
    checkin(&code).await.expect_error(409, "checkin_not_open");
    app.clock.advance_ms(5 * HOUR);
    checkin("000000x").await.expect_error(422, "wrong_code");
    let attended = checkin(&code).await.expect(200);
    assert_eq!(attended["minutes"], 120, "what it will credit");
    checkin(&code).await.expect(200);
    let hours = app.get("/api/v1/me/hours", &c.volunteer.token).await.expect(200);
    assert_eq!(
        hours["total_minutes"], 0,
        "nothing is credited before the event is over"
    );
    app.clock.advance_ms(4 * HOUR);
    checkin(&code).await.expect_error(409, "checkin_closed");
    for _ in 0..2 {
        microwish_core::schedule::scan(&app.db, &app.state().settings, {
            use microwish_core::Clock;
            app.clock.now_ms()
        })
        .await
        .expect("scan");
    }
    let hours = app.get("/api/v1/me/hours", &c.volunteer.token).await.expect(200);
    assert_eq!(
        hours["total_minutes"], 120,
        "attendance is credited once, when the event is over"
    );

    let ranking = app
        .get(
            &format!("/api/v1/grids/{}/hours-ranking?period=month", c.grid_a),
            &c.owner.token,
        )
        .await
        .expect(200);
    assert_eq!(ranking[0]["user_id"], c.volunteer.id);
    assert_eq!(ranking[0]["minutes"], 120);
    app.get(
        &format!("/api/v1/grids/{}/hours-ranking?period=week", c.grid_a),
        &c.owner.token,
    )
    .await
    .expect_error(422, "invalid_field");
    app.get(&format!("/api/v1/grids/{}/hours-ranking", c.grid_b), &c.owner.token)
        .await
        .expect_error(403, "forbidden");

    // A confirmed wish credits its volunteer once, at the scheduler's next scan.
    use microwish_core::Clock;
    let wish = app.wish(&c.owner, "帮忙取快递").await["id"].as_i64().unwrap();
    app.act(&c.volunteer2, wish, "claim", None).await.expect(200);
    app.act(&c.volunteer2, wish, "fulfil", Some(json!({ "note": "已送到" })))
        .await
        .expect(200);
    app.act(&c.owner, wish, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);
    let settings = app.state().settings.clone();
    for _ in 0..2 {
        reminders::scan(&app.db, &settings, app.clock.now_ms()).await.unwrap();
    }
    let hours = app.get("/api/v1/me/hours", &c.volunteer2.token).await.expect(200);
    assert_eq!(hours["total_minutes"], 60);
    assert_eq!(hours["entries"][0]["source"], "wish");
    assert_eq!(hours["entries"][0]["wish_id"], wish);
    // The ledger is append-only: the database itself refuses edits.
    let edit = sqlx::query("UPDATE volunteer_hours SET minutes = 600")
        .execute(app.db.pool())
        .await;
    assert!(edit.is_err(), "entries are never edited");
}

const EVENT_TEMPLATE: &str = "TPL-EVENT";

/// Notifier settings plus a subscribe-message template for invitations.
fn configure_events(s: &mut microwish_core::Settings) {
    configure(s);
    s.wechat
        .templates
        .set(microwish_core::NotificationKind::EventInvitation, EVENT_TEMPLATE);
}

both_engines!(
    invitations_reach_wechat_with_a_link_to_the_event,
    wechat_invitation,
    super::configure_events
);
async fn wechat_invitation(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    let worker = worker(&app, &capture, |_| {});
    app.stub
        .register_template(EVENT_TEMPLATE, &microwish_notifier::channel::wechat::TEMPLATE_KEYS);
    app.post(
        "/api/v1/me/subscriptions",
        &c.owner.token,
        json!({ "results": { EVENT_TEMPLATE: "accept" } }),
    )
    .await
    .expect(200);
    app.stub.grant_subscription(&c.owner.openid, EVENT_TEMPLATE, 1);
    let id = event(&app, &c.admin, 24, json!({})).await["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/events/{id}/invitations"),
        &c.admin.token,
        json!({ "user_ids": [c.owner.id] }),
    )
    .await
    .expect(200);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let sent = app.stub.subscribe_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["template_id"], EVENT_TEMPLATE);
    assert_eq!(sent[0]["page"], format!("pages/event/detail?id={id}"));
    assert_eq!(sent[0]["data"]["thing1"]["value"], "主题党日：清洁家园");
    assert!(capture.messages().is_empty(), "one channel is enough");
}
