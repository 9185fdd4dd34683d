//! Changing and calling off an event from the console, on both engines: the core update the API
//! calls (a new place re-sends the invitation with a higher SEQUENCE, more places promote from
//! the waitlist, fewer than registered is refused), the cancellation telling everyone, forged forms
//! and another grid's leader refused.

use serde_json::json;

use microwish_core::Clock;
use microwish_core::clock::rfc3339;

use super::signed_in;
use crate::both_engines;
use crate::helpers::{Community, TestApp};

const HOUR: i64 = 3_600_000;

async fn kinds(app: &TestApp, event: i64) -> Vec<String> {
    let mut conn = app.db.pool().acquire().await.unwrap();
    let rows = microwish_core::outbox::for_subject(&mut conn, "event", event)
        .await
        .unwrap();
    rows.into_iter().map(|n| n.kind.to_string()).collect()
}

both_engines!(
    an_event_is_changed_and_called_off_from_its_page,
    edit_and_cancel,
    crate::console::events::configure
);
async fn edit_and_cancel(app: TestApp) {
    let c = Community::seed(&app).await;
    let start = (app.clock.now_ms() / 60_000) * 60_000 + 26 * HOUR;
    let body = json!({ "title": "清洁家园", "description": "", "location": "活动室", "grid_id": c.grid_a,
        "capacity": 1, "starts_at": rfc3339(start), "ends_at": rfc3339(start + 2 * HOUR) });
    let event = app.post("/api/v1/events", &c.leader_a.token, body).await.expect(201);
    let id = event["id"].as_i64().unwrap();
    let api = format!("/api/v1/events/{id}");
    app.post(
        &format!("{api}/invitations"),
        &c.leader_a.token,
        json!({ "user_ids": [c.volunteer.id, c.volunteer2.id] }),
    )
    .await
    .expect(200);
    for who in [&c.volunteer, &c.volunteer2] {
        app.post(&format!("{api}/rsvp"), &who.token, json!({ "response": "yes" }))
            .await
            .expect(200);
    }

    let mut leader = signed_in(&app, &c.leader_a).await;
    let path = format!("/console/events/{id}");
    let page = leader.get(&path).await.expect(200);
    assert!(page.text.contains("id=\"edit-form\"") && page.text.contains("value=\"活动室\""));
    let starts = attribute(&page.text, "name=\"starts_at\" required value=\"");
    let ends = attribute(&page.text, "name=\"ends_at\" required value=\"");
    let csrf = page.csrf();
    let form = |place: &'static str, capacity: &'static str| {
        vec![
            ("title", "清洁家园"),
            ("description", ""),
            ("location", place),
            ("starts_at", starts.as_str()),
            ("ends_at", ends.as_str()),
            ("capacity", capacity),
        ]
    };
    let edit = format!("{path}/edit");
    leader.post(&edit, &form("小广场", "2")).await.expect(403);
    let mut changed = form("小广场", "2");
    changed.push(("csrf", &csrf));
    leader
        .post(&edit, &changed)
        .await
        .expect_redirect(&format!("{path}?done=updated"));
    let after = app.get(&api, &c.leader_a.token).await.expect(200);
    assert_eq!(
        (after["location"].as_str(), after["capacity"].as_i64()),
        (Some("小广场"), Some(2))
    );
    assert_eq!(
        after["starts_at"], event["starts_at"],
        "the time as it was: the form round-trips it"
    );
    assert_eq!(
        after["sequence"].as_i64(),
        Some(event["sequence"].as_i64().unwrap() + 1)
    );
    let told = kinds(&app, id).await;
    assert_eq!(
        told.iter().filter(|k| *k == "event_update").count(),
        2,
        "both invitees hear of the new place: {told:?}"
    );
    let page = leader.get(&format!("{path}?done=updated")).await.expect(200);
    assert!(
        page.text.contains("id=\"count-registered\">2 / 2<"),
        "the waitlisted one promoted"
    );
    let mut fewer = form("小广场", "1");
    fewer.push(("csrf", &csrf));
    leader.post(&edit, &fewer).await.expect(409);

    // Another grid's leader: refused as over the API.
    let mut other = signed_in(&app, &c.leader_b).await;
    let csrf_b = other.get("/console/events").await.expect(200).csrf();
    let mut theirs = form("别处", "5");
    theirs.push(("csrf", &csrf_b));
    other.post(&edit, &theirs).await.expect(403);
    other
        .post(&format!("{path}/cancel"), &[("csrf", &csrf_b)])
        .await
        .expect(403);

    leader.post(&format!("{path}/cancel"), &[]).await.expect(403);
    leader
        .post(&format!("{path}/cancel"), &[("csrf", &csrf)])
        .await
        .expect_redirect(&format!("{path}?done=cancelled"));
    assert_eq!(
        app.get(&api, &c.leader_a.token).await.expect(200)["status"],
        "cancelled"
    );
    assert_eq!(
        kinds(&app, id).await.iter().filter(|k| *k == "event_cancelled").count(),
        2
    );
    leader
        .post(&format!("{path}/cancel"), &[("csrf", &csrf)])
        .await
        .expect(409);
    let page = leader.get(&path).await.expect(200);
    assert!(!page.text.contains("id=\"edit-form\""), "nothing left to change");
    let kinds = app.audit_kinds(&c.admin, &format!("subject=event:{id}")).await;
    assert_eq!(kinds, ["event.cancel", "event.update", "event.invite", "event.create"]);
}

fn attribute(text: &str, marker: &str) -> String {
    super::attribute_after(text, marker).unwrap_or_else(|| panic!("{marker} in {text}"))
}
