//! Concurrency: many volunteers claim one wish at once; exactly one wins, the rest get 409,
//! nobody gets a 5xx — repeated over many wishes on both engines.

use futures::future::join_all;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

const CLAIMERS: usize = 12;
const WISHES: usize = 15;

both_engines!(exactly_one_claim_wins, claim_race);
async fn claim_race(app: TestApp) {
    let c = Community::seed(&app).await;
    let mut volunteers: Vec<TestUser> = Vec::new();
    for i in 0..CLAIMERS {
        let v = app.login(&format!("racer-{i}")).await;
        app.set_roles(&c.admin, &v, &["volunteer"]).await;
        volunteers.push(v);
    }
    for round in 0..WISHES {
        let id = app.wish(&c.owner, &format!("抢单 {round}")).await["id"]
            .as_i64()
            .unwrap();
        let answers = join_all(volunteers.iter().map(|v| app.act(v, id, "claim", None))).await;
        let mut winners = Vec::new();
        for (v, a) in volunteers.iter().zip(answers) {
            match a.status.as_u16() {
                200 => winners.push(v.id),
                409 => assert_eq!(a.body["code"], "claim_lost", "{}", a.text),
                other => panic!("round {round}: status {other}: {}", a.text),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: exactly one winner, got {winners:?}");
        let wish = app
            .get(&format!("/api/v1/wishes/{id}"), &c.owner.token)
            .await
            .expect(200);
        assert_eq!(wish["volunteer_id"], winners[0]);
        let timeline = app
            .get(&format!("/api/v1/wishes/{id}/timeline"), &c.owner.token)
            .await
            .expect(200);
        assert_eq!(timeline.as_array().unwrap().len(), 2, "one create, one claim");
        assert_eq!(app.outbox(id).await.len(), 1, "one wish_claimed notification");
        // Release it so the winner stays under the open-claims limit.
        let winner = volunteers.iter().find(|v| v.id == winners[0]).unwrap();
        app.act(winner, id, "release", Some(serde_json::json!({ "reason": "测试" })))
            .await
            .expect(200);
    }
}

both_engines!(simultaneous_claims_keep_the_limit, limit_race);
async fn limit_race(app: TestApp) {
    // The default limit is 3 open claims; one volunteer taps "claim" on 8 wishes at once.
    let c = Community::seed(&app).await;
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(app.wish(&c.owner, &format!("同时 {i}")).await["id"].as_i64().unwrap());
    }
    let answers = join_all(ids.iter().map(|id| app.act(&c.volunteer, *id, "claim", None))).await;
    let mut won = 0;
    for a in answers {
        match a.status.as_u16() {
            200 => won += 1,
            409 => assert_eq!(a.body["code"], "claim_limit", "{}", a.text),
            other => panic!("status {other}: {}", a.text),
        }
    }
    assert_eq!(won, 3, "exactly the limit wins");
    let mine = app
        .get("/api/v1/wishes?status=claimed&mine=true", &c.volunteer.token)
        .await
        .expect(200);
    assert_eq!(mine["items"].as_array().unwrap().len(), 3);
}
