//! Every kind a resident, volunteer or leader must hear goes out as a WeChat subscribe message
//! with the default mappings (ids filled in): the stub checks each keyword's value against
//! WeChat's rules (47003 otherwise) and records the message, so here we check template, values
//! and page. Without quota the news falls back: by email, or — for a resident with no channel —
//! to a phone-call task for the grid leader.

use serde_json::{Value, json};

use microwish_core::Clock;
use microwish_core::NotificationKind::*;
use microwish_notifier::{Scheduler, Worker};
use microwish_testkit::smtp::SmtpCapture;

use super::{register_templates, sent_to, subscribe, subscribe_all, with};
use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};
use crate::notifier::{deliveries, email, worker};

const HOUR: i64 = 3_600_000;

async fn drain(worker: &Worker) {
    while worker.run_once().await.unwrap() > 0 {}
}

async fn scan(app: &TestApp) {
    Scheduler::new(app.db.clone(), app.state().settings.clone(), app.clock.clone())
        .scan_once()
        .await
        .expect("scan");
}

async fn posted(app: &TestApp, who: &TestUser, title: &str, extra: Value) -> i64 {
    let mut body = json!({ "title": title, "description": "请帮帮忙", "category": "errand" });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    app.post("/api/v1/wishes", &who.token, body).await.expect(201)["id"]
        .as_i64()
        .unwrap()
}

/// A wish posted by `who` and approved by `leader`: open.
async fn open_wish(app: &TestApp, who: &TestUser, leader: &TestUser, title: &str) -> i64 {
    let id = posted(app, who, title, json!({})).await;
    app.act(leader, id, "approve", None).await.expect(200);
    id
}

#[track_caller]
fn opens(message: &Value, page: &str) {
    assert_eq!(message["page"], page, "{message:#}");
    let time = message["data"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.starts_with("time"))
        .map(|(_, v)| v["value"].as_str().unwrap().to_string());
    if let Some(time) = time {
        assert!(
            jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", &time).is_ok(),
            "{time}"
        );
    }
}

both_engines!(every_wish_kind_goes_out_by_wechat_or_falls_back, wish_kinds, |s| {
    crate::messages::configure(s);
    s.wishes.review_required = true;
});
async fn wish_kinds(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    register_templates(&app);
    let worker = worker(&app, &capture, |_| {});
    for who in [&c.owner, &c.volunteer, &c.leader_a] {
        subscribe_all(&app, who, 10).await;
    }
    // 小李 accepted every template but the one review results and changes share: those go by email.
    let but_changes: Vec<_> = super::OWN_TEMPLATES
        .into_iter()
        .filter(|k| *k != WishApproved)
        .collect();
    subscribe(&app, &c.volunteer2, &but_changes, 10).await;
    email(&app, &c.volunteer2, "xiaoli@example.com").await;

    let medicine = posted(&app, &c.owner, "帮忙买药", json!({})).await;
    app.act(&c.leader_a, medicine, "approve", None).await.expect(200);
    let pipe = posted(&app, &c.owner, "修水管", json!({})).await;
    app.act(&c.leader_a, pipe, "reject", Some(json!({ "reason": "请写清楼号" })))
        .await
        .expect(200);
    app.act(&c.volunteer, medicine, "claim", None).await.expect(200);
    app.act(&c.volunteer, medicine, "release", Some(json!({ "reason": "临时有事" })))
        .await
        .expect(200);
    let assign = json!({ "volunteer_id": c.volunteer2.id });
    app.act(&c.leader_a, medicine, "assign", Some(assign)).await.expect(200);
    app.act(&c.volunteer2, medicine, "fulfil", Some(json!({ "note": "已送到" })))
        .await
        .expect(200);
    let chat = open_wish(&app, &c.owner, &c.leader_a, "陪我聊天").await;
    app.act(&c.volunteer, chat, "claim", None).await.expect(200);
    app.act(&c.owner, chat, "cancel", Some(json!({ "reason": "不需要了" })))
        .await
        .expect(200);
    let light = open_wish(&app, &c.owner, &c.leader_a, "换楼道灯").await;
    app.act(&c.volunteer, light, "claim", None).await.expect(200);
    let fall = posted(&app, &c.owner, "老人摔倒了", json!({ "urgency": "urgent" })).await;
    drain(&worker).await;
    // Two days on: the resident is reminded to confirm, the volunteer that the claim is overdue.
    app.clock.advance_ms(49 * HOUR);
    scan(&app).await;
    app.act(&c.owner, medicine, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);
    drain(&worker).await;

    let wish_page = |id: i64| format!("pages/wish/detail?id={id}");
    // The resident: review results and changes share one template; claims and fulfilment their own.
    let changes = sent_to(&app, &c.owner, WishApproved);
    opens(
        with(&changes, &[("phrase2", "已发布"), ("thing1", "帮忙买药")]),
        &wish_page(medicine),
    );
    let rejected = with(&changes, &[("phrase2", "未通过")]);
    opens(rejected, &wish_page(pipe));
    assert_eq!(rejected["data"]["thing1"]["value"], "修水管");
    assert_eq!(
        rejected["data"]["thing4"]["value"], "请写清楼号",
        "the reason, in the reason's keyword"
    );
    assert_eq!(
        with(&changes, &[("phrase2", "重新开放")])["data"]["thing4"]["value"],
        "临时有事"
    );
    let claims = sent_to(&app, &c.owner, WishClaimed);
    assert_eq!(
        claims.len(),
        4,
        "帮忙买药 claimed, then assigned; 陪我聊天 and 换楼道灯: {claims:#?}"
    );
    assert!(claims.iter().all(|m| m["data"]["phrase2"]["value"] == "已认领"));
    let medicine_claims = claims.iter().filter(|m| m["page"] == wish_page(medicine).as_str());
    assert_eq!(medicine_claims.count(), 2);
    let done = sent_to(&app, &c.owner, WishFulfilled);
    opens(with(&done, &[("thing4", "心愿已完成，请确认")]), &wish_page(medicine));
    opens(with(&done, &[("thing4", "请确认心愿是否已完成")]), &wish_page(medicine));
    // The volunteers: an assignment, a cancellation, an overdue claim; a thank-you by email.
    let assigned = sent_to(&app, &c.volunteer2, WishClaimed);
    assert_eq!(assigned.len(), 1);
    assert_eq!(assigned[0]["data"]["thing4"]["value"], "您有一个新指派的心愿");
    let cancelled = with(&sent_to(&app, &c.volunteer, WishApproved), &[("phrase2", "已取消")]).clone();
    opens(&cancelled, &wish_page(chat));
    assert_eq!(cancelled["data"]["thing4"]["value"], "不需要了");
    let overdue = sent_to(&app, &c.volunteer, WishOverdue);
    opens(with(&overdue, &[("thing1", "换楼道灯")]), &wish_page(light));
    assert_eq!(overdue[0]["data"]["phrase2"]["value"], "已超时");
    assert!(
        sent_to(&app, &c.volunteer2, WishApproved).is_empty(),
        "小李 has no quota for it"
    );
    let thanks = capture.messages();
    assert!(
        thanks
            .iter()
            .any(|m| m.to == ["xiaoli@example.com"] && m.subject().is_some_and(|s| s.contains("帮忙买药"))),
        "{thanks:#?}"
    );
    // The leader: wishes awaiting review and the urgent wish's alert share the alert template.
    let leader = sent_to(&app, &c.leader_a, Alert);
    let review = leader
        .iter()
        .find(|m| m["data"]["thing1"]["value"] == "修水管" && m["data"]["phrase2"]["value"] == "待审核")
        .expect("the review request");
    opens(review, &wish_page(pipe));
    let alert = leader
        .iter()
        .find(|m| m["data"]["thing1"]["value"] == "老人摔倒了" && m["data"]["phrase2"]["value"] == "需关注")
        .expect("the urgent wish's alert");
    opens(alert, &wish_page(fall));

    // 李大爷 has WeChat but no quota and no email: his rejection becomes the leader's phone call.
    let stairs = posted(&app, &c.other_resident, "扶我下楼", json!({})).await;
    app.act(&c.leader_a, stairs, "reject", Some(json!({ "reason": "请电话联系" })))
        .await
        .expect(200);
    drain(&worker).await;
    let message_to_him = app
        .stub
        .subscribe_messages()
        .into_iter()
        .any(|m| m["touser"] == c.other_resident.openid.as_str());
    assert!(!message_to_him);
    let rows = deliveries(&app, &c.admin, "wish_rejected").await;
    let row = rows.iter().find(|n| n["subject_id"] == stairs).unwrap();
    assert_eq!(row["status"], "skipped");
    assert!(row["last_error"].as_str().unwrap().contains("phone-call task"), "{row}");
    let alerts = app.get("/api/v1/alerts", &c.leader_a.token).await.expect(200);
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "phone_call" && a["wish_id"] == stairs),
        "{alerts:#}"
    );
}

both_engines!(
    every_event_and_care_kind_goes_out_by_wechat,
    event_kinds,
    crate::messages::configure
);
async fn event_kinds(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    register_templates(&app);
    let worker = worker(&app, &capture, |_| {});
    for who in [&c.volunteer, &c.volunteer2] {
        subscribe_all(&app, who, 10).await;
    }
    let created = crate::events::event(&app, &c.admin, 72, json!({ "capacity": 1 })).await;
    let id = created["id"].as_i64().unwrap();
    let path = |what: &str| format!("/api/v1/events/{id}{what}");
    let invite = json!({ "user_ids": [c.volunteer.id, c.volunteer2.id] });
    app.post(&path("/invitations"), &c.admin.token, invite)
        .await
        .expect(200);
    assert_eq!(crate::events::rsvp(&app, &c.volunteer, id, "yes").await, "registered");
    assert_eq!(crate::events::rsvp(&app, &c.volunteer2, id, "yes").await, "waitlisted");
    assert_eq!(crate::events::rsvp(&app, &c.volunteer, id, "no").await, "declined");
    let body = json!({
        "title": created["title"], "description": created["description"], "location": "社区广场",
        "starts_at": created["starts_at"], "ends_at": created["ends_at"], "capacity": 1,
    });
    app.put(&path(""), &c.admin.token, body).await.expect(200);
    drain(&worker).await;
    app.clock.advance_ms(49 * HOUR);
    scan(&app).await;
    app.call("POST", &path("/cancel"), Some(&c.admin.token), None)
        .await
        .expect(200);
    drain(&worker).await;

    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let starts = microwish_core::clock::parse_rfc3339(created["starts_at"].as_str().unwrap()).unwrap();
    let local = jiff::Timestamp::from_millisecond(starts)
        .unwrap()
        .to_zoned(tz)
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    let page = format!("pages/event/detail?id={id}");
    let invited = sent_to(&app, &c.volunteer, EventInvitation);
    assert_eq!(invited.len(), 1);
    opens(&invited[0], &page);
    assert_eq!(invited[0]["data"]["thing1"]["value"], "主题党日：清洁家园");
    assert_eq!(invited[0]["data"]["time2"]["value"], local.as_str(), "when it starts");
    assert_eq!(invited[0]["data"]["thing3"]["value"], "社区活动室, 2 楼");
    let changes = sent_to(&app, &c.volunteer2, EventUpdate);
    opens(with(&changes, &[("thing4", "候补成功，您已获得名额")]), &page);
    assert_eq!(
        with(&changes, &[("thing4", "活动时间或地点有变")])["data"]["thing3"]["value"],
        "社区广场"
    );
    opens(with(&changes, &[("thing4", "活动已取消")]), &page);
    let reminder = sent_to(&app, &c.volunteer2, EventReminder);
    assert_eq!(reminder.len(), 1, "the 24 h reminder");
    opens(&reminder[0], &page);
    assert_eq!(reminder[0]["data"]["time2"]["value"], local.as_str());
    assert!(
        sent_to(&app, &c.volunteer, EventReminder).is_empty(),
        "declined: no reminder"
    );

    // Care: 小王 visits 李大爷 every week and is reminded when a visit falls due.
    let plan = json!({ "tags": ["lives_alone"], "visit_every": "7d", "visitor_ids": [c.volunteer.id] });
    let care = format!("/api/v1/residents/{}/care", c.other_resident.id);
    app.put(&care, &c.leader_a.token, plan).await.expect(200);
    let due_at = app.clock.now_ms() + 7 * 24 * HOUR;
    app.clock.advance_ms(7 * 24 * HOUR + HOUR);
    scan(&app).await;
    drain(&worker).await;
    let visit = sent_to(&app, &c.volunteer, VisitDue);
    assert_eq!(visit.len(), 1, "{visit:#?}");
    opens(&visit[0], &format!("pages/resident/detail?id={}", c.other_resident.id));
    assert_eq!(visit[0]["data"]["thing1"]["value"], "走访李大爷");
    let due = microwish_notifier::quiet::local_time(&jiff::tz::TimeZone::get("Asia/Shanghai").unwrap(), due_at);
    assert_eq!(
        visit[0]["data"]["time2"]["value"],
        due.as_str(),
        "when the visit falls due"
    );
}

both_engines!(party_kinds_go_out_by_wechat, party_kinds, crate::messages::configure);
async fn party_kinds(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    register_templates(&app);
    let worker = worker(&app, &capture, |_| {});
    for who in [&c.admin, &c.volunteer, &c.volunteer2] {
        subscribe_all(&app, who, 5).await;
    }
    app.branch(&c.admin, "第一党支部", &[c.grid_a]).await;
    let filing =
        json!({ "work_unit": "市第一人民医院", "unit_branch": "市第一人民医院党委", "posts": ["care_visits"] });
    let mut ids = Vec::new();
    for who in [&c.volunteer, &c.volunteer2] {
        let r = app
            .post("/api/v1/party/registrations", &who.token, filing.clone())
            .await
            .expect(201);
        ids.push(r["id"].as_i64().unwrap());
    }
    let decide = |id: i64, action: &str| format!("/api/v1/party/registrations/{id}/{action}");
    app.call("POST", &decide(ids[0], "approve"), Some(&c.admin.token), None)
        .await
        .expect(200);
    let reason = json!({ "reason": "请补充单位党组织证明" });
    app.post(&decide(ids[1], "reject"), &c.admin.token, reason)
        .await
        .expect(200);
    drain(&worker).await;

    // The admin hears of each filing on the leaders' template; the applicants of the decision on
    // the one review results share, with the registration's page.
    let filed = sent_to(&app, &c.admin, Alert);
    assert_eq!(filed.len(), 2, "{filed:#?}");
    assert!(filed.iter().all(|m| m["data"]["phrase2"]["value"] == "待审批"));
    let page = |id: i64| format!("pages/party/registration?id={id}");
    let approved = sent_to(&app, &c.volunteer, WishApproved);
    let approved = with(&approved, &[("phrase2", "已通过"), ("thing1", "市第一人民医院")]);
    assert_eq!(approved["page"], page(ids[0]));
    let rejected = sent_to(&app, &c.volunteer2, WishApproved);
    let rejected = with(&rejected, &[("phrase2", "未通过"), ("thing4", "请补充单位党组织证明")]);
    assert_eq!(rejected["page"], page(ids[1]));
}
