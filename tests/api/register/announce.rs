//! The grid leader hears of a residence request waiting for them, through the notifier (email
//! here); another grid's leader does not; a request decided before the news went out is not
//! announced after all.

use serde_json::json;

use microwish_testkit::smtp::SmtpCapture;

use crate::both_engines;
use crate::helpers::{Community, TestApp};
use crate::notifier::{deliveries, email, worker};

both_engines!(
    a_new_residence_request_is_announced_to_its_leader_,
    announced,
    crate::notifier::configure
);
async fn announced(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    email(&app, &c.leader_a, "leader-a@example.com").await;
    email(&app, &c.leader_b, "leader-b@example.com").await;
    let worker = worker(&app, &capture, |_| {});
    while worker.run_once().await.unwrap() > 0 {}
    assert!(
        deliveries(&app, &c.admin, "residence_request").await.is_empty(),
        "the seed's requests were approved before their news went out: nothing announced"
    );
    let sent_before = capture.messages().len();

    let b1 = app
        .post(
            "/api/v1/admin/buildings",
            &c.admin.token,
            json!({ "grid_id": c.grid_a, "name": "1号楼" }),
        )
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();
    let newcomer = app.login("newcomer").await;
    app.put("/api/v1/me", &newcomer.token, json!({ "display_name": "新住户" }))
        .await
        .expect(200);
    let request = app
        .post(
            "/api/v1/me/residence",
            &newcomer.token,
            json!({ "building_id": b1, "room": "301" }),
        )
        .await
        .expect(200);
    assert_eq!(request["status"], "pending");
    while worker.run_once().await.unwrap() > 0 {}
    let rows = deliveries(&app, &c.admin, "residence_request").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0]["recipient_id"].as_i64(), rows[0]["status"].as_str()),
        (Some(c.leader_a.id), Some("sent"))
    );
    assert_eq!(rows[0]["subject_id"], request["id"]);
    let mails = capture.messages();
    assert_eq!(mails.len(), sent_before + 1);
    let mail = mails.last().unwrap();
    assert_eq!(mail.to, vec!["leader-a@example.com".to_string()]);
    assert!(mail.data.contains("301"), "the room is named");

    // Decided at once (a second newcomer, approved before the worker runs): no news for it.
    let quick = app.login("quick").await;
    let second = app
        .post(
            "/api/v1/me/residence",
            &quick.token,
            json!({ "building_id": b1, "room": "302" }),
        )
        .await
        .expect(200);
    let path = format!("/api/v1/residence-requests/{}/approve", second["id"]);
    app.call("POST", &path, Some(&c.leader_a.token), None).await.expect(200);
    while worker.run_once().await.unwrap() > 0 {}
    assert_eq!(deliveries(&app, &c.admin, "residence_request").await.len(), 1);
    assert_eq!(capture.messages().len(), sent_before + 1);
}
