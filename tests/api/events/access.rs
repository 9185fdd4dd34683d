//! Who may manage an event and answer it, and what a closed event refuses, on both engines.

use serde_json::json;

use super::{event, rsvp};
use crate::both_engines;
use crate::helpers::{Community, TestApp};
use crate::notifier::configure;

both_engines!(only_the_grids_staff_manage_its_events, access, super::configure);
async fn access(app: TestApp) {
    let c = Community::seed(&app).await;
    let created = event(&app, &c.leader_a, 24, json!({ "grid_id": c.grid_a, "capacity": 2 })).await;
    let id = created["id"].as_i64().unwrap();
    let path = |what: &str| format!("/api/v1/events/{id}{what}");
    let mut body = json!({
        "title": created["title"], "description": created["description"], "location": created["location"],
        "starts_at": created["starts_at"], "ends_at": created["ends_at"], "capacity": 2,
    });

    // Another grid's leader and residents may not edit, cancel or invite.
    app.put(&path(""), &c.leader_b.token, body.clone())
        .await
        .expect_error(403, "not_permitted");
    app.call("POST", &path("/cancel"), Some(&c.owner.token), None)
        .await
        .expect_error(403, "not_permitted");
    app.post(
        &path("/invitations"),
        &c.owner.token,
        json!({ "user_ids": [c.owner.id] }),
    )
    .await
    .expect_error(403, "not_permitted");
    app.post(&path("/invitations"), &c.admin.token, json!({ "user_ids": [999_999] }))
        .await
        .expect_error(422, "unknown_user");
    app.post(&path("/invitations"), &c.admin.token, json!({ "roles": ["mayor"] }))
        .await
        .expect_error(422, "invalid_field");

    // A grid's event is answered by its people (and whoever was invited), not by other grids.
    app.post(&path("/rsvp"), &c.leader_b.token, json!({ "response": "yes" }))
        .await
        .expect_error(404, "not_found");
    assert_eq!(rsvp(&app, &c.owner, id, "yes").await, "registered");
    assert_eq!(rsvp(&app, &c.volunteer, id, "yes").await, "registered");
    assert_eq!(rsvp(&app, &c.volunteer2, id, "yes").await, "waitlisted");

    // Fewer places than registered people is refused; more places promote the waiting.
    body["capacity"] = json!(1);
    app.put(&path(""), &c.leader_a.token, body.clone())
        .await
        .expect_error(409, "capacity_below_registered");
    body["capacity"] = json!(3);
    let grown = app.put(&path(""), &c.leader_a.token, body.clone()).await.expect(200);
    assert_eq!(
        (grown["registered"].as_i64(), grown["waitlisted"].as_i64()),
        (Some(3), Some(0))
    );
    assert_eq!(grown["sequence"], 0, "capacity is neither time nor place");

    // A cancelled event takes no more changes, answers or invitations.
    app.call("POST", &path("/cancel"), Some(&c.leader_a.token), None)
        .await
        .expect(200);
    app.call("POST", &path("/cancel"), Some(&c.leader_a.token), None)
        .await
        .expect_error(409, "event_closed");
    app.put(&path(""), &c.leader_a.token, body)
        .await
        .expect_error(409, "event_closed");
    app.post(&path("/rsvp"), &c.other_resident.token, json!({ "response": "yes" }))
        .await
        .expect_error(409, "event_closed");
    app.post(&path("/invitations"), &c.admin.token, json!({ "grid_ids": [c.grid_a] }))
        .await
        .expect_error(409, "event_closed");
    let code = created["checkin_code"].as_str().unwrap();
    app.post(&path("/checkin"), &c.owner.token, json!({ "code": code }))
        .await
        .expect_error(409, "event_cancelled");
}
