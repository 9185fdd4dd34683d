//! Wishes for several volunteers, on both engines: 20 volunteers race for a 3-slot wish and
//! exactly 3 hold it; every holder sees the resident's contact; a release frees a slot; one
//! fulfilment and one confirmation settle the whole wish and thank every holder; the open-claims
//! limit counts slots; bad slot counts are refused.

use futures::future::join_all;
use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, OWNER_PHONE, TestApp, TestUser};

async fn volunteers(app: &TestApp, c: &Community, n: usize) -> Vec<TestUser> {
    let mut all = Vec::new();
    for i in 0..n {
        let v = app.login(&format!("mover-{i}")).await;
        app.set_roles(&c.admin, &v, &["volunteer"]).await;
        all.push(v);
    }
    all
}

both_engines!(three_slots_raced_by_twenty_have_three_holders, three_of_twenty);
async fn three_of_twenty(app: TestApp) {
    let c = Community::seed(&app).await;
    let racers = volunteers(&app, &c, 20).await;
    let wish = app.wish_of(&c.owner, "搬家需要三个人", "errand", Some(3)).await;
    let id = wish["id"].as_i64().unwrap();
    assert_eq!(
        (wish["slots"].as_i64(), wish["status"].as_str()),
        (Some(3), Some("open"))
    );

    let answers = join_all(racers.iter().map(|v| app.act(v, id, "claim", None))).await;
    let mut winners = Vec::new();
    for (v, a) in racers.iter().zip(answers) {
        match a.status.as_u16() {
            200 => winners.push(v.id),
            409 => assert_eq!(a.body["code"], "claim_lost", "{}", a.text),
            other => panic!("status {other}: {}", a.text),
        }
    }
    assert_eq!(winners.len(), 3, "exactly three of twenty: {winners:?}");
    let seen = app
        .get(&format!("/api/v1/wishes/{id}"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(seen["status"], "claimed");
    let mut holders: Vec<i64> = seen["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_i64().unwrap())
        .collect();
    holders.sort_unstable();
    winners.sort_unstable();
    assert_eq!(holders, winners);
    assert_eq!(app.count("wish_holders").await, 3);
    let claims = app
        .get(&format!("/api/v1/wishes/{id}/timeline"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(
        claims
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["action"] == "claim")
            .count(),
        3
    );
    let told: Vec<_> = app
        .outbox(id)
        .await
        .into_iter()
        .filter(|(k, _)| k == "wish_claimed")
        .collect();
    assert_eq!(
        told,
        vec![("wish_claimed".to_string(), c.owner.id)],
        "the resident hears once, when it is full"
    );

    // Every holder sees the resident's phone; a volunteer without a slot sees it masked.
    let holder = |n: usize| racers.iter().find(|v| v.id == winners[n]).unwrap();
    for n in 0..3 {
        let mine = app
            .get(&format!("/api/v1/wishes/{id}"), &holder(n).token)
            .await
            .expect(200);
        assert_eq!(mine["resident"]["phone"], OWNER_PHONE);
    }
    let loser = racers.iter().find(|v| !winners.contains(&v.id)).unwrap();
    let theirs = app.get(&format!("/api/v1/wishes/{id}"), &loser.token).await.expect(200);
    assert_eq!(theirs["resident"]["contact_visible"], false);

    // A release frees one slot: open again, and someone else may take it.
    app.act(holder(0), id, "release", Some(json!({ "reason": "临时有事" })))
        .await
        .expect(200);
    let reopened = app
        .get(&format!("/api/v1/wishes/{id}"), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(
        (
            reopened["status"].as_str(),
            reopened["holders"].as_array().unwrap().len()
        ),
        (Some("open"), 2)
    );
    app.act(loser, id, "claim", None).await.expect(200);
    // A leader releases a slot by naming its holder.
    let release = |v: Option<i64>| json!({ "reason": "换人", "volunteer_id": v });
    app.act(&c.leader_a, id, "release", Some(release(None)))
        .await
        .expect_error(422, "invalid_field");
    app.act(&c.leader_a, id, "release", Some(release(Some(c.volunteer.id))))
        .await
        .expect_error(422, "not_a_holder");
    app.act(&c.leader_a, id, "release", Some(release(Some(loser.id))))
        .await
        .expect(200);

    // One report of the whole job, one confirmation: every holder thanked.
    app.act(holder(1), id, "fulfil", Some(json!({ "note": "搬完了" })))
        .await
        .expect(200);
    app.act(&c.owner, id, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);
    let thanked: Vec<i64> = app
        .outbox(id)
        .await
        .into_iter()
        .filter(|(k, _)| k == "wish_confirmed")
        .map(|(_, v)| v)
        .collect();
    let mut expected = vec![winners[1], winners[2]];
    expected.sort_unstable();
    let mut thanked = thanked;
    thanked.sort_unstable();
    assert_eq!(thanked, expected);
    // …and credited their hours, each once, however often the scheduler scans.
    let scheduler = microwish_notifier::Scheduler::new(app.db.clone(), app.state().settings.clone(), app.clock.clone());
    scheduler.scan_once().await.unwrap();
    scheduler.scan_once().await.unwrap();
    for n in 0..3 {
        let hours = app.get("/api/v1/me/hours", &holder(n).token).await.expect(200);
        let want = if n == 0 { 0 } else { 60 };
        assert_eq!(hours["total_minutes"], want, "holder {n}: {hours}");
    }
}

both_engines!(slots_count_towards_the_open_claims_limit, the_limit);
async fn the_limit(app: TestApp) {
    let c = Community::seed(&app).await;
    // The default limit is 3 open claims: two slots and one ordinary wish fill it.
    let mut cleanups = Vec::new();
    for i in 0..2 {
        let id = app.wish_of(&c.owner, &format!("大扫除 {i}"), "other", Some(4)).await["id"]
            .as_i64()
            .unwrap();
        let first = app.act(&c.volunteer, id, "claim", None).await.expect(200);
        assert_eq!(
            (first["status"].as_str(), first["holders"].as_array().unwrap().len()),
            (Some("open"), 1)
        );
        app.act(&c.volunteer, id, "claim", None)
            .await
            .expect_error(409, "already_holding");
        cleanups.push(id);
    }
    let one = app.wish(&c.owner, "取药").await["id"].as_i64().unwrap();
    let held = app.act(&c.volunteer, one, "claim", None).await.expect(200);
    assert_eq!(
        (held["slots"].as_i64(), held["holders"][0].as_i64()),
        (Some(1), Some(c.volunteer.id))
    );
    let more = app.wish_of(&c.owner, "再来一个", "other", Some(2)).await["id"]
        .as_i64()
        .unwrap();
    app.act(&c.volunteer, more, "claim", None)
        .await
        .expect_error(409, "claim_limit");
    let single = app.wish(&c.owner, "再取一次药").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, single, "claim", None)
        .await
        .expect_error(409, "claim_limit");
    let mine = app
        .get("/api/v1/wishes?mine=true", &c.volunteer.token)
        .await
        .expect(200);
    assert_eq!(
        mine["items"].as_array().unwrap().len(),
        3,
        "mine lists the slots held too"
    );
    // A slot stops counting once its wish is done or withdrawn (the row stays: who served).
    app.act(&c.volunteer, cleanups[0], "fulfil", Some(json!({ "note": "扫完了" })))
        .await
        .expect(200);
    app.act(&c.volunteer, single, "claim", None).await.expect(200);
    app.act(&c.owner, cleanups[1], "cancel", None).await.expect(200);
    app.act(&c.volunteer, more, "claim", None).await.expect(200);
    let done = app
        .get(&format!("/api/v1/wishes/{}", cleanups[0]), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(done["holders"], json!([c.volunteer.id]));

    // Bad slot counts.
    for (slots, status) in [(json!(0), 422), (json!(11), 422), (json!(-1), 422), (json!("3"), 400)] {
        let body = json!({ "title": "搬家", "description": "", "category": "errand", "slots": slots });
        let answer = app.post("/api/v1/wishes", &c.owner.token, body).await;
        assert_eq!(answer.status.as_u16(), status, "{slots}: {}", answer.text);
    }
}
