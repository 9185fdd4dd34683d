//! The grid leader's queue and its one-click actions over HTTP, on both engines: what it lists,
//! that each form needs its CSRF token, that each action changes the wish or alert exactly as
//! the API would, and that a leader of another grid is refused the same way the API refuses.

use serde_json::{Value, json};

use microwish_core::Settings;

use super::{Browser, signed_in};
use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

const HOUR: i64 = 3_600_000;

pub fn configure(s: &mut Settings) {
    s.notifier.quiet_hours = String::new();
    s.wishes.review_required = true;
}

async fn post_wish(app: &TestApp, who: &TestUser, title: &str, extra: Value) -> i64 {
    let mut body = json!({ "title": title, "description": "请帮帮忙", "category": "errand" });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    app.post("/api/v1/wishes", &who.token, body).await.expect(201)["id"]
        .as_i64()
        .unwrap()
}

async fn wish_status(app: &TestApp, c: &Community, id: i64) -> (String, Option<i64>) {
    let w = app
        .get(&format!("/api/v1/wishes/{id}"), &c.admin.token)
        .await
        .expect(200);
    (w["status"].as_str().unwrap().to_string(), w["volunteer_id"].as_i64())
}

async fn alerts_of(app: &TestApp, c: &Community) -> Vec<Value> {
    let list = app.get("/api/v1/alerts", &c.admin.token).await.expect(200);
    list.as_array().unwrap().clone()
}

both_engines!(
    a_leader_works_the_queue_with_one_click_actions,
    leader_day,
    crate::console::queue::configure
);
async fn leader_day(app: TestApp) {
    let c = Community::seed(&app).await;
    let first = post_wish(&app, &c.owner, "买降压药", json!({})).await;
    let second = post_wish(&app, &c.owner, "修水龙头", json!({})).await;
    let mut browser = signed_in(&app, &c.leader_a).await;
    let queue = browser.get("/console/queue").await.expect(200);
    let review = &queue.text[queue.text.find("id=\"review\"").unwrap()..queue.text.find("id=\"unclaimed\"").unwrap()];
    assert!(review.contains(&format!("id=\"wish-{first}\"")) && review.contains("买降压药"));
    assert!(review.contains("王奶奶"), "the resident's name is shown");
    assert!(
        !queue.text.contains("13812345678"),
        "no phone number on the shared screen"
    );
    let csrf = queue.csrf();

    // Approve: refused without the token, done with it.
    let approve = format!("/console/wishes/{first}/approve");
    browser.post(&approve, &[]).await.expect(403);
    browser
        .post(&approve, &[("csrf", "0".repeat(64).as_str())])
        .await
        .expect(403);
    assert_eq!(wish_status(&app, &c, first).await.0, "pending_review");
    browser
        .post(&approve, &[("csrf", &csrf)])
        .await
        .expect_redirect("/console/queue?done=approve");
    assert_eq!(wish_status(&app, &c, first).await.0, "open");
    assert!(
        browser
            .get("/console/queue?done=approve")
            .await
            .text
            .contains("id=\"flash\"")
    );
    // Twice is a conflict, as over the API.
    browser.post(&approve, &[("csrf", &csrf)]).await.expect(409);

    // Reject needs a reason.
    let reject = format!("/console/wishes/{second}/reject");
    browser
        .post(&reject, &[("csrf", &csrf), ("reason", "  ")])
        .await
        .expect(422);
    assert_eq!(wish_status(&app, &c, second).await.0, "pending_review");
    browser
        .post(&reject, &[("csrf", &csrf), ("reason", "请联系物业报修")])
        .await
        .expect_redirect("/console/queue?done=reject");
    assert_eq!(wish_status(&app, &c, second).await.0, "rejected");

    // A day later the open wish is past its limit: assign it to a volunteer picked by name.
    app.clock.advance_ms(25 * HOUR);
    // A new working day, a new sign-in (sessions last 12 hours).
    browser.get("/console/queue").await.expect_redirect("/console/login");
    let mut browser = signed_in(&app, &c.leader_a).await;
    let queue = browser.get("/console/queue").await.expect(200);
    let csrf = queue.csrf();
    let unclaimed =
        &queue.text[queue.text.find("id=\"unclaimed\"").unwrap()..queue.text.find("id=\"overdue\"").unwrap()];
    assert!(unclaimed.contains(&format!("id=\"wish-{first}\"")));
    assert!(unclaimed.contains(&format!("<option value=\"{}\">小王", c.volunteer.id)));
    let assign = format!("/console/wishes/{first}/assign");
    let owner_id = c.owner.id.to_string();
    browser
        .post(&assign, &[("csrf", &csrf), ("volunteer_id", &owner_id)])
        .await
        .expect(422);
    browser
        .post(&assign, &[("csrf", &csrf), ("volunteer_id", "小王")])
        .await
        .expect(422);
    let volunteer_id = c.volunteer.id.to_string();
    browser
        .post(&assign, &[("csrf", &csrf), ("volunteer_id", &volunteer_id)])
        .await
        .expect_redirect("/console/queue?done=assign");
    assert_eq!(
        wish_status(&app, &c, first).await,
        ("claimed".into(), Some(c.volunteer.id))
    );

    // Three days on, the claim is overdue and shows who holds it.
    app.clock.advance_ms(49 * HOUR);
    let mut browser = signed_in(&app, &c.leader_a).await;
    let queue = browser.get("/console/queue").await.expect(200);
    let overdue = &queue.text[queue.text.find("id=\"overdue\"").unwrap()..queue.text.find("id=\"alerts\"").unwrap()];
    assert!(overdue.contains(&format!("id=\"wish-{first}\"")) && overdue.contains("小王"));

    // A hand-off: release it with a reason, then give it to someone else from the wish's page.
    let csrf = queue.csrf();
    let release = format!("/console/wishes/{first}/release");
    browser
        .post(&release, &[("csrf", &csrf), ("reason", "")])
        .await
        .expect(422);
    browser
        .post(&release, &[("csrf", &csrf), ("reason", "小王生病了")])
        .await
        .expect_redirect("/console/queue?done=release");
    assert_eq!(wish_status(&app, &c, first).await, ("open".into(), None));
    let page = browser.get(&format!("/console/wishes/{first}")).await.expect(200);
    assert!(page.text.contains(&format!("id=\"assign-{first}\"")));
    assert!(
        page.text
            .contains(&format!("<option value=\"{}\">小李", c.volunteer2.id))
    );
    let volunteer2 = c.volunteer2.id.to_string();
    browser
        .post(&assign, &[("csrf", &csrf), ("volunteer_id", &volunteer2)])
        .await
        .expect_redirect("/console/queue?done=assign");
    assert_eq!(
        wish_status(&app, &c, first).await,
        ("claimed".into(), Some(c.volunteer2.id))
    );
}

both_engines!(
    alerts_are_acknowledged_and_resolved_from_the_queue,
    alert_actions,
    crate::console::queue::configure
);
async fn alert_actions(app: TestApp) {
    let c = Community::seed(&app).await;
    post_wish(&app, &c.owner, "老人摔倒了", json!({ "urgency": "urgent" })).await;
    let alert = alerts_of(&app, &c).await[0]["id"].as_i64().unwrap();
    let mut browser = signed_in(&app, &c.leader_a).await;
    let queue = browser.get("/console/queue").await.expect(200);
    assert!(queue.text.contains(&format!("id=\"alert-{alert}\"")));
    assert!(queue.text.contains("紧急心愿：「老人摔倒了」"), "the line in Chinese");
    let csrf = queue.csrf();
    browser
        .get("/console/lang/en?back=%2Fconsole%2Fqueue")
        .await
        .expect_redirect("/console/queue");
    let english = browser.get("/console/queue").await.expect(200);
    assert!(
        english.text.contains("Urgent wish: “老人摔倒了”"),
        "the same alert's line in English"
    );
    browser
        .get("/console/lang/zh-CN?back=%2Fconsole%2Fqueue")
        .await
        .expect_redirect("/console/queue");

    let ack = format!("/console/alerts/{alert}/ack");
    browser.post(&ack, &[("csrf", "nope")]).await.expect(403);
    assert_eq!(alerts_of(&app, &c).await[0]["status"], "open");
    browser
        .post(&ack, &[("csrf", &csrf)])
        .await
        .expect_redirect("/console/queue?done=ack");
    assert_eq!(alerts_of(&app, &c).await[0]["status"], "acknowledged");
    assert_eq!(alerts_of(&app, &c).await[0]["acked_by"], c.leader_a.id);

    let resolve = format!("/console/alerts/{alert}/resolve");
    browser
        .post(&resolve, &[("csrf", &csrf), ("note", "")])
        .await
        .expect(422);
    browser
        .post(&resolve, &[("csrf", &csrf), ("note", "已上门查看，无大碍")])
        .await
        .expect_redirect("/console/queue?done=resolve");
    let resolved = &alerts_of(&app, &c).await[0];
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolution_note"], "已上门查看，无大碍");
    browser
        .post(&resolve, &[("csrf", &csrf), ("note", "again")])
        .await
        .expect(409);
    browser
        .post(&format!("/console/alerts/{alert}/snooze"), &[("csrf", &csrf)])
        .await
        .expect(404);
}

both_engines!(
    another_grids_leader_is_refused_as_by_the_api,
    other_grid,
    crate::console::queue::configure
);
async fn other_grid(app: TestApp) {
    let c = Community::seed(&app).await;
    let wish = post_wish(&app, &c.owner, "老人摔倒了", json!({ "urgency": "urgent" })).await;
    let alert = alerts_of(&app, &c).await[0]["id"].as_i64().unwrap();

    let mut b = signed_in(&app, &c.leader_b).await;
    let queue = b.get("/console/queue").await.expect(200);
    assert!(
        !queue.text.contains("老人摔倒了"),
        "grid A's wish and alert stay off grid B's queue"
    );
    assert!(queue.text.contains("id=\"queue-empty\""));
    let csrf = queue.csrf();
    b.post(&format!("/console/wishes/{wish}/approve"), &[("csrf", &csrf)])
        .await
        .expect(404);
    b.post(&format!("/console/alerts/{alert}/ack"), &[("csrf", &csrf)])
        .await
        .expect(404);
    assert_eq!(wish_status(&app, &c, wish).await.0, "pending_review");
    assert_eq!(alerts_of(&app, &c).await[0]["status"], "open");

    // Grid pages: one's own, never another's, whether or not it exists.
    b.get(&format!("/console/grids/{}", c.grid_b)).await.expect(200);
    let refused = b.get(&format!("/console/grids/{}", c.grid_a)).await.expect(403);
    assert!(refused.text.contains("这不是您负责的网格"));
    b.get("/console/grids/999999").await.expect(403);
    let grids = b.get("/console/grids").await.expect(200);
    assert!(grids.text.contains("第二网格") && !grids.text.contains("第一网格"));
    // The API agrees.
    let path = format!("/api/v1/grids/{}/overview", c.grid_a);
    app.get(&path, &c.leader_b.token).await.expect_error(403, "forbidden");

    // Admins oversee every grid.
    let mut admin = signed_in(&app, &c.admin).await;
    admin.get(&format!("/console/grids/{}", c.grid_a)).await.expect(200);
    admin.get("/console/grids/999999").await.expect(404);
    assert!(
        admin
            .get("/console/queue")
            .await
            .expect(200)
            .text
            .contains("老人摔倒了")
    );

    // A browser that never signed in is sent to sign in, and its forms do nothing.
    let mut stranger = Browser::new(&app);
    stranger
        .post(&format!("/console/wishes/{wish}/approve"), &[("csrf", &csrf)])
        .await
        .expect_redirect("/console/login");
    assert_eq!(wish_status(&app, &c, wish).await.0, "pending_review");
}

both_engines!(
    a_wish_page_reveals_contact_only_when_asked_and_allowed,
    wish_page,
    crate::console::queue::configure
);
async fn wish_page(app: TestApp) {
    let c = Community::seed(&app).await;
    let wish = post_wish(&app, &c.owner, "买降压药", json!({})).await;
    let mut a = signed_in(&app, &c.leader_a).await;
    let path = format!("/console/wishes/{wish}");
    let page = a.get(&path).await.expect(200);
    assert!(page.text.contains("138****5678") && !page.text.contains("13812345678"));
    assert!(page.text.contains("id=\"reveal\""));
    assert_eq!(app.count("contact_views").await, 0, "looking is not revealing");

    let page = a.get(&format!("{path}?contact=1")).await.expect(200);
    assert!(page.text.contains("13812345678") && page.text.contains("id=\"wish-address\""));
    assert_eq!(app.count("contact_views").await, 1, "the reveal is audited");

    // Grid B's leader: the wish under review does not exist for them; once public, it does,
    // but its contact details stay masked however they ask, and nothing is recorded.
    let mut b = signed_in(&app, &c.leader_b).await;
    b.get(&path).await.expect(404);
    let approve = format!("{path}/approve");
    a.post(&approve, &[("csrf", &page.csrf())]).await.expect(303);
    let page = b.get(&format!("{path}?contact=1")).await.expect(200);
    assert!(page.text.contains("138****5678") && !page.text.contains("13812345678"));
    assert!(!page.text.contains("id=\"reveal\""));
    assert!(
        !page.text.contains("id=\"actions\""),
        "no actions on another grid's wish"
    );
    assert_eq!(app.count("contact_views").await, 1);
    assert!(page.text.contains("审核通过"), "the timeline shows the approval");
}
