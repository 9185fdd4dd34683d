//! The mid-year reminder, on both engines: on `party.midyear_reminder` the in-service members
//! behind their pro-rated target — and only they, not community members, not those on track —
//! get one reminder each, however many schedulers scan at once; the day before, nothing.

use serde_json::json;

use super::service::JUNE_20;
use crate::both_engines;
use crate::helpers::{Community, TestApp};

const DAY: i64 = 86_400_000;

fn small_targets(s: &mut microwish_core::Settings) {
    let target = microwish_core::config::Target { hours: 1, services: 1 };
    s.party.category_targets.insert("in_service".into(), target);
}

async fn reminded(app: &TestApp) -> Vec<(i64, serde_json::Value)> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT recipient_id, payload FROM notifications WHERE kind = 'party_reminder'")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    rows.iter()
        .map(|r| (r.get(0), serde_json::from_str(&r.get::<String, _>(1)).unwrap()))
        .collect()
}

both_engines!(
    behind_in_service_members_are_reminded_once,
    reminder_body,
    super::small_targets
);

async fn reminder_body(app: TestApp) {
    app.clock.set_ms(JUNE_20 + 10 * DAY);
    let c = Community::seed(&app).await;
    let branch = app.branch(&c.admin, "第一党支部", &[c.grid_a]).await;
    for (user, category) in [
        (&c.volunteer, "in_service"),
        (&c.volunteer2, "in_service"),
        (&c.owner, "community"),
    ] {
        app.set_party(&c.admin, user, branch, category).await.expect(200);
    }
    // volunteer2 fulfils a wish its resident confirms: an hour, on track for a 1-hour target.
    let wish = app.wish(&c.other_resident, "买菜").await["id"].as_i64().unwrap();
    app.act(&c.volunteer2, wish, "claim", None).await.expect(200);
    app.act(&c.volunteer2, wish, "fulfil", Some(json!({ "note": "买好了" })))
        .await
        .expect(200);
    app.act(&c.other_resident, wish, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);

    super::service::scan(&app).await;
    assert!(reminded(&app).await.is_empty(), "30 June: not yet");

    app.clock.advance_ms(DAY);
    let (settings, now) = (app.state().settings.clone(), {
        use microwish_core::Clock;
        app.clock.now_ms()
    });
    let (a, b) = tokio::join!(
        microwish_core::schedule::scan(&app.db, &settings, now),
        microwish_core::schedule::scan(&app.db, &settings, now),
    );
    a.unwrap();
    b.unwrap();
    super::service::scan(&app).await;
    let all = reminded(&app).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let (to, payload) = &all[0];
    assert_eq!(*to, c.volunteer.id);
    assert_eq!(
        (payload["year"].as_i64(), payload["hours"].as_f64()),
        (Some(2026), Some(0.0))
    );
    assert_eq!(
        (payload["target_hours"].as_i64(), payload["expected_services"].as_i64()),
        (Some(1), Some(1))
    );
}
