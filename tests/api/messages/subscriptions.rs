//! `GET /api/v1/me/subscriptions`: which templates the mini-program should ask a person to accept
//! next — what their wishes, claims, events and roles make likely soon, those they have least
//! of first, at most three — following the person's state as it changes.

use serde_json::json;

use microwish_core::NotificationKind::{self, *};

use super::template_id;
use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

/// The suggested template ids, in order, after checking each one's stock is what `remaining` says.
async fn asked(app: &TestApp, who: &TestUser) -> Vec<String> {
    let advice = app.get("/api/v1/me/subscriptions", &who.token).await.expect(200);
    let suggested = advice["suggested"].as_array().unwrap();
    assert!(suggested.len() <= 3, "{advice:#}");
    suggested
        .iter()
        .map(|s| {
            let id = s["template_id"].as_str().unwrap();
            assert_eq!(
                s["remaining"],
                advice["remaining"].get(id).cloned().unwrap_or(json!(0)),
                "{advice:#}"
            );
            assert!(!s["reason"].as_str().unwrap().is_empty() && s["kind"].is_string());
            id.to_string()
        })
        .collect()
}

fn ids(kinds: &[NotificationKind]) -> Vec<String> {
    kinds.iter().map(|k| template_id(*k)).collect()
}

async fn accept(app: &TestApp, who: &TestUser, kind: NotificationKind) {
    let body = json!({ "results": { template_id(kind): "accept" } });
    app.post("/api/v1/me/subscriptions", &who.token, body).await.expect(200);
}

both_engines!(
    the_next_templates_follow_what_the_person_is_waiting_for,
    next,
    crate::messages::configure
);
async fn next(app: TestApp) {
    let c = Community::seed(&app).await;
    assert!(asked(&app, &c.owner).await.is_empty(), "nothing coming, nothing asked");

    // An open wish: be ready to hear it is claimed.
    let wish = app.wish(&c.owner, "帮忙买药").await["id"].as_i64().unwrap();
    assert_eq!(asked(&app, &c.owner).await, ids(&[WishClaimed]));
    // Claimed: the resident will be asked to confirm; the volunteer may run late or be cancelled on
    // (the cancellation shares the review-and-changes template).
    app.act(&c.volunteer, wish, "claim", None).await.expect(200);
    assert_eq!(asked(&app, &c.owner).await, ids(&[WishFulfilled]));
    assert_eq!(asked(&app, &c.volunteer).await, ids(&[WishOverdue, WishApproved]));

    // An event they registered for: reminders and changes; three at most, least stock first.
    let event = crate::events::event(&app, &c.admin, 48, json!({})).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        crate::events::rsvp(&app, &c.volunteer, event, "yes").await,
        "registered"
    );
    assert_eq!(
        asked(&app, &c.volunteer).await,
        ids(&[WishOverdue, WishApproved, EventReminder])
    );
    accept(&app, &c.volunteer, WishOverdue).await;
    accept(&app, &c.volunteer, WishApproved).await;
    accept(&app, &c.volunteer, WishApproved).await;
    let advice = app
        .get("/api/v1/me/subscriptions", &c.volunteer.token)
        .await
        .expect(200);
    assert_eq!(advice["remaining"][template_id(WishApproved)], 2);
    assert_eq!(
        asked(&app, &c.volunteer).await,
        ids(&[EventReminder, EventUpdate, WishOverdue])
    );

    // A leader hears alerts (and reviews) and the digest.
    assert_eq!(asked(&app, &c.leader_a).await, ids(&[Alert, Digest]));

    // Done and confirmed: nothing is coming the resident's way any more; declined, no event either.
    app.act(&c.volunteer, wish, "fulfil", Some(json!({ "note": "已送到" })))
        .await
        .expect(200);
    app.act(&c.owner, wish, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);
    assert!(asked(&app, &c.owner).await.is_empty());
    assert_eq!(crate::events::rsvp(&app, &c.volunteer, event, "no").await, "declined");
    assert!(asked(&app, &c.volunteer).await.is_empty());

    // Signed out: 401, as for every personal endpoint.
    let anonymous = app.call("GET", "/api/v1/me/subscriptions", None, None).await;
    anonymous.expect_error(401, "unauthenticated");
}
