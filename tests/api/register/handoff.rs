//! A resident online but with no channel (no subscribe quota, no email) is never silently
//! skipped: the notifier hands their news to linked family, or — with nobody linked — makes it
//! a phone-call task the grid leader reads and closes. Through the real worker, SMTP capture and
//! the WeChat stub.

use serde_json::json;

use microwish_testkit::smtp::SmtpCapture;

use crate::both_engines;
use crate::helpers::{Community, TestApp};
use crate::notifier::{deliveries, email, worker};

both_engines!(
    unreachable_residents_news_goes_to_family_or_the_leader_,
    unreachable_news,
    crate::notifier::configure
);
async fn unreachable_news(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    email(&app, &c.leader_a, "leader-a@example.com").await;
    let worker = worker(&app, &capture, |_| {});

    // 王奶奶 has WeChat but no quota and no email: her claim news becomes the leader's phone call.
    let wish = app.wish(&c.owner, "帮忙买药").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, wish, "claim", None).await.expect(200);
    while worker.run_once().await.unwrap() > 0 {}
    assert!(app.stub.subscribe_messages().is_empty());
    let rows = deliveries(&app, &c.admin, "wish_claimed").await;
    let row = rows.iter().find(|n| n["subject_id"] == wish).unwrap();
    assert_eq!(row["status"], "skipped");
    let why = row["last_error"].as_str().unwrap();
    assert!(
        why.contains("no usable channel") && why.contains("phone-call task"),
        "{why}"
    );
    let alerts = app.get("/api/v1/alerts", &c.leader_a.token).await.expect(200);
    let call = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "phone_call" && a["wish_id"] == wish)
        .expect("a phone-call task for the leader")
        .clone();
    assert!(call["summary"].as_str().unwrap().contains("王奶奶"), "{call}");
    let mails = capture.messages();
    assert_eq!(mails.len(), 1, "the leader is told by email");
    assert_eq!(mails[0].to, vec!["leader-a@example.com".to_string()]);
    let theirs = app.get("/api/v1/alerts", &c.leader_b.token).await.expect(200);
    assert!(theirs.as_array().unwrap().iter().all(|a| a["kind"] != "phone_call"));
    // It is on the leader's console queue, with her name, ready to acknowledge and resolve.
    let mut browser = crate::console::signed_in(&app, &c.leader_a).await;
    let queue = browser.get("/console/queue").await.expect(200);
    let row_at = queue
        .text
        .find(&format!("id=\"alert-{}\"", call["id"]))
        .expect("on the queue");
    let row = &queue.text[row_at..row_at + queue.text[row_at..].find("</tr>").unwrap()];
    assert!(row.contains("王奶奶") && row.contains("resolve"), "{row}");
    // The leader calls her and closes the task.
    let resolve = format!("/api/v1/alerts/{}/resolve", call["id"]);
    let refused = app.post(&resolve, &c.leader_b.token, json!({ "note": "x" })).await;
    assert!(matches!(refused.status.as_u16(), 403 | 404), "{}", refused.text);
    app.post(&resolve, &c.leader_a.token, json!({ "note": "已电话告知" }))
        .await
        .expect(200);

    // 李大爷 has linked his son: his news goes to the son instead, and no phone call is made.
    let code = app
        .call("POST", "/api/v1/me/family-codes", Some(&c.other_resident.token), None)
        .await
        .expect(201)["code"]
        .clone();
    let son = app.login("son").await;
    app.post("/api/v1/me/family", &son.token, json!({ "code": code }))
        .await
        .expect(200);
    email(&app, &son, "son@example.com").await;
    let his = app.wish(&c.other_resident, "修灯").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, his, "claim", None).await.expect(200);
    app.act(&c.volunteer, his, "release", Some(json!({ "reason": "临时出差" })))
        .await
        .expect(200);
    while worker.run_once().await.unwrap() > 0 {}
    let released = deliveries(&app, &c.admin, "wish_released").await;
    let own = released
        .iter()
        .find(|n| n["subject_id"] == his && n["recipient_id"] == c.other_resident.id)
        .expect("his own release news");
    assert!(
        own["last_error"]
            .as_str()
            .unwrap()
            .contains("handed to 1 family member"),
        "{own}"
    );
    let copy = released
        .iter()
        .find(|n| n["subject_id"] == his && n["recipient_id"] == son.id)
        .expect("a copy for his son");
    assert_eq!(
        (copy["status"].as_str(), copy["channel"].as_str()),
        (Some("sent"), Some("email"))
    );
    assert!(
        capture
            .messages()
            .iter()
            .any(|m| m.to == vec!["son@example.com".to_string()])
    );
    let alerts = app.get("/api/v1/alerts", &c.leader_a.token).await.expect(200);
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["wish_id"] != his || a["kind"] != "phone_call"),
        "with family reached, no phone call"
    );
}
