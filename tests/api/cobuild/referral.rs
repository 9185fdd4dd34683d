//! Referral instead of escalating forever, on both engines: the grid's leader refers a wish no
//! volunteer can serve; it stays open and claimable, lists filter it, and the scheduler no longer
//! raises "unclaimed" for it while an ordinary wish of the same age is escalated.

use microwish_notifier::Scheduler;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

both_engines!(a_referred_wish_is_not_escalated, referred);
async fn referred(app: TestApp) {
    let c = Community::seed(&app).await;
    let roof = app.wish_of(&c.owner, "屋顶漏水要大修", "repair", None).await["id"]
        .as_i64()
        .unwrap();
    let plain = app.wish(&c.other_resident, "帮忙取快递").await["id"].as_i64().unwrap();

    // Only the wish's own leader (or an admin) refers, with a reason, once.
    app.refer(&c.leader_b, roof, "需要施工队")
        .await
        .expect_error(403, "not_permitted");
    app.refer(&c.volunteer, roof, "需要施工队")
        .await
        .expect_error(403, "not_permitted");
    app.act(&c.leader_a, roof, "refer", Some(serde_json::json!({})))
        .await
        .expect(400);
    app.refer(&c.leader_a, roof, "  ")
        .await
        .expect_error(422, "invalid_field");
    let wish = app.refer(&c.leader_a, roof, "需要施工队和资金").await.expect(200);
    assert_eq!(
        (wish["status"].as_str(), wish["referral_reason"].as_str()),
        (Some("open"), Some("需要施工队和资金"))
    );
    assert!(
        wish["referred_at"].is_string() && wish.get("project_id").is_none(),
        "{wish}"
    );
    app.refer(&c.leader_a, roof, "再转一次")
        .await
        .expect_error(409, "already_referred");

    // Lists filter on the mark.
    let only = |v: serde_json::Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_i64().unwrap())
            .collect()
    };
    let grid = c.grid_a;
    let referred = app
        .get(
            &format!("/api/v1/wishes?grid_id={grid}&referred=true"),
            &c.leader_a.token,
        )
        .await;
    assert_eq!(only(referred.expect(200)), vec![roof]);
    let others = app
        .get(
            &format!("/api/v1/wishes?grid_id={grid}&referred=false"),
            &c.leader_a.token,
        )
        .await;
    assert_eq!(only(others.expect(200)), vec![plain]);
    let open = app.get("/api/v1/wishes?status=open", &c.volunteer.token).await;
    assert_eq!(only(open.expect(200)), vec![plain, roof]);
    let public = app
        .get("/api/v1/wishes?status=open&referred=true", &c.volunteer.token)
        .await;
    assert_eq!(
        only(public.expect(200)),
        vec![roof],
        "the kept page of the list knows the filter"
    );

    // A day later the ordinary wish is escalated; the referred one is not.
    app.clock.advance_ms(25 * 3_600_000);
    let scheduler = Scheduler::new(app.db.clone(), app.state().settings.clone(), app.clock.clone());
    assert_eq!(scheduler.scan_once().await.unwrap().alerts, 1);
    let alerts = app.get("/api/v1/alerts", &c.leader_a.token).await.expect(200);
    let about: Vec<i64> = alerts
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["wish_id"].as_i64())
        .collect();
    assert_eq!(about, vec![plain]);
    app.clock.advance_ms(13 * 3_600_000);
    scheduler.scan_once().await.unwrap();
    let level_two = app.get("/api/v1/alerts", &c.admin.token).await.expect(200);
    let escalated: Vec<i64> = level_two
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["wish_id"].as_i64())
        .collect();
    assert!(
        !escalated.contains(&roof) && escalated.contains(&plain),
        "{escalated:?}"
    );

    // The console's queue lists the ordinary wish as unclaimed, not the referred one.
    let mut browser = crate::console::signed_in(&app, &c.leader_a).await;
    let queue = browser.get("/console/queue").await.expect(200);
    let text = &queue.text;
    let unclaimed = &text[text.find("id=\"unclaimed\"").unwrap()..text.find("id=\"overdue\"").unwrap()];
    assert!(unclaimed.contains(&format!("id=\"wish-{plain}\"")), "{unclaimed}");
    assert!(!unclaimed.contains(&format!("id=\"wish-{roof}\"")), "{unclaimed}");

    // A volunteer who can serve it after all may still claim it.
    app.act(&c.volunteer, roof, "claim", None).await.expect(200);
}
