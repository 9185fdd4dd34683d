//! Recurring wishes, on both engines: a weekly wish opens its next occurrence when one closes
//! (confirmed, or closed by itself) — offered first to the volunteer who served it, then to
//! anyone; on schedule when its date comes, exactly once with two schedulers scanning at once;
//! a cancel stops the series, and so does its end date; bad rules are 422s.

use serde_json::{Value, json};
use sqlx::Row;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};
use microwish_core::Clock;
use microwish_core::clock::{parse_rfc3339, rfc3339};
use microwish_core::schedule::{ScanReport, scan};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Posts a weekly medicine run first due `due_in` from now, with `repeat` extras; the wish.
async fn weekly(app: &TestApp, who: &TestUser, due_in: i64, repeat: Value) -> Value {
    let mut rule = json!({ "every": "week" });
    rule.as_object_mut()
        .unwrap()
        .extend(repeat.as_object().unwrap().clone());
    let body = json!({
        "title": "每周取降压药", "description": "社区医院，每周一次", "category": "medicine",
        "due_at": rfc3339(app.clock.now_ms() + due_in), "repeat": rule,
    });
    app.post("/api/v1/wishes", &who.token, body).await.expect(201)
}

/// The occurrences of a series: (id, occurrence, status), in order.
async fn series(app: &TestApp, series_id: i64) -> Vec<(i64, i64, String)> {
    let rows = sqlx::query("SELECT id, occurrence, status FROM wishes WHERE series_id = $1 ORDER BY occurrence")
        .bind(series_id)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect()
}

async fn scan_now(app: &TestApp) -> ScanReport {
    scan(&app.db, &app.state().settings, app.clock.now_ms())
        .await
        .expect("scan")
}

async fn wish(app: &TestApp, who: &TestUser, id: i64) -> Value {
    app.get(&format!("/api/v1/wishes/{id}"), &who.token).await.expect(200)
}

fn time_of(v: &Value) -> i64 {
    parse_rfc3339(v.as_str().expect("a time")).expect("RFC 3339")
}

both_engines!(
    the_next_occurrence_opens_on_close_offered_to_the_last_volunteer,
    on_close
);
async fn on_close(app: TestApp) {
    let c = Community::seed(&app).await;
    let first = weekly(&app, &c.owner, 2 * DAY, json!({})).await;
    let id = first["id"].as_i64().unwrap();
    assert_eq!(first["repeat"], json!({ "every": "week" }), "{first}");
    assert_eq!(
        (first["series_id"].as_i64(), first["occurrence"].as_i64()),
        (Some(id), Some(1))
    );
    let first_due = time_of(&first["due_at"]);

    // Served and confirmed: the second occurrence opens at once, a week after the first date,
    // offered to the volunteer who served it, who is told.
    app.act(&c.volunteer, id, "claim", None).await.expect(200);
    app.act(&c.volunteer, id, "fulfil", Some(json!({ "note": "药已送到" })))
        .await
        .expect(200);
    app.act(&c.owner, id, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);
    let occurrences = series(&app, id).await;
    assert_eq!(occurrences.len(), 2, "{occurrences:?}");
    let second = occurrences[1].0;
    let next = wish(&app, &c.owner, second).await;
    assert_eq!(
        (next["status"].as_str(), next["occurrence"].as_i64()),
        (Some("open"), Some(2))
    );
    assert_eq!(
        (next["title"].as_str(), next["category"].as_str()),
        (Some("每周取降压药"), Some("medicine"))
    );
    assert_eq!(time_of(&next["due_at"]), first_due + 7 * DAY);
    assert_eq!(
        time_of(&next["offered_until"]),
        app.clock.now_ms() + DAY,
        "a day's offer"
    );
    assert!(
        app.outbox(second)
            .await
            .contains(&("wish_offered".into(), c.volunteer.id))
    );
    let timeline = app.timeline(&c.owner, second).await;
    assert_eq!(timeline[0]["action"], "repeat");

    // During the offer only they may claim it — and only their order of open wishes shows it.
    let in_order = |v: &Value| v["items"].as_array().unwrap().iter().any(|w| w["id"] == second);
    let theirs = app
        .get("/api/v1/wishes?order=for_me", &c.volunteer.token)
        .await
        .expect(200);
    let others = app
        .get("/api/v1/wishes?order=for_me", &c.volunteer2.token)
        .await
        .expect(200);
    assert!(in_order(&theirs) && !in_order(&others), "{theirs} / {others}");
    app.act(&c.volunteer2, second, "claim", None)
        .await
        .expect_error(409, "offered");
    app.act(&c.volunteer, second, "claim", None).await.expect(200);
    app.act(&c.volunteer, second, "fulfil", Some(json!({ "note": "送到了" })))
        .await
        .expect(200);

    // Nobody confirms: it closes by itself, which opens the third, offered to them again…
    app.clock.advance_ms(3 * DAY + 60_000);
    let report = scan_now(&app).await;
    assert_eq!(
        (report.auto_closed, report.repeats_opened),
        (1, 0),
        "opened by the close, not the rule"
    );
    let occurrences = series(&app, id).await;
    assert_eq!(
        occurrences.iter().map(|o| o.2.as_str()).collect::<Vec<_>>(),
        ["closed", "closed", "open"]
    );
    let third = occurrences[2].0;
    assert_eq!(
        time_of(&wish(&app, &c.owner, third).await["due_at"]),
        first_due + 14 * DAY
    );
    app.act(&c.volunteer2, third, "claim", None)
        .await
        .expect_error(409, "offered");
    // …and once the offer has lapsed, anyone may claim it.
    app.clock.advance_ms(DAY);
    app.act(&c.volunteer2, third, "claim", None).await.expect(200);
    assert_eq!(scan_now(&app).await.repeats_opened, 0, "the third is not due yet");
}

both_engines!(two_schedulers_open_each_occurrence_exactly_once, two_schedulers);
async fn two_schedulers(app: TestApp) {
    let c = Community::seed(&app).await;
    let id = weekly(&app, &c.owner, HOUR, json!({})).await["id"].as_i64().unwrap();
    // A second scheduler on a pool of its own, as a second process would have.
    let other = microwish::startup::open_database(&app.state().settings)
        .await
        .expect("db");
    let settings = &app.state().settings;
    for round in 1..=3 {
        // Its date has come, nobody served it: the next one opens on schedule, not offered.
        app.clock.advance_ms(if round == 1 { 2 * HOUR } else { 7 * DAY });
        let now = app.clock.now_ms();
        let (a, b) = tokio::join!(scan(&app.db, settings, now), scan(&other, settings, now));
        let opened = a.expect("scan a").repeats_opened + b.expect("scan b").repeats_opened;
        assert_eq!(opened, 1, "round {round}: exactly one of the two opened it");
        let occurrences = series(&app, id).await;
        assert_eq!(occurrences.len(), round + 1, "round {round}: {occurrences:?}");
        assert_eq!(occurrences.last().unwrap().1, round as i64 + 1);
        let (a, b) = tokio::join!(scan(&app.db, settings, now), scan(&other, settings, now));
        assert_eq!(
            a.unwrap().repeats_opened + b.unwrap().repeats_opened,
            0,
            "round {round}: again, nothing"
        );
    }
    let latest = series(&app, id).await.last().unwrap().0;
    let seen = wish(&app, &c.owner, latest).await;
    assert!(
        seen.get("offered_until").is_none(),
        "nobody served the last one: {seen}"
    );
    assert!(app.outbox(latest).await.iter().all(|(kind, _)| kind != "wish_offered"));
    other.close().await;
}

both_engines!(a_cancel_or_the_end_date_stops_the_series, stopping);
async fn stopping(app: TestApp) {
    let c = Community::seed(&app).await;
    // Cancelled: it stops, and says so (no repeat on any occurrence).
    let id = weekly(&app, &c.owner, HOUR, json!({})).await["id"].as_i64().unwrap();
    app.clock.advance_ms(2 * HOUR);
    scan_now(&app).await;
    let second = series(&app, id).await[1].0;
    let body = json!({ "reason": "家人回来了" });
    app.act(&c.owner, second, "cancel", Some(body)).await.expect(200);
    for occurrence in [id, second] {
        let seen = wish(&app, &c.owner, occurrence).await;
        assert!(seen.get("repeat").is_none(), "{seen}");
        assert_eq!(seen["series_id"], id);
    }
    app.clock.advance_ms(14 * DAY);
    scan_now(&app).await;
    assert_eq!(series(&app, id).await.len(), 2, "no occurrence after a cancel");

    // Until a date: the occurrence due on it is the last. (Signed in afresh: weeks pass.)
    let owner = app.login(&c.owner.openid).await;
    let leader = app.login(&c.leader_a.openid).await;
    let volunteer = app.login(&c.volunteer.openid).await;

    // Stopped on request: the current occurrence stays open, nothing follows. Only the
    // resident's side and staff may; twice is a 409.
    let kept = weekly(&app, &owner, HOUR, json!({})).await["id"].as_i64().unwrap();
    let stop = format!("/api/v1/wishes/{kept}/repeat");
    let answer = app.call("DELETE", &stop, Some(&volunteer.token), None).await;
    answer.expect_error(403, "not_permitted");
    let stopped = app.call("DELETE", &stop, Some(&leader.token), None).await.expect(200);
    assert!(
        stopped.get("repeat").is_none() && stopped["status"] == "open",
        "{stopped}"
    );
    app.call("DELETE", &stop, Some(&owner.token), None)
        .await
        .expect_error(409, "not_repeating");
    let steps = app.timeline(&owner, kept).await;
    assert_eq!(steps.last().unwrap()["action"], "stop_repeat");
    app.clock.advance_ms(2 * HOUR);
    scan_now(&app).await;
    assert_eq!(series(&app, kept).await.len(), 1, "nothing after a stop");

    let due = 3 * HOUR;
    let until = rfc3339(app.clock.now_ms() + due + 7 * DAY);
    let ending = weekly(&app, &owner, due, json!({ "until": until })).await;
    assert_eq!(time_of(&ending["repeat"]["until"]), parse_rfc3339(&until).unwrap());
    let id = ending["id"].as_i64().unwrap();
    for _ in 0..3 {
        app.clock.advance_ms(7 * DAY);
        scan_now(&app).await;
    }
    let occurrences = series(&app, id).await;
    assert_eq!(occurrences.len(), 2, "{occurrences:?}");
    assert!(
        wish(&app, &owner, occurrences[1].0).await.get("repeat").is_none(),
        "ended"
    );
}

both_engines!(bad_repeat_rules_are_refused, bad_rules);
async fn bad_rules(app: TestApp) {
    let c = Community::seed(&app).await;
    let due = rfc3339(app.clock.now_ms() + DAY);
    let body = |repeat: Value, due_at: Option<&str>| {
        let mut b = json!({ "title": "取药", "description": "每周", "category": "medicine", "repeat": repeat });
        if let Some(d) = due_at {
            b["due_at"] = json!(d);
        }
        b
    };
    let before = app.count("wishes").await;
    for (repeat, due_at) in [
        (json!({ "every": "week" }), None),
        (json!({ "every": "daily" }), Some(due.as_str())),
        (
            json!({ "every": "week", "until": rfc3339(app.clock.now_ms()) }),
            Some(due.as_str()),
        ),
        (json!({ "every": "week", "until": "next year" }), Some(due.as_str())),
        (
            json!({ "every": "month", "until": rfc3339(app.clock.now_ms() + 4 * 366 * DAY) }),
            Some(due.as_str()),
        ),
    ] {
        let answer = app
            .post("/api/v1/wishes", &c.owner.token, body(repeat.clone(), due_at))
            .await;
        answer.expect_error(422, "invalid_field");
    }
    let answer = app
        .post(
            "/api/v1/wishes",
            &c.owner.token,
            body(json!({ "every": "week", "on": "monday" }), Some(&due)),
        )
        .await;
    assert!(answer.status.is_client_error(), "{}", answer.text);
    assert_eq!(app.count("wishes").await, before, "nothing half-written");
}
