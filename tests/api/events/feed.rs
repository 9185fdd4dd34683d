//! The personal calendar feed, read with the `icalendar` crate's parser as a calendar app would:
//! every event one registered for, with the UID and SEQUENCE of the event emails, cancelled ones
//! marked so; it follows answers, promotions, moves and cancellations; a new URL revokes the old,
//! and a revoked one is gone.

use serde_json::{Value, json};

use super::{event, rsvp};
use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

const PUBLIC: &str = "https://shequ.example.org";

/// One VEVENT as a calendar reads it: (UID, SEQUENCE, STATUS, DTSTART).
type Entry = (String, u32, String, String);

async fn feed(app: &TestApp, path: &str) -> Result<Vec<Entry>, u16> {
    let answer = app.send(app.client.get(format!("{}{path}", app.base))).await;
    if answer.status != 200 {
        return Err(answer.status.as_u16());
    }
    let unfolded = icalendar::parser::unfold(&answer.text);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("a valid iCalendar feed");
    let prop = |name: &str| {
        cal.properties
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.val.to_string())
    };
    assert_eq!(prop("PRODID").as_deref(), Some("-//microwish//community events//ZH"));
    assert_eq!(prop("METHOD").as_deref(), Some("PUBLISH"));
    let events = cal.components.iter().filter(|c| c.name == "VEVENT");
    Ok(events
        .map(|ev| {
            let val = |name: &str| ev.find_prop(name).map(|p| p.val.to_string()).unwrap_or_default();
            (
                val("UID"),
                val("SEQUENCE").parse().unwrap(),
                val("STATUS"),
                val("DTSTART"),
            )
        })
        .collect())
}

/// A new feed for `who`: its path on this server, after checking both URLs name it.
async fn open(app: &TestApp, who: &TestUser) -> String {
    let made = app
        .call("POST", "/api/v1/me/calendar", Some(&who.token), None)
        .await
        .expect(201);
    let https = made["https_url"].as_str().unwrap();
    let path = https.strip_prefix(PUBLIC).expect("on the public address").to_string();
    assert!(path.starts_with("/calendar/") && path.ends_with(".ics"), "{made}");
    assert_eq!(made["url"], format!("webcal://shequ.example.org{path}"));
    path
}

fn uid(e: &Value) -> String {
    format!("event-{}@microwish", e["id"])
}

fn start(e: &Value) -> String {
    let ms = microwish_core::clock::parse_rfc3339(e["starts_at"].as_str().unwrap()).unwrap();
    microwish_core::event::calendar::utc(ms).unwrap()
}

both_engines!(the_calendar_feed_follows_answers_and_revocation, calendar_feed, |s| {
    crate::notifier::configure(s);
    s.console.public_url = super::PUBLIC.into();
});
async fn calendar_feed(app: TestApp) {
    let c = Community::seed(&app).await;
    let path = open(&app, &c.volunteer).await;
    assert_eq!(feed(&app, &path).await, Ok(vec![]), "nothing registered yet");

    let day = event(&app, &c.admin, 48, json!({})).await;
    let clean = event(&app, &c.leader_a, 24, json!({ "grid_id": c.grid_a })).await;
    let small = event(&app, &c.admin, 72, json!({ "capacity": 1 })).await;
    let id = |e: &Value| e["id"].as_i64().unwrap();
    assert_eq!(rsvp(&app, &c.volunteer, id(&day), "yes").await, "registered");
    assert_eq!(rsvp(&app, &c.volunteer, id(&clean), "yes").await, "registered");
    assert_eq!(rsvp(&app, &c.owner, id(&small), "yes").await, "registered");
    assert_eq!(rsvp(&app, &c.volunteer, id(&small), "yes").await, "waitlisted");
    let entries = feed(&app, &path).await.unwrap();
    assert_eq!(
        entries,
        [
            (uid(&clean), 0, "CONFIRMED".into(), start(&clean)),
            (uid(&day), 0, "CONFIRMED".into(), start(&day)),
        ],
        "registered events, soonest first; a waitlisted place is not one yet"
    );

    // A no takes an event out; a place off the waitlist puts one in.
    assert_eq!(rsvp(&app, &c.volunteer, id(&clean), "no").await, "declined");
    assert_eq!(rsvp(&app, &c.owner, id(&small), "no").await, "declined");
    let entries = feed(&app, &path).await.unwrap();
    assert_eq!(
        entries.iter().map(|e| e.0.clone()).collect::<Vec<_>>(),
        [uid(&day), uid(&small)]
    );

    // Moved, then cancelled: the same UID with the event's SEQUENCE, as the emails carry it.
    let body = json!({
        "title": day["title"], "description": day["description"], "location": "社区广场",
        "starts_at": day["starts_at"], "ends_at": day["ends_at"],
    });
    let moved = app
        .put(&format!("/api/v1/events/{}", id(&day)), &c.admin.token, body)
        .await
        .expect(200);
    assert_eq!(
        feed(&app, &path).await.unwrap()[0].1,
        moved["sequence"].as_u64().unwrap() as u32
    );
    let cancelled = app
        .call(
            "POST",
            &format!("/api/v1/events/{}/cancel", id(&day)),
            Some(&c.admin.token),
            None,
        )
        .await
        .expect(200);
    let entries = feed(&app, &path).await.unwrap();
    let seq = cancelled["sequence"].as_u64().unwrap() as u32;
    assert_eq!(entries[0], (uid(&day), seq, "CANCELLED".into(), start(&day)));
    assert!(seq >= 2, "moved and cancelled: {seq}");

    // A new URL revokes the old; deleting revokes the new; nothing else opens a feed.
    let again = open(&app, &c.volunteer).await;
    assert_ne!(again, path);
    assert_eq!(feed(&app, &path).await, Err(404));
    assert_eq!(feed(&app, &again).await.unwrap().len(), 2);
    app.call("DELETE", "/api/v1/me/calendar", Some(&c.volunteer.token), None)
        .await
        .expect(204);
    assert_eq!(feed(&app, &again).await, Err(404));
    app.call("DELETE", "/api/v1/me/calendar", Some(&c.volunteer.token), None)
        .await
        .expect(204);
    for bad in [
        "/calendar/abc.ics",
        &again.replace(".ics", ""),
        "/calendar/.ics",
        "/calendar/%00.ics",
    ] {
        assert_eq!(feed(&app, bad).await, Err(404), "{bad}");
    }
    app.call("POST", "/api/v1/me/calendar", None, None)
        .await
        .expect_error(401, "unauthenticated");
    // Someone else's feed shows their events, not the volunteer's.
    let hers = open(&app, &c.owner).await;
    assert_eq!(feed(&app, &hers).await, Ok(vec![]));
}
