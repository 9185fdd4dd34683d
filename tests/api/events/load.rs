//! Events under load, on both engines: fifty people answering at once for ten places, and an
//! invitation to a grid of 5,000 residents enqueued in batches while the API keeps answering.

use std::time::Instant;

use serde_json::json;
use sqlx::Row;

use super::{event, notices, rsvp};
use crate::both_engines;
use crate::helpers::{Community, TestApp};
use crate::notifier::configure;

both_engines!(capacity_holds_under_fifty_concurrent_yeses, capacity, super::configure);
async fn capacity(app: TestApp) {
    let c = Community::seed(&app).await;
    let created = event(&app, &c.admin, 48, json!({ "capacity": 10 })).await;
    let id = created["id"].as_i64().unwrap();
    let mut people = Vec::new();
    for i in 0..50 {
        people.push(app.login(&format!("neighbour-{i}")).await);
    }
    let answers = futures::future::join_all(people.iter().map(|p| rsvp(&app, p, id, "yes"))).await;
    let registered = answers.iter().filter(|a| *a == "registered").count();
    let waitlisted = answers.iter().filter(|a| *a == "waitlisted").count();
    assert_eq!((registered, waitlisted), (10, 40), "{answers:?}");
    let view = app
        .get(&format!("/api/v1/events/{id}"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(
        (view["registered"].as_i64(), view["waitlisted"].as_i64()),
        (Some(10), Some(40))
    );

    // Answering again changes nothing.
    let a_registered = people.iter().zip(&answers).find(|(_, a)| *a == "registered").unwrap().0;
    assert_eq!(rsvp(&app, a_registered, id, "yes").await, "registered");

    // A registered no hands the place to the first waitlisted, who is told.
    let first_waiting: i64 = sqlx::query(
        "SELECT user_id FROM event_invitations WHERE event_id = $1 AND response = 'waitlisted' ORDER BY rsvp_order LIMIT 1",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
    .get(0);
    assert_eq!(rsvp(&app, a_registered, id, "no").await, "declined");
    assert_eq!(rsvp(&app, a_registered, id, "no").await, "declined");
    let view = app
        .get(&format!("/api/v1/events/{id}"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(
        (view["registered"].as_i64(), view["waitlisted"].as_i64()),
        (Some(10), Some(39))
    );
    let promoted = notices(&app, id, "event_promoted").await;
    assert_eq!(promoted.len(), 1);
    assert_eq!(promoted[0].recipient_id, first_waiting);
    let lucky = people.iter().find(|p| p.id == first_waiting).unwrap();
    let theirs = app.get(&format!("/api/v1/events/{id}"), &lucky.token).await.expect(200);
    assert_eq!(theirs["my_response"], "registered");
}

both_engines!(
    an_invitation_to_five_thousand_is_batched,
    five_thousand,
    super::configure
);
async fn five_thousand(app: TestApp) {
    use microwish_core::Clock;
    let c = Community::seed(&app).await;
    let big = app.grid(&c.admin, "大网格", None).await;
    let now = app.clock.now_ms();
    let mut tx = app.db.begin_write().await.unwrap();
    for i in 0..5000 {
        microwish_core::people::user::find_or_create(&mut tx, &format!("resident-{i:05}"), now)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE users SET grid_id = $1 WHERE openid LIKE 'resident-%'")
        .bind(big)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let id = event(&app, &c.admin, 48, json!({})).await["id"].as_i64().unwrap();

    let started = Instant::now();
    let path = format!("/api/v1/events/{id}/invitations");
    let body = json!({ "grid_ids": [big], "roles": ["volunteer"] });
    let invite = app.post(&path, &c.admin.token, body.clone());
    // Meanwhile the API keeps answering, writes included.
    let others = async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let t = Instant::now();
        rsvp(&app, &c.owner, id, "yes").await;
        t.elapsed()
    };
    let (answer, other_took) = tokio::join!(invite, others);
    let took = started.elapsed();
    let answer = answer.expect(200);
    assert_eq!(answer["invited"], 5002, "5,000 residents and the two volunteers");
    assert_eq!(notices(&app, id, "event_invitation").await.len(), 5002);
    println!(
        "events benchmark ({:?}): invitation to 5,002 people took {took:?}; an RSVP meanwhile took {other_took:?}",
        app.engine
    );
    assert!(other_took.as_secs() < 5, "an RSVP waited {other_took:?}");
    let again = app.post(&path, &c.admin.token, body).await.expect(200);
    assert_eq!(again["invited"], 0, "each invitee is invited once");
}
