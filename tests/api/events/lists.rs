//! Events as people browse them: the upcoming ones each may see, their own with their answer
//! (cancelled ones marked), and who is coming — registered, then the waitlist in order, with
//! check-in — for organisers only, without telling others whether an event exists.

use serde_json::{Value, json};

use super::{event, rsvp};
use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

async fn listed(app: &TestApp, who: &TestUser, query: &str) -> Vec<Value> {
    let list = app.get(&format!("/api/v1/events{query}"), &who.token).await.expect(200);
    list["items"].as_array().unwrap().clone()
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|e| e["id"].as_i64().unwrap()).collect()
}

both_engines!(
    upcoming_and_mine_show_what_each_may_see,
    lists,
    crate::notifier::configure
);
async fn lists(app: TestApp) {
    let c = Community::seed(&app).await;
    let id = |v: Value| v["id"].as_i64().unwrap();
    let community = id(event(&app, &c.admin, 48, json!({})).await);
    let grid_a = id(event(&app, &c.leader_a, 24, json!({ "grid_id": c.grid_a })).await);
    let grid_b = id(event(&app, &c.leader_b, 72, json!({ "grid_id": c.grid_b })).await);
    // Grid B's event to which staff invited 王奶奶 of grid A.
    let invited_b = id(event(&app, &c.admin, 60, json!({ "grid_id": c.grid_b })).await);
    let invite = json!({ "user_ids": [c.owner.id] });
    app.post(
        &format!("/api/v1/events/{invited_b}/invitations"),
        &c.admin.token,
        invite,
    )
    .await
    .expect(200);

    // Upcoming: the community's, one's own grid's, what one was invited to; staff what they manage.
    let owners = listed(&app, &c.owner, "").await;
    assert_eq!(
        ids(&owners),
        [grid_a, community, invited_b],
        "soonest first, not grid B's own"
    );
    assert!(
        owners.iter().all(|e| e.get("checkin_code").is_none()),
        "codes are the organisers'"
    );
    assert_eq!(owners[2]["my_response"], "invited");
    assert_eq!(
        ids(&listed(&app, &c.leader_b, "?scope=upcoming").await),
        [community, invited_b, grid_b]
    );
    let admins = listed(&app, &c.admin, "?limit=3").await;
    assert_eq!(ids(&admins), [grid_a, community, invited_b], "at most `limit`");
    assert!(admins.iter().all(|e| e["checkin_code"].is_string()));

    // Mine: invited or answered, with the answer; declined ones leave, cancelled ones stay marked.
    assert_eq!(ids(&listed(&app, &c.owner, "?scope=mine").await), [invited_b]);
    assert_eq!(rsvp(&app, &c.owner, community, "yes").await, "registered");
    assert_eq!(rsvp(&app, &c.owner, invited_b, "no").await, "declined");
    let mine = listed(&app, &c.owner, "?scope=mine").await;
    assert_eq!(ids(&mine), [community]);
    assert_eq!(
        (mine[0]["my_response"].clone(), mine[0]["registered"].clone()),
        (json!("registered"), json!(1))
    );
    app.call(
        "POST",
        &format!("/api/v1/events/{community}/cancel"),
        Some(&c.admin.token),
        None,
    )
    .await
    .expect(200);
    let mine = listed(&app, &c.owner, "?scope=mine").await;
    assert_eq!(
        (ids(&mine), mine[0]["status"].clone()),
        (vec![community], json!("cancelled"))
    );
    assert_eq!(
        ids(&listed(&app, &c.owner, "").await),
        [grid_a, invited_b],
        "a cancelled event is not upcoming"
    );
    // Over: gone from both.
    app.clock.advance_ms(27 * 3_600_000);
    assert_eq!(ids(&listed(&app, &c.owner, "").await), [invited_b]);

    for bad in ["?scope=all", "?limit=0", "?limit=101", "?limit=x"] {
        let answer = app.get(&format!("/api/v1/events{bad}"), &c.owner.token).await;
        assert!(matches!(answer.status.as_u16(), 400 | 422), "{bad}: {}", answer.text);
        assert!(answer.body["code"].is_string(), "{bad}: {}", answer.text);
    }
    app.call("GET", "/api/v1/events", None, None)
        .await
        .expect_error(401, "unauthenticated");
}

both_engines!(
    organisers_see_who_is_coming_and_waiting,
    registrants,
    crate::notifier::configure
);
async fn registrants(app: TestApp) {
    let c = Community::seed(&app).await;
    let created = event(&app, &c.leader_a, 2, json!({ "grid_id": c.grid_a, "capacity": 2 })).await;
    let id = created["id"].as_i64().unwrap();
    for (who, place) in [
        (&c.owner, "registered"),
        (&c.other_resident, "registered"),
        (&c.volunteer, "waitlisted"),
        (&c.volunteer2, "waitlisted"),
    ] {
        assert_eq!(rsvp(&app, who, id, "yes").await, place);
    }
    // An hour before the start check-in opens: 王奶奶 arrives.
    app.clock.advance_ms(3_600_000);
    let code = json!({ "code": created["checkin_code"] });
    app.post(&format!("/api/v1/events/{id}/checkin"), &c.owner.token, code)
        .await
        .expect(200);

    let path = |id: i64| format!("/api/v1/events/{id}/registrants");
    for organiser in [&c.leader_a, &c.admin] {
        let people = app.get(&path(id), &organiser.token).await.expect(200);
        let registered: Vec<i64> = people["registered"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["user_id"].as_i64().unwrap())
            .collect();
        assert_eq!(registered.len(), 2);
        assert!(registered.contains(&c.owner.id) && registered.contains(&c.other_resident.id));
        let waiting: Vec<(i64, i64)> = people["waitlist"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["user_id"].as_i64().unwrap(), p["position"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            waiting,
            [(c.volunteer.id, 1), (c.volunteer2.id, 2)],
            "in the order they answered"
        );
        let her = people["registered"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["user_id"] == c.owner.id)
            .unwrap();
        assert!(
            her["checked_in_at"].is_string() && her["display_name"] == "王奶奶",
            "{her}"
        );
        let him = people["registered"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["user_id"] == c.other_resident.id)
            .unwrap();
        assert!(him.get("checked_in_at").is_none(), "{him}");
        assert_eq!(
            (
                people["invited"].clone(),
                people["declined"].clone(),
                people["capacity"].clone()
            ),
            (json!(0), json!(0), json!(2))
        );
    }
    // Another grid's leader hears what they would for no event; a resident is refused outright,
    // whether the event exists or not.
    app.get(&path(id), &c.leader_b.token)
        .await
        .expect_error(404, "not_found");
    app.get(&path(999_999), &c.leader_b.token)
        .await
        .expect_error(404, "not_found");
    app.get(&path(id), &c.volunteer.token)
        .await
        .expect_error(403, "not_permitted");
    app.get(&path(999_999), &c.volunteer.token)
        .await
        .expect_error(403, "not_permitted");
}
