//! Alerts, reminders and escalation end to end: every rule of the scheduler on both engines with
//! a hand-moved clock (never a sleep): the alert appears at the right moment and not a minute
//! before, exactly once even with two schedulers scanning at the same time, and acknowledgement,
//! claims and resolutions stop the ladder. Then delivery (the grid's WeCom robot, quiet hours),
//! the digests in two time zones, the grid overview, and bad input and authorization on the new
//! endpoints.

use serde_json::{Value, json};

use microwish_core::clock::{parse_rfc3339, rfc3339};
use microwish_core::config::ConfigDuration;
use microwish_core::outbox::{self, Notification};
use microwish_core::schedule::ScanReport;
use microwish_core::{Clock, Settings};
use microwish_notifier::Scheduler;
use microwish_testkit::smtp::SmtpCapture;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};
use crate::notifier::worker;

mod lines;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// 10:00 on Wednesday 25 November 2026 in Shanghai: daytime, outside quiet hours.
const WEDNESDAY_10AM_SHANGHAI: &str = "2026-11-25T02:00:00Z";

// ---------------------------------------------------------------------------------------------
// Settings and helpers
// ---------------------------------------------------------------------------------------------

/// No quiet hours (the default 22:00-07:00 would make deliveries depend on the time of day);
/// every escalation timing stays at its documented default.
pub fn configure(s: &mut Settings) {
    s.notifier.quiet_hours = String::new();
}

/// As `configure`, plus a category SLA set in configuration: repairs wait at most 90 minutes.
fn configure_repair_sla(s: &mut Settings) {
    configure(s);
    let sla = ConfigDuration(std::time::Duration::from_secs(90 * 60));
    s.escalation.category_sla.insert("repair".into(), sla);
}

/// As `configure`, in New York.
fn configure_new_york(s: &mut Settings) {
    configure(s);
    s.community.timezone = "America/New_York".into();
}

fn at(rfc3339_text: &str) -> i64 {
    parse_rfc3339(rfc3339_text).expect("an RFC 3339 time")
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// A scheduler over the app's database, settings and clock (as the notifier process builds it).
fn scheduler(app: &TestApp) -> Scheduler {
    Scheduler::new(app.db.clone(), app.state().settings.clone(), app.clock.clone())
}

/// One scan of every rule, as of the clock's now.
async fn scan(app: &TestApp) -> ScanReport {
    scheduler(app).scan_once().await.expect("scan")
}

/// Two schedulers (as in two notifier processes) scanning at the same moment: what both did.
async fn scan_concurrently(app: &TestApp) -> ScanReport {
    let (one, two) = (scheduler(app), scheduler(app));
    let (a, b) = tokio::join!(one.scan_once(), two.scan_once());
    let (a, b) = (a.expect("first scan"), b.expect("second scan"));
    ScanReport {
        alerts: a.alerts + b.alerts,
        messages: a.messages + b.messages,
        auto_closed: a.auto_closed + b.auto_closed,
        repeats_opened: a.repeats_opened + b.repeats_opened,
    }
}

/// `GET /api/v1/alerts{query}` as `user`, expecting 200.
async fn alerts(app: &TestApp, user: &TestUser, query: &str) -> Vec<Value> {
    let list = app
        .get(&format!("/api/v1/alerts{query}"), &user.token)
        .await
        .expect(200);
    list.as_array().expect("an array of alerts").clone()
}

/// The alerts of one kind about one wish, as an admin (who sees every level) lists them.
async fn alerts_about(app: &TestApp, admin: &TestUser, wish_id: i64, kind: &str) -> Vec<Value> {
    alerts(app, admin, "?limit=1000")
        .await
        .into_iter()
        .filter(|a| a["wish_id"] == wish_id && a["kind"] == kind)
        .collect()
}

/// The one alert of `kind` about `wish_id`.
#[track_caller]
fn only(list: &[Value], kind: &str, wish_id: i64) -> Value {
    let found: Vec<&Value> = list
        .iter()
        .filter(|a| a["kind"] == kind && a["wish_id"] == wish_id)
        .collect();
    assert_eq!(found.len(), 1, "one `{kind}` alert for wish {wish_id} in {list:?}");
    found[0].clone()
}

async fn ack(app: &TestApp, user: &TestUser, alert_id: i64) -> crate::helpers::Answer {
    app.call(
        "POST",
        &format!("/api/v1/alerts/{alert_id}/ack"),
        Some(&user.token),
        None,
    )
    .await
}

async fn resolve(app: &TestApp, user: &TestUser, alert_id: i64, body: Value) -> crate::helpers::Answer {
    app.post(&format!("/api/v1/alerts/{alert_id}/resolve"), &user.token, body)
        .await
}

/// Every outbox row about a wish (kind, recipient, urgency, delivery status, payload).
async fn notifications_about(app: &TestApp, wish_id: i64) -> Vec<Notification> {
    let mut conn = app.db.pool().acquire().await.unwrap();
    outbox::for_subject(&mut conn, "wish", wish_id).await.unwrap()
}

/// Recipients of the notifications of `kind` about a wish, in order.
async fn recipients_of(app: &TestApp, wish_id: i64, kind: &str) -> Vec<i64> {
    app.outbox(wish_id)
        .await
        .into_iter()
        .filter(|(k, _)| k == kind)
        .map(|(_, r)| r)
        .collect()
}

/// Every outbox row of `kind` (digests are about no wish).
async fn notifications_of_kind(app: &TestApp, kind: &str) -> Vec<Notification> {
    let mut conn = app.db.pool().acquire().await.unwrap();
    outbox::list(&mut conn, None, Some(kind), 1000).await.unwrap()
}

async fn post_wish(app: &TestApp, user: &TestUser, title: &str, extra: Value) -> i64 {
    let mut body = json!({ "title": title, "description": "请帮帮忙", "category": "errand" });
    for (k, v) in extra.as_object().expect("an object") {
        body[k] = v.clone();
    }
    id(&app.post("/api/v1/wishes", &user.token, body).await.expect(201))
}

/// Claimed and fulfilled by `volunteer`.
async fn claim_and_fulfil(app: &TestApp, volunteer: &TestUser, wish_id: i64) {
    app.act(volunteer, wish_id, "claim", None).await.expect(200);
    app.act(volunteer, wish_id, "fulfil", Some(json!({ "note": "已送到" })))
        .await
        .expect(200);
}

/// The resident confirms with a rating.
async fn confirm(app: &TestApp, resident: &TestUser, wish_id: i64, rating: i64) {
    let body = json!({ "rating": rating, "comment": "一般" });
    app.post(&format!("/api/v1/wishes/{wish_id}/confirm"), &resident.token, body)
        .await
        .expect(200);
}

async fn wish_status(app: &TestApp, user: &TestUser, wish_id: i64) -> String {
    let wish = app
        .get(&format!("/api/v1/wishes/{wish_id}"), &user.token)
        .await
        .expect(200);
    wish["status"].as_str().unwrap().to_string()
}

#[track_caller]
fn time_of(v: &Value) -> i64 {
    parse_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}"))).unwrap()
}

// ---------------------------------------------------------------------------------------------
// 1. Unclaimed wishes
// ---------------------------------------------------------------------------------------------

both_engines!(
    an_unclaimed_wish_alerts_its_leader_once_then_the_admins_until_claimed,
    unclaimed_ladder,
    super::configure
);
async fn unclaimed_ladder(app: TestApp) {
    // Arrange: a wish nobody claims (errands wait 24 h by default, then 12 h more).
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    let wish = app.wish(&c.owner, "帮忙取快递").await["id"].as_i64().unwrap();

    // A minute before the SLA: nothing.
    app.clock.advance_ms(DAY - MINUTE);
    assert_eq!(scan(&app).await.alerts, 0);
    assert!(alerts(&app, &c.leader_a, "").await.is_empty());
    assert!(recipients_of(&app, wish, "alert").await.is_empty());

    // At the SLA, two schedulers at once: exactly one alert, for the leader, with one notification.
    app.clock.advance_ms(MINUTE);
    assert_eq!(scan_concurrently(&app).await.alerts, 1);
    let list = alerts(&app, &c.leader_a, "").await;
    assert_eq!(list.len(), 1, "{list:?}");
    let alert = &list[0];
    assert_eq!(alert["kind"], "unclaimed");
    assert_eq!(alert["level"], 1);
    assert_eq!(alert["wish_id"], wish);
    assert_eq!(alert["grid_id"], c.grid_a);
    assert_eq!(alert["status"], "open");
    assert!(alert["summary"].as_str().unwrap().contains("帮忙取快递"), "{alert}");
    assert_eq!(time_of(&alert["created_at"]), app.clock.now_ms());
    assert!(alert["acked_by"].is_null() && alert["resolved_at"].is_null());
    assert_eq!(recipients_of(&app, wish, "alert").await, vec![c.leader_a.id]);
    assert_eq!(scan(&app).await.alerts, 0, "scanning again raises nothing new");

    // Unacknowledged for escalate_after (12 h): not a minute early, then the admins, once.
    app.clock.advance_ms(12 * HOUR - MINUTE);
    assert_eq!(scan(&app).await.alerts, 0);
    assert!(
        alerts_about(&app, &c.admin, wish, "unclaimed_escalated")
            .await
            .is_empty()
    );
    app.clock.advance_ms(MINUTE);
    assert_eq!(scan_concurrently(&app).await.alerts, 1);
    assert_eq!(scan(&app).await.alerts, 0);
    let escalated = only(&alerts(&app, &c.admin, "").await, "unclaimed_escalated", wish);
    assert_eq!(escalated["level"], 2);
    assert_eq!(escalated["status"], "open");
    assert_eq!(escalated["grid_id"], c.grid_a);
    assert_eq!(
        recipients_of(&app, wish, "alert").await,
        vec![c.leader_a.id, c.admin.id]
    );
    let leaders_view = alerts(&app, &c.leader_a, "").await;
    assert_eq!(leaders_view.len(), 1, "leaders see level 1 only: {leaders_view:?}");

    // A claim resolves both, on the system's behalf.
    app.act(&c.volunteer, wish, "claim", None).await.expect(200);
    for kind in ["unclaimed", "unclaimed_escalated"] {
        let a = &alerts_about(&app, &c.admin, wish, kind).await[0];
        assert_eq!(a["status"], "resolved", "{a}");
        assert!(a["resolved_by"].is_null(), "the system resolved it: {a}");
        assert_eq!(time_of(&a["resolved_at"]), app.clock.now_ms());
    }
    assert!(alerts(&app, &c.leader_a, "?status=open").await.is_empty());
    assert_eq!(scan(&app).await.alerts, 0);

    // Released, the wish waits afresh: a new period, a new alert a full SLA later.
    app.act(&c.volunteer, wish, "release", Some(json!({ "reason": "临时有事" })))
        .await
        .expect(200);
    app.clock.advance_ms(DAY - MINUTE);
    assert_eq!(scan(&app).await.alerts, 0);
    app.clock.advance_ms(MINUTE);
    assert_eq!(scan(&app).await.alerts, 1);
    let unclaimed = alerts_about(&app, &c.admin, wish, "unclaimed").await;
    let statuses: Vec<&str> = unclaimed.iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["open", "resolved"], "newest first");
}

both_engines!(
    acknowledging_an_unclaimed_alert_stops_the_escalation,
    acknowledged_ladder,
    super::configure
);
async fn acknowledged_ladder(app: TestApp) {
    // Arrange: the leader has an unclaimed-wish alert.
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    let wish = app.wish(&c.owner, "陪老人聊天").await["id"].as_i64().unwrap();
    app.clock.advance_ms(DAY);
    assert_eq!(scan(&app).await.alerts, 1);
    let alert = id(&alerts(&app, &c.leader_a, "").await[0]);

    // Act: the leader acknowledges it.
    app.clock.advance_ms(10 * MINUTE);
    let acked = ack(&app, &c.leader_a, alert).await.expect(200);

    // Assert: who and when are recorded; a second acknowledgement is a conflict.
    assert_eq!(acked["status"], "acknowledged");
    assert_eq!(acked["acked_by"], c.leader_a.id);
    assert_eq!(time_of(&acked["acked_at"]), app.clock.now_ms());
    ack(&app, &c.leader_a, alert)
        .await
        .expect_error(409, "invalid_transition");

    // Long past escalate_after, nobody bothers the admins.
    app.clock.advance_ms(2 * DAY);
    scan(&app).await;
    assert!(
        alerts_about(&app, &c.admin, wish, "unclaimed_escalated")
            .await
            .is_empty()
    );
    assert_eq!(recipients_of(&app, wish, "alert").await, vec![c.leader_a.id]);

    // A cancel resolves the acknowledged alert.
    app.act(&c.owner, wish, "cancel", Some(json!({ "reason": "不需要了" })))
        .await
        .expect(200);
    let after = &alerts(&app, &c.leader_a, "").await[0];
    assert_eq!(after["status"], "resolved");
    assert_eq!(after["acked_by"], c.leader_a.id, "the acknowledgement is kept");
    ack(&app, &c.leader_a, alert)
        .await
        .expect_error(409, "invalid_transition");
}

both_engines!(
    a_category_sla_overrides_the_default_wait,
    category_sla,
    super::configure_repair_sla
);
async fn category_sla(app: TestApp) {
    // Arrange: medicine waits 4 h (default configuration), repairs 90 min (set above), errands 24 h.
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    let errand = app.wish(&c.owner, "帮忙取快递").await["id"].as_i64().unwrap();
    let medicine = post_wish(&app, &c.owner, "帮忙买降压药", json!({ "category": "medicine" })).await;
    let repair = post_wish(&app, &c.other_resident, "水龙头漏水", json!({ "category": "repair" })).await;
    let raised = |list: Vec<Value>| -> Vec<i64> { list.iter().map(|a| a["wish_id"].as_i64().unwrap()).collect() };

    // Repairs: not at 89 minutes, at 90.
    app.clock.advance_ms(89 * MINUTE);
    assert_eq!(scan(&app).await.alerts, 0);
    app.clock.advance_ms(MINUTE);
    assert_eq!(scan(&app).await.alerts, 1);
    assert_eq!(raised(alerts(&app, &c.leader_a, "").await), vec![repair]);

    // Medicine: not at 3:59, at 4:00; the errand still waits.
    app.clock.advance_ms(4 * HOUR - 90 * MINUTE - MINUTE);
    assert_eq!(scan(&app).await.alerts, 0);
    app.clock.advance_ms(MINUTE);
    assert_eq!(scan_concurrently(&app).await.alerts, 1);
    assert_eq!(raised(alerts(&app, &c.leader_a, "").await), vec![medicine, repair]);
    let medicine_alert = only(&alerts(&app, &c.leader_a, "").await, "unclaimed", medicine);
    assert!(medicine_alert["summary"].as_str().unwrap().contains("帮忙买降压药"));

    // The errand at its own 24 h.
    app.clock.advance_ms(DAY - 4 * HOUR - MINUTE);
    scan(&app).await;
    assert!(alerts_about(&app, &c.admin, errand, "unclaimed").await.is_empty());
    app.clock.advance_ms(MINUTE);
    scan(&app).await;
    assert_eq!(alerts_about(&app, &c.admin, errand, "unclaimed").await.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// 2. Urgent wishes and vulnerable residents
// ---------------------------------------------------------------------------------------------

both_engines!(
    urgent_wishes_and_vulnerable_residents_alert_at_once,
    urgent_and_vulnerable,
    super::configure
);
async fn urgent_and_vulnerable(app: TestApp) {
    let c = Community::seed(&app).await;

    // An urgent wish alerts the leader at once (no scan needed), urgently.
    let urgent = post_wish(&app, &c.owner, "老人摔倒了", json!({ "urgency": "urgent" })).await;
    let alert = only(&alerts(&app, &c.leader_a, "").await, "urgent", urgent);
    assert_eq!(alert["level"], 1);
    assert_eq!(alert["status"], "open");
    let sent: Vec<(i64, bool)> = notifications_about(&app, urgent)
        .await
        .into_iter()
        .filter(|n| n.kind.as_str() == "alert")
        .map(|n| (n.recipient_id, n.urgent))
        .collect();
    assert_eq!(sent, vec![(c.leader_a.id, true)]);

    // Only the resident's grid leader and admins may set the vulnerable flag.
    let path = format!("/api/v1/residents/{}/vulnerable", c.owner.id);
    let flag = json!({ "vulnerable": true, "note": "独居老人" });
    for outsider in [&c.owner, &c.volunteer, &c.other_resident, &c.leader_b] {
        app.put(&path, &outsider.token, flag.clone())
            .await
            .expect_error(403, "not_permitted");
    }
    let set = app.put(&path, &c.leader_a.token, flag).await.expect(200);
    assert_eq!(set, json!({ "id": c.owner.id, "vulnerable": true, "note": "独居老人" }));

    // …and the resident never sees it.
    let me = app.call("GET", "/api/v1/me", Some(&c.owner.token), None).await;
    assert_eq!(me.status.as_u16(), 200);
    assert!(me.body.get("vulnerable").is_none(), "{}", me.text);
    assert!(!me.text.contains("独居老人"), "{}", me.text);

    // Her ordinary wish now alerts at once; another resident's does not.
    let hers = app.wish(&c.owner, "帮忙换灯泡").await["id"].as_i64().unwrap();
    let theirs = app.wish(&c.other_resident, "帮忙换灯泡").await["id"].as_i64().unwrap();
    let list = alerts(&app, &c.leader_a, "").await;
    let vulnerable = only(&list, "vulnerable", hers);
    assert!(vulnerable["summary"].as_str().unwrap().contains("帮忙换灯泡"));
    assert!(list.iter().all(|a| a["wish_id"] != theirs), "{list:?}");
    let urgent_flags: Vec<bool> = notifications_about(&app, hers)
        .await
        .into_iter()
        .filter(|n| n.kind.as_str() == "alert")
        .map(|n| n.urgent)
        .collect();
    assert_eq!(urgent_flags, vec![true]);

    // An admin clears the flag: her next wish waits like anyone's.
    let cleared = app
        .put(&path, &c.admin.token, json!({ "vulnerable": false }))
        .await
        .expect(200);
    assert_eq!(cleared["vulnerable"], false);
    let next = app.wish(&c.owner, "帮忙取报纸").await["id"].as_i64().unwrap();
    assert!(alerts_about(&app, &c.admin, next, "vulnerable").await.is_empty());
    assert!(recipients_of(&app, next, "alert").await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// 3. Overdue claims
// ---------------------------------------------------------------------------------------------

both_engines!(
    an_overdue_claim_reminds_the_volunteer_then_alerts_the_leader,
    overdue_claim,
    super::configure
);
async fn overdue_claim(app: TestApp) {
    // Arrange: a claim held with no due time (overdue after 48 h, the leader 24 h after that).
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    let wish = app.wish(&c.owner, "帮忙修椅子").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, wish, "claim", None).await.expect(200);

    // The volunteer is reminded at 48 h, not a minute before, once.
    app.clock.advance_ms(2 * DAY - MINUTE);
    scan(&app).await;
    assert!(recipients_of(&app, wish, "wish_overdue").await.is_empty());
    app.clock.advance_ms(MINUTE);
    scan_concurrently(&app).await;
    scan(&app).await;
    assert_eq!(recipients_of(&app, wish, "wish_overdue").await, vec![c.volunteer.id]);
    assert!(
        alerts(&app, &c.leader_a, "").await.is_empty(),
        "the leader is not bothered yet"
    );

    // Still not fulfilled 24 h later: the leader is alerted, once.
    app.clock.advance_ms(DAY - MINUTE);
    assert_eq!(scan(&app).await.alerts, 0);
    app.clock.advance_ms(MINUTE);
    assert_eq!(scan_concurrently(&app).await.alerts, 1);
    assert_eq!(scan(&app).await.alerts, 0);
    let alert = only(&alerts(&app, &c.leader_a, "").await, "overdue_claim", wish);
    assert_eq!(alert["level"], 1);
    assert_eq!(alert["status"], "open");
    assert_eq!(recipients_of(&app, wish, "alert").await, vec![c.leader_a.id]);
    assert_eq!(recipients_of(&app, wish, "wish_overdue").await.len(), 1);

    // Fulfilment resolves it.
    app.act(&c.volunteer, wish, "fulfil", Some(json!({ "note": "修好了" })))
        .await
        .expect(200);
    let after = only(&alerts(&app, &c.leader_a, "").await, "overdue_claim", wish);
    assert_eq!(after["status"], "resolved");

    // A wish with a due time is overdue at that time, well before 48 h.
    let due = rfc3339(app.clock.now_ms() + 2 * HOUR);
    let soon = post_wish(&app, &c.other_resident, "下午三点前取药", json!({ "due_at": due })).await;
    app.act(&c.volunteer2, soon, "claim", None).await.expect(200);
    app.clock.advance_ms(2 * HOUR - MINUTE);
    scan(&app).await;
    assert!(recipients_of(&app, soon, "wish_overdue").await.is_empty());
    app.clock.advance_ms(MINUTE);
    scan(&app).await;
    assert_eq!(recipients_of(&app, soon, "wish_overdue").await, vec![c.volunteer2.id]);
}

// ---------------------------------------------------------------------------------------------
// 4. Fulfilled but unconfirmed
// ---------------------------------------------------------------------------------------------

both_engines!(
    an_unconfirmed_wish_reminds_the_resident_once_then_closes_itself,
    unconfirmed,
    super::configure
);
async fn unconfirmed(app: TestApp) {
    // Arrange: fulfilled, never confirmed (reminder after 24 h, auto-close after 3 days).
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    let wish = app.wish(&c.owner, "帮忙买菜").await["id"].as_i64().unwrap();
    claim_and_fulfil(&app, &c.volunteer, wish).await;

    // One reminder at 24 h, however often the scheduler looks.
    app.clock.advance_ms(DAY - MINUTE);
    scan(&app).await;
    assert!(recipients_of(&app, wish, "wish_confirm_reminder").await.is_empty());
    app.clock.advance_ms(MINUTE);
    scan(&app).await;
    scan(&app).await;
    app.clock.advance_ms(HOUR);
    scan(&app).await;
    assert_eq!(
        recipients_of(&app, wish, "wish_confirm_reminder").await,
        vec![c.owner.id]
    );

    // Not closed a minute before the 3 days…
    app.clock.advance_ms(3 * DAY - DAY - HOUR - MINUTE);
    assert_eq!(scan(&app).await.auto_closed, 0);
    assert_eq!(wish_status(&app, &c.owner, wish).await, "fulfilled");

    // …closed at 3 days, once, by two schedulers.
    app.clock.advance_ms(MINUTE);
    assert_eq!(scan_concurrently(&app).await.auto_closed, 1);
    assert_eq!(scan(&app).await.auto_closed, 0);
    let closed = app
        .get(&format!("/api/v1/wishes/{wish}"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(closed["status"], "closed");

    // The timeline says it was automatic: no actor.
    let timeline = app
        .get(&format!("/api/v1/wishes/{wish}/timeline"), &c.owner.token)
        .await
        .expect(200);
    let entries = timeline.as_array().unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last["action"], "auto_close", "{timeline}");
    assert!(last["actor_id"].is_null(), "{last}");
    assert_eq!(last["from_status"], "fulfilled");
    assert_eq!(last["to_status"], "closed");
    assert_eq!(time_of(&last["at"]), app.clock.now_ms());
    assert_eq!(entries.iter().filter(|e| e["action"] == "auto_close").count(), 1);
    assert_eq!(recipients_of(&app, wish, "wish_confirm_reminder").await.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// 5. Bad ratings and callbacks
// ---------------------------------------------------------------------------------------------

both_engines!(
    a_bad_rating_opens_a_callback_that_escalates_when_overdue,
    bad_rating_callback,
    super::configure
);
async fn bad_rating_callback(app: TestApp) {
    // Arrange: three fulfilled wishes.
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    let poor = app.wish(&c.owner, "帮忙搬柜子").await["id"].as_i64().unwrap();
    let fair = app.wish(&c.owner, "帮忙取药").await["id"].as_i64().unwrap();
    let awful = app.wish(&c.other_resident, "帮忙修门锁").await["id"].as_i64().unwrap();
    for w in [poor, fair, awful] {
        claim_and_fulfil(&app, &c.volunteer, w).await;
    }

    // Act: ratings 2, 3 and 1.
    let confirmed_at = app.clock.now_ms();
    confirm(&app, &c.owner, poor, 2).await;
    confirm(&app, &c.owner, fair, 3).await;
    confirm(&app, &c.other_resident, awful, 1).await;

    // Assert: callbacks for 2 and 1 (due within 48 h), none for 3.
    let list = alerts(&app, &c.leader_a, "").await;
    let callback = only(&list, "callback", poor);
    assert_eq!(callback["level"], 1);
    assert_eq!(callback["status"], "open");
    assert_eq!(time_of(&callback["due_at"]), confirmed_at + 2 * DAY);
    only(&list, "callback", awful);
    assert!(list.iter().all(|a| a["wish_id"] != fair), "{list:?}");
    assert_eq!(recipients_of(&app, poor, "alert").await, vec![c.leader_a.id]);

    // The leader records the outcome of one callback.
    let callback_id = id(&callback);
    resolve(&app, &c.leader_a, callback_id, json!({ "note": "" }))
        .await
        .expect_error(422, "invalid_field");
    resolve(&app, &c.leader_a, callback_id, json!({ "note": "x".repeat(501) }))
        .await
        .expect_error(422, "invalid_field");
    app.clock.advance_ms(3 * HOUR);
    let resolved = resolve(
        &app,
        &c.leader_a,
        callback_id,
        json!({ "note": "已电话回访，居民表示理解" }),
    )
    .await
    .expect(200);
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolved_by"], c.leader_a.id);
    assert_eq!(resolved["resolution_note"], "已电话回访，居民表示理解");
    assert_eq!(time_of(&resolved["resolved_at"]), app.clock.now_ms());
    resolve(&app, &c.leader_a, callback_id, json!({ "note": "再次回访" }))
        .await
        .expect_error(409, "invalid_transition");

    // The other callback is left alone past its deadline: admins hear of it, once.
    app.clock.set_ms(confirmed_at + 2 * DAY - MINUTE);
    assert_eq!(scan(&app).await.alerts, 0);
    app.clock.advance_ms(MINUTE);
    assert_eq!(scan_concurrently(&app).await.alerts, 1);
    assert_eq!(scan(&app).await.alerts, 0);
    let overdue = only(&alerts(&app, &c.admin, "").await, "callback_overdue", awful);
    assert_eq!(overdue["level"], 2);
    assert_eq!(overdue["status"], "open");
    assert!(alerts_about(&app, &c.admin, poor, "callback_overdue").await.is_empty());
    assert_eq!(
        recipients_of(&app, awful, "alert").await,
        vec![c.leader_a.id, c.admin.id]
    );
    let leaders_view = alerts(&app, &c.leader_a, "").await;
    assert!(
        leaders_view.iter().all(|a| a["kind"] != "callback_overdue"),
        "{leaders_view:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Digests
// ---------------------------------------------------------------------------------------------

both_engines!(
    leaders_get_a_daily_digest_at_eight_in_shanghai_and_none_when_quiet,
    digest_in_shanghai,
    super::configure
);
async fn digest_in_shanghai(app: TestApp) {
    // Arrange, on Wednesday the 25th: one wish stays open, one is done and rated 4.
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    app.wish(&c.owner, "帮忙取快递").await;
    let done = app.wish(&c.other_resident, "帮忙买菜").await["id"].as_i64().unwrap();
    claim_and_fulfil(&app, &c.volunteer, done).await;
    confirm(&app, &c.other_resident, done, 4).await;

    // 07:59 on Thursday in Shanghai: no digest yet.
    app.clock.set_ms(at("2026-11-26T07:59:00+08:00"));
    scan(&app).await;
    assert!(notifications_of_kind(&app, "digest").await.is_empty());

    // 08:00: one digest for grid A's leader, however many schedulers look, however often.
    app.clock.set_ms(at("2026-11-26T08:00:00+08:00"));
    scan_concurrently(&app).await;
    app.clock.advance_ms(30 * MINUTE);
    scan(&app).await;
    let digests = notifications_of_kind(&app, "digest").await;
    assert_eq!(digests.len(), 1, "{digests:?}");
    let digest = &digests[0];
    assert_eq!(digest.recipient_id, c.leader_a.id, "grid B had nothing to say");
    assert!(!digest.urgent);
    let p = &digest.payload;
    assert_eq!(p["date"], "2026-11-26");
    assert_eq!(p["new"], 2, "{p}");
    assert_eq!(p["open"], 1, "{p}");
    assert_eq!(p["closed"], 1, "{p}");
    assert_eq!(p["overdue"], 0, "{p}");
    assert_eq!(p["escalated"], 0, "{p}");
    assert_eq!(p["average_rating"].as_f64(), Some(4.0), "{p}");

    // The next morning: a new day, a new digest (the open wish is still open).
    app.clock.set_ms(at("2026-11-27T08:00:00+08:00"));
    scan(&app).await;
    scan(&app).await;
    let digests = notifications_of_kind(&app, "digest").await;
    assert_eq!(digests.len(), 2, "{digests:?}");
    assert_eq!(digests[0].payload["date"], "2026-11-27");
    assert_eq!(digests[0].payload["new"], 0);
    assert_eq!(digests[0].payload["open"], 1);
}

both_engines!(
    digests_follow_the_community_time_zone,
    digest_in_new_york,
    super::configure_new_york
);
async fn digest_in_new_york(app: TestApp) {
    // Arrange: two wishes on Wednesday the 25th, New York time — the second is already
    // Thursday in Shanghai.
    app.clock.set_ms(at("2026-11-25T10:00:00-05:00"));
    let c = Community::seed(&app).await;
    app.wish(&c.owner, "帮忙取快递").await;
    app.clock.set_ms(at("2026-11-25T22:00:00-05:00"));
    app.wish(&c.other_resident, "帮忙遛狗").await;

    // 07:59 in New York (20:59 in Shanghai): nothing.
    app.clock.set_ms(at("2026-11-26T07:59:00-05:00"));
    scan(&app).await;
    assert!(notifications_of_kind(&app, "digest").await.is_empty());

    // 08:00 in New York: the digest counts New York's yesterday.
    app.clock.set_ms(at("2026-11-26T08:00:00-05:00"));
    scan_concurrently(&app).await;
    let digests = notifications_of_kind(&app, "digest").await;
    assert_eq!(digests.len(), 1, "{digests:?}");
    assert_eq!(digests[0].recipient_id, c.leader_a.id);
    assert_eq!(digests[0].payload["date"], "2026-11-26");
    assert_eq!(digests[0].payload["new"], 2, "both were posted on New York's 25th");
    assert_eq!(digests[0].payload["open"], 2);
}

both_engines!(
    volunteers_who_opt_in_get_a_weekly_digest_on_monday,
    weekly_digest,
    super::configure
);
async fn weekly_digest(app: TestApp) {
    // Arrange: Sunday the 29th; an open wish; one volunteer opts in, the other does not.
    app.clock.set_ms(at("2026-11-29T10:00:00+08:00"));
    let c = Community::seed(&app).await;
    app.wish(&c.owner, "帮忙取快递").await;
    app.put("/api/v1/me", &c.volunteer.token, json!({ "weekly_digest": true }))
        .await
        .expect(200);

    // Monday 07:59: nothing; 08:00: one for the volunteer who asked; Tuesday: no more.
    app.clock.set_ms(at("2026-11-30T07:59:00+08:00"));
    scan(&app).await;
    assert!(notifications_of_kind(&app, "weekly_digest").await.is_empty());
    app.clock.set_ms(at("2026-11-30T08:00:00+08:00"));
    scan_concurrently(&app).await;
    app.clock.set_ms(at("2026-12-01T08:00:00+08:00"));
    scan(&app).await;
    let weekly = notifications_of_kind(&app, "weekly_digest").await;
    assert_eq!(weekly.len(), 1, "{weekly:?}");
    assert_eq!(weekly[0].recipient_id, c.volunteer.id);
    assert_eq!(weekly[0].payload["open"], 1);
    assert_eq!(weekly[0].payload["grid_id"], c.grid_a);
}

// ---------------------------------------------------------------------------------------------
// 7. Delivery: the grid's robot, quiet hours
// ---------------------------------------------------------------------------------------------

/// The texts a WeCom robot received.
fn robot_texts(app: &TestApp, key: &str) -> Vec<String> {
    app.stub
        .robot_messages(key)
        .iter()
        .map(|m| m["text"]["content"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Delivery status and channel of the one notification of `kind` about a wish: `alert` for the
/// leader's own channels, `grid_alert` for the WeCom robot of the grid's work group.
async fn delivery(app: &TestApp, wish_id: i64, kind: &str) -> (String, Option<String>) {
    let all = notifications_about(app, wish_id).await;
    let found: Vec<&Notification> = all.iter().filter(|n| n.kind.as_str() == kind).collect();
    assert_eq!(found.len(), 1, "one `{kind}` about wish {wish_id}: {all:?}");
    (found[0].status.as_str().to_string(), found[0].channel.clone())
}

fn sent_by(channel: &str) -> (String, Option<String>) {
    ("sent".to_string(), Some(channel.to_string()))
}

both_engines!(
    alerts_reach_the_grid_robot_and_only_urgent_ones_break_quiet_hours,
    robot_and_quiet_hours,
    super::configure
);
async fn robot_and_quiet_hours(app: TestApp) {
    // Arrange: grid A has a WeCom robot; its leader reads email; the worker keeps quiet hours
    // 22:00-07:00.
    const ROBOT: &str = "ROBOT-KEY-GRID-A";
    let capture = SmtpCapture::start().await.unwrap();
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    crate::notifier::email(&app, &c.leader_a, "leader@example.com").await;
    app.stub.register_robot(ROBOT);
    let grid = json!({ "name": "第一网格", "leader_user_id": c.leader_a.id, "wecom_robot_key": ROBOT });
    app.put(&format!("/api/v1/admin/grids/{}", c.grid_a), &c.admin.token, grid)
        .await
        .expect(200);
    let worker = worker(&app, &capture, |s| s.notifier.quiet_hours = "22:00-07:00".into());

    // Daytime: an unclaimed alert goes to the robot, naming the wish and mentioning the leader,
    // and to the leader's own mailbox.
    let daytime = app.wish(&c.owner, "帮忙取快递").await["id"].as_i64().unwrap();
    app.clock.advance_ms(DAY);
    assert_eq!(scan(&app).await.alerts, 1);
    while worker.run_once().await.unwrap() > 0 {}
    let messages = app.stub.robot_messages(ROBOT);
    assert_eq!(messages.len(), 1, "{messages:?}");
    let text = &messages[0]["text"];
    let content = text["content"].as_str().unwrap();
    assert!(content.contains("帮忙取快递"), "the wish is named: {content}");
    assert!(content.contains("刘网格长"), "the leader is named: {content}");
    assert_eq!(
        text["mentioned_mobile_list"],
        json!(["13600004444"]),
        "the leader is mentioned: {text}"
    );
    assert_eq!(delivery(&app, daytime, "grid_alert").await, sent_by("robot"));
    assert_eq!(delivery(&app, daytime, "alert").await, sent_by("email"));
    app.act(&c.volunteer, daytime, "claim", None).await.expect(200);
    let mails_by_day = capture.messages().len();

    // 23:30 on Friday the 27th: one unclaimed alert (posted a day and a half ago) and one urgent.
    let waiting = app.wish(&c.other_resident, "明早帮忙买菜").await["id"]
        .as_i64()
        .unwrap();
    app.clock.set_ms(at("2026-11-27T23:30:00+08:00"));
    assert_eq!(scan(&app).await.alerts, 1);
    let urgent = post_wish(&app, &c.owner, "独居老人没开门", json!({ "urgency": "urgent" })).await;
    while worker.run_once().await.unwrap() > 0 {}

    // The urgent one went out on both; the other waits for the morning on both.
    let texts = robot_texts(&app, ROBOT);
    assert_eq!(
        texts.iter().filter(|t| t.contains("独居老人没开门")).count(),
        1,
        "{texts:?}"
    );
    assert!(!texts.iter().any(|t| t.contains("明早帮忙买菜")), "{texts:?}");
    assert_eq!(delivery(&app, urgent, "grid_alert").await, sent_by("robot"));
    assert_eq!(delivery(&app, urgent, "alert").await, sent_by("email"));
    assert_eq!(delivery(&app, waiting, "grid_alert").await.0, "pending");
    assert_eq!(delivery(&app, waiting, "alert").await.0, "pending");
    assert_eq!(
        capture.messages().len(),
        mails_by_day + 1,
        "only the urgent alert is mailed at night"
    );

    // 06:59: still quiet; 07:00: delivered.
    app.clock.set_ms(at("2026-11-28T06:59:00+08:00"));
    while worker.run_once().await.unwrap() > 0 {}
    assert_eq!(delivery(&app, waiting, "grid_alert").await.0, "pending");
    app.clock.set_ms(at("2026-11-28T07:00:00+08:00"));
    while worker.run_once().await.unwrap() > 0 {}
    assert_eq!(delivery(&app, waiting, "grid_alert").await, sent_by("robot"));
    assert_eq!(delivery(&app, waiting, "alert").await, sent_by("email"));
    let texts = robot_texts(&app, ROBOT);
    assert_eq!(
        texts.iter().filter(|t| t.contains("明早帮忙买菜")).count(),
        1,
        "{texts:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The grid overview
// ---------------------------------------------------------------------------------------------

both_engines!(
    the_grid_overview_counts_waiting_and_measures_waits,
    grid_overview,
    super::configure
);
async fn grid_overview(app: TestApp) {
    // Arrange: three wishes posted at t0 in grid A.
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    let quick = app.wish(&c.owner, "帮忙取快递").await["id"].as_i64().unwrap();
    let slow = app.wish(&c.owner, "帮忙修椅子").await["id"].as_i64().unwrap();
    app.wish(&c.other_resident, "帮忙遛狗").await;

    // quick: claimed after 30 min, fulfilled 60 min later, rated 5.
    app.clock.advance_ms(30 * MINUTE);
    app.act(&c.volunteer, quick, "claim", None).await.expect(200);
    app.clock.advance_ms(60 * MINUTE);
    app.act(&c.volunteer, quick, "fulfil", Some(json!({ "note": "好了" })))
        .await
        .expect(200);
    confirm(&app, &c.owner, quick, 5).await;
    // slow: claimed after 90 min in all, never fulfilled.
    app.act(&c.volunteer2, slow, "claim", None).await.expect(200);

    // Act: three days later (slow is overdue; waiting alerted its leader after a day, then the
    // admins).
    app.clock.advance_ms(DAY);
    scan(&app).await;
    app.clock.advance_ms(2 * DAY);
    scan(&app).await;
    let overview = app
        .get(
            &format!("/api/v1/grids/{}/overview?days=30", c.grid_a),
            &c.leader_a.token,
        )
        .await
        .expect(200);

    // Assert.
    assert_eq!(overview["grid_id"], c.grid_a);
    assert_eq!(overview["days"], 30);
    assert_eq!(overview["open"], 1, "{overview}");
    assert_eq!(overview["overdue"], 1, "{overview}");
    assert_eq!(overview["escalated"], 1, "{overview}");
    assert_eq!(overview["closed"], 1, "{overview}");
    assert_eq!(
        overview["median_minutes_to_claim"], 60,
        "median of 30 and 90: {overview}"
    );
    assert_eq!(overview["median_minutes_to_fulfil"], 60, "{overview}");
    assert_eq!(overview["average_rating"].as_f64(), Some(5.0), "{overview}");
    let open_alerts =
        alerts(&app, &c.admin, "?status=open").await.len() + alerts(&app, &c.admin, "?status=acknowledged").await.len();
    assert_eq!(overview["open_alerts"], open_alerts as i64, "{overview}");

    // The admin sees the same; grid B's leader does not see it at all.
    let by_admin = app
        .get(&format!("/api/v1/grids/{}/overview", c.grid_a), &c.admin.token)
        .await
        .expect(200);
    assert_eq!(by_admin["open"], 1);
    assert_eq!(by_admin["days"], 30, "30 days by default");
    let other = app
        .get(&format!("/api/v1/grids/{}/overview", c.grid_b), &c.leader_b.token)
        .await
        .expect(200);
    assert_eq!(other["open"], 0);
    assert_eq!(other["closed"], 0);
    assert!(other["median_minutes_to_claim"].is_null());
    assert!(other["average_rating"].is_null());
}

// ---------------------------------------------------------------------------------------------
// 8. Bad input and authorization on the new endpoints
// ---------------------------------------------------------------------------------------------

both_engines!(
    alert_endpoints_refuse_bad_input_and_other_grids,
    bad_input_and_authorization,
    super::configure
);
async fn bad_input_and_authorization(app: TestApp) {
    // Arrange: an unclaimed alert in each grid.
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    let wish_a = app.wish(&c.owner, "网格一的心愿").await["id"].as_i64().unwrap();
    let wish_b = app.wish(&c.leader_b, "网格二的心愿").await["id"].as_i64().unwrap();
    app.clock.advance_ms(DAY);
    assert_eq!(scan(&app).await.alerts, 2);
    let alert_a = id(&only(&alerts(&app, &c.leader_a, "").await, "unclaimed", wish_a));
    let alert_b = id(&only(&alerts(&app, &c.leader_b, "").await, "unclaimed", wish_b));
    let (grid_a, grid_b) = (c.grid_a, c.grid_b);

    // Listing: leaders see their own grid only; volunteers and residents none; strangers 401.
    app.call("GET", "/api/v1/alerts", None, None)
        .await
        .expect_error(401, "unauthenticated");
    for outsider in [&c.volunteer, &c.owner] {
        app.get("/api/v1/alerts", &outsider.token)
            .await
            .expect_error(403, "not_permitted");
    }
    app.get(&format!("/api/v1/alerts?grid_id={grid_a}"), &c.leader_b.token)
        .await
        .expect_error(403, "not_permitted");
    let ids = |list: Vec<Value>| -> Vec<i64> { list.iter().map(id).collect() };
    assert_eq!(ids(alerts(&app, &c.leader_b, "").await), vec![alert_b]);
    assert_eq!(ids(alerts(&app, &c.leader_a, "").await), vec![alert_a]);
    assert_eq!(
        ids(alerts(&app, &c.admin, &format!("?grid_id={grid_b}")).await),
        vec![alert_b]
    );
    assert_eq!(ids(alerts(&app, &c.admin, "").await), vec![alert_b, alert_a]);
    assert_eq!(ids(alerts(&app, &c.admin, "?limit=1").await), vec![alert_b]);
    assert!(alerts(&app, &c.leader_a, "?status=resolved").await.is_empty());
    for query in ["?status=bogus", "?limit=0", "?limit=1001"] {
        app.get(&format!("/api/v1/alerts{query}"), &c.admin.token)
            .await
            .expect_error(422, "invalid_field");
    }
    for query in ["?grid_id=abc", "?limit=ten"] {
        let answer = app.get(&format!("/api/v1/alerts{query}"), &c.admin.token).await;
        assert_eq!(answer.status.as_u16(), 400, "{query}: {}", answer.text);
    }

    // Acknowledging and resolving another grid's alert: it does not exist for you.
    ack(&app, &c.leader_b, alert_a).await.expect_error(404, "not_found");
    resolve(&app, &c.leader_b, alert_a, json!({ "note": "不是我的" }))
        .await
        .expect_error(404, "not_found");
    for outsider in [&c.volunteer, &c.owner] {
        let answer = ack(&app, outsider, alert_a).await;
        assert!([403, 404].contains(&answer.status.as_u16()), "{}", answer.text);
    }
    app.call("POST", &format!("/api/v1/alerts/{alert_a}/ack"), None, None)
        .await
        .expect_error(401, "unauthenticated");

    // Garbage ids and unknown alerts.
    for bad in ["abc", "1.5", "99999999999999999999"] {
        let answer = app
            .call("POST", &format!("/api/v1/alerts/{bad}/ack"), Some(&c.admin.token), None)
            .await;
        assert_eq!(answer.status.as_u16(), 400, "{bad}: {}", answer.text);
    }
    ack(&app, &c.admin, 999_999).await.expect_error(404, "not_found");
    resolve(&app, &c.admin, 0, json!({ "note": "x" }))
        .await
        .expect_error(404, "not_found");

    // Resolve needs a note of 1 to 500 characters, in a JSON object.
    let path = format!("/api/v1/alerts/{alert_a}/resolve");
    for (body, status) in [
        (json!({}), 400),
        (json!({ "note": 5 }), 400),
        (json!({ "note": "ok", "extra": 1 }), 400),
        (json!({ "note": "" }), 422),
        (json!({ "note": "   " }), 422),
        (json!({ "note": "回".repeat(501) }), 422),
    ] {
        let answer = app.post(&path, &c.leader_a.token, body.clone()).await;
        assert_eq!(answer.status.as_u16(), status, "{body}: {}", answer.text);
        assert!(answer.body["code"].is_string(), "{}", answer.text);
    }
    let not_json = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(&c.leader_a.token)
        .header("content-type", "application/json")
        .body("{\"note\":");
    assert_eq!(app.send(not_json).await.status.as_u16(), 400);
    resolve(&app, &c.leader_a, alert_a, json!({ "note": "回".repeat(500) }))
        .await
        .expect(200);

    // Nothing above touched grid B's alert.
    let b = &alerts(&app, &c.leader_b, "").await[0];
    assert_eq!(b["status"], "open");
    assert!(b["acked_by"].is_null());

    // Overview: the grid's leader and admins only; days 1 to 366.
    let overview = |grid: i64, query: &str| format!("/api/v1/grids/{grid}/overview{query}");
    for (query, status) in [
        ("?days=0", 422),
        ("?days=367", 422),
        ("?days=-1", 422),
        ("?days=abc", 400),
    ] {
        let answer = app.get(&overview(grid_a, query), &c.leader_a.token).await;
        assert_eq!(answer.status.as_u16(), status, "{query}: {}", answer.text);
    }
    app.get(&overview(grid_a, "?days=1"), &c.leader_a.token)
        .await
        .expect(200);
    app.get(&overview(grid_a, "?days=366"), &c.leader_a.token)
        .await
        .expect(200);
    for outsider in [&c.leader_b, &c.volunteer, &c.owner] {
        let answer = app.get(&overview(grid_a, ""), &outsider.token).await;
        assert_eq!(answer.status.as_u16(), 403, "{}", answer.text);
    }
    app.get(&overview(999_999, ""), &c.admin.token)
        .await
        .expect_error(404, "not_found");
    let answer = app.call("GET", &overview(grid_a, ""), None, None).await;
    assert_eq!(answer.status.as_u16(), 401);
    let answer = app.get("/api/v1/grids/abc/overview", &c.admin.token).await;
    assert_eq!(answer.status.as_u16(), 400);

    // The vulnerable flag: bad ids and bodies.
    let flag = |who: &str| format!("/api/v1/residents/{who}/vulnerable");
    let answer = app
        .put(&flag("abc"), &c.admin.token, json!({ "vulnerable": true }))
        .await;
    assert_eq!(answer.status.as_u16(), 400, "{}", answer.text);
    app.put(&flag("999999"), &c.admin.token, json!({ "vulnerable": true }))
        .await
        .expect_error(404, "not_found");
    let owner = c.owner.id.to_string();
    for body in [
        json!({}),
        json!({ "vulnerable": "yes" }),
        json!({ "vulnerable": true, "x": 1 }),
    ] {
        let answer = app.put(&flag(&owner), &c.leader_a.token, body.clone()).await;
        assert_eq!(answer.status.as_u16(), 400, "{body}: {}", answer.text);
    }
    let long = json!({ "vulnerable": true, "note": "独".repeat(501) });
    app.put(&flag(&owner), &c.leader_a.token, long)
        .await
        .expect_error(422, "invalid_field");
    let answer = app
        .call("PUT", &flag(&owner), None, Some(json!({ "vulnerable": true })))
        .await;
    assert_eq!(answer.status.as_u16(), 401);
}
