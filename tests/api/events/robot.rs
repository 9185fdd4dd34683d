//! An invitation to a grid is also posted to the grid's WeCom work group, once per event and grid,
//! with the event's local time and place and the leader named.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};
use crate::notifier::worker;
use microwish_testkit::smtp::SmtpCapture;

both_engines!(
    grid_invitations_reach_the_work_group,
    grid_robot,
    crate::notifier::configure
);
async fn grid_robot(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    app.stub.register_robot("ROBOT-EVENT-A");
    let body = json!({ "name": "第一网格", "leader_user_id": c.leader_a.id, "wecom_robot_key": "ROBOT-EVENT-A" });
    app.put(&format!("/api/v1/admin/grids/{}", c.grid_a), &c.admin.token, body)
        .await
        .expect(200);
    let event = super::event(&app, &c.admin, 48, json!({})).await;
    let id = event["id"].as_i64().unwrap();

    let audience = json!({ "grid_ids": [c.grid_a, c.grid_b] });
    app.post(
        &format!("/api/v1/events/{id}/invitations"),
        &c.admin.token,
        audience.clone(),
    )
    .await
    .expect(200);
    // Inviting again adds nobody and posts nothing more.
    app.post(&format!("/api/v1/events/{id}/invitations"), &c.admin.token, audience)
        .await
        .expect(200);
    let worker = worker(&app, &capture, |_| {});
    while worker.run_once().await.unwrap() > 0 {}

    let posts = app.stub.robot_messages("ROBOT-EVENT-A");
    assert_eq!(posts.len(), 1, "one post for grid A (grid B has no robot): {posts:?}");
    let content = posts[0]["text"]["content"].as_str().unwrap();
    assert!(content.contains("主题党日：清洁家园"), "{content}");
    assert!(content.contains("社区活动室"), "{content}");
    assert!(content.contains("刘网格长"), "{content}");
}
