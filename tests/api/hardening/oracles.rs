//! No existence oracles: a caller who may not act gets the same answer whether the id exists.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

both_engines!(refusals_do_not_tell_who_exists, no_oracles);
async fn no_oracles(app: TestApp) {
    let c = Community::seed(&app).await;
    let on_behalf = |id: i64| {
        json!({ "title": "买药", "description": "请帮忙", "category": "medicine",
                "on_behalf_of": id, "consent_note": "电话同意" })
    };
    // A resident, a leader posting for another grid's resident, and for an id nobody has:
    // each time the same 403, never 422 unknown_user.
    for (who, target) in [
        (&c.other_resident, c.owner.id),
        (&c.other_resident, 999_999),
        (&c.leader_b, c.owner.id),
        (&c.leader_b, 999_999),
    ] {
        app.post("/api/v1/wishes", &who.token, on_behalf(target))
            .await
            .expect_error(403, "not_permitted");
    }
    // Staff who may act still learn what is wrong.
    app.post("/api/v1/wishes", &c.leader_a.token, on_behalf(c.owner.id))
        .await
        .expect(201);
    app.post("/api/v1/wishes", &c.admin.token, on_behalf(999_999))
        .await
        .expect_error(422, "unknown_user");

    // Invitations: a leader naming an unknown person or grid hears what they hear for
    // someone else's; an admin learns the id is unknown. Repeated ids count once.
    let starts = microwish_core::clock::rfc3339(
        {
            use microwish_core::Clock;
            app.clock.now_ms()
        } + 48 * 3_600_000,
    );
    let ends = microwish_core::clock::rfc3339(
        {
            use microwish_core::Clock;
            app.clock.now_ms()
        } + 50 * 3_600_000,
    );
    let body = json!({ "title": "志愿服务日", "description": "", "location": "活动室",
                       "starts_at": starts, "ends_at": ends, "grid_id": c.grid_a });
    let event = app.post("/api/v1/events", &c.leader_a.token, body).await.expect(201);
    let path = format!("/api/v1/events/{}/invitations", event["id"]);
    for audience in [
        json!({ "user_ids": [c.leader_b.id] }),
        json!({ "user_ids": [999_999] }),
        json!({ "grid_ids": [c.grid_b] }),
        json!({ "grid_ids": [999_999] }),
    ] {
        app.post(&path, &c.leader_a.token, audience)
            .await
            .expect_error(403, "not_permitted");
    }
    app.post(&path, &c.admin.token, json!({ "user_ids": [c.owner.id, 999_999] }))
        .await
        .expect_error(422, "unknown_user");
    let ids: Vec<i64> = std::iter::repeat_n(c.owner.id, 2000).chain([c.volunteer.id]).collect();
    let n = app
        .post(&path, &c.leader_a.token, json!({ "user_ids": ids }))
        .await
        .expect(200);
    assert_eq!(n["invited"], 2);
}
