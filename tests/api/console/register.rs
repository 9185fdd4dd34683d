//! The register in the console, on both engines: residence requests decided with the API's core
//! call, the grid's people searched and filtered with phones shown and audited as over the API,
//! the care list with visits due and overdue, a resident registered without WeChat — and another
//! grid's pages refused the way the API refuses, for a grid that exists and one that does not.

use serde_json::json;

use super::signed_in;
use crate::both_engines;
use crate::helpers::{Community, OWNER_PHONE, TestApp, TestUser};

const DAY: i64 = 86_400_000;

/// A newcomer asking to live in `grid`; returns their pending request's id.
async fn newcomer(app: &TestApp, openid: &str, name: &str, grid: i64) -> (TestUser, i64) {
    let who = app.login(openid).await;
    let body = json!({ "display_name": name, "grid_id": grid });
    let me = app.put("/api/v1/me", &who.token, body).await.expect(200);
    let request = me["pending_residence_request_id"].as_i64().expect("pending");
    (who, request)
}

both_engines!(residence_requests_are_decided_in_the_console, residence);
async fn residence(app: TestApp) {
    let c = Community::seed(&app).await;
    let (mover, request) = newcomer(&app, "mover", "新来的张阿姨", c.grid_a).await;
    let (_, other) = newcomer(&app, "stranger", "不认识的人", c.grid_a).await;
    let mut leader = signed_in(&app, &c.leader_a).await;
    let page = leader.get("/console/register").await.expect(200);
    assert!(page.text.contains(&format!("id=\"request-{request}\"")) && page.text.contains("新来的张阿姨"));
    let csrf = page.csrf();

    let approve = format!("/console/residence/{request}/approve");
    leader.post(&approve, &[]).await.expect(403);
    leader
        .post(&approve, &[("csrf", &csrf)])
        .await
        .expect_redirect("/console/register?done=residence_approve");
    let me = app.get("/api/v1/me", &mover.token).await.expect(200);
    assert_eq!(
        (me["grid_id"].as_i64(), &me["residence_verified"]),
        (Some(c.grid_a), &json!(true))
    );
    leader.post(&approve, &[("csrf", &csrf)]).await.expect(409);

    let reject = format!("/console/residence/{other}/reject");
    leader.post(&reject, &[("csrf", &csrf)]).await.expect(422);
    leader
        .post(&reject, &[("csrf", &csrf), ("reason", "查无此人")])
        .await
        .expect_redirect("/console/register?done=residence_reject");
    let after = leader.get("/console/register?done=residence_reject").await.expect(200);
    assert!(after.text.contains("id=\"flash\"") && !after.text.contains(&format!("request-{other}\"")));
    let kinds = app.audit_kinds(&c.admin, "kind=residence").await;
    assert_eq!(
        &kinds[..2],
        ["residence.reject", "residence.approve"],
        "decided as over the API"
    );

    // Another grid's leader: not listed, and refused as the API refuses.
    let (_, theirs) = newcomer(&app, "elsewhere", "别处的人", c.grid_a).await;
    let mut b = signed_in(&app, &c.leader_b).await;
    let listed = b.get("/console/register").await.expect(200);
    assert!(!listed.text.contains("别处的人"));
    let csrf_b = listed.csrf();
    b.post(&format!("/console/residence/{theirs}/approve"), &[("csrf", &csrf_b)])
        .await
        .expect(404);
    app.post(
        &format!("/api/v1/residence-requests/{theirs}/approve"),
        &c.leader_b.token,
        json!({}),
    )
    .await
    .expect_error(404, "not_found");
}

both_engines!(a_grids_people_and_care_list_for_its_leader_only, people_and_care);
async fn people_and_care(app: TestApp) {
    let c = Community::seed(&app).await;
    newcomer(&app, "mover", "新来的张阿姨", c.grid_a).await;
    let mut leader = signed_in(&app, &c.leader_a).await;
    let people = format!("/console/register/{}/people", c.grid_a);
    let before = app.count("contact_views").await;
    let all = leader.get(&people).await.expect(200);
    assert!(
        all.text.contains("王奶奶") && all.text.contains(OWNER_PHONE),
        "phones in full for the leader"
    );
    assert!(
        app.count("contact_views").await > before,
        "the listing is audited like the API's"
    );
    let found = leader.get(&format!("{people}?q=%E6%9D%8E")).await.expect(200);
    assert!(
        found.text.contains("李大爷") && !found.text.contains("王奶奶"),
        "search by name"
    );
    let waiting = leader.get(&format!("{people}?verified=no")).await.expect(200);
    assert!(waiting.text.contains("新来的张阿姨") && !waiting.text.contains("李大爷"));
    let volunteers = leader.get(&format!("{people}?role=volunteer")).await.expect(200);
    assert!(
        volunteers.text.contains("小王") && volunteers.text.contains("小李") && !volunteers.text.contains("王奶奶")
    );
    leader.get(&format!("{people}?verified=maybe")).await.expect(422);

    // Under care, visited every 7 days: due after a week, overdue two days later.
    let plan = json!({ "tags": ["lives_alone"], "visit_every": "7d", "visitor_ids": [c.volunteer.id] });
    app.put(
        &format!("/api/v1/residents/{}/care", c.owner.id),
        &c.leader_a.token,
        plan,
    )
    .await
    .expect(200);
    let care = format!("/console/register/{}/care", c.grid_a);
    let ahead = leader.get(&care).await.expect(200);
    assert!(ahead.text.contains("class=\"care-ahead\"") && ahead.text.contains("独居") && ahead.text.contains("小王"));
    // Console sessions last hours, not days: sign in again after each jump.
    app.clock.advance_ms(7 * DAY + 1);
    let mut leader = signed_in(&app, &c.leader_a).await;
    assert!(leader.get(&care).await.text.contains("class=\"care-due\""));
    app.clock.advance_ms(2 * DAY);
    let mut leader = signed_in(&app, &c.leader_a).await;
    let late = leader.get(&care).await.expect(200);
    assert!(
        late.text.contains("class=\"care-overdue\"") && late.text.contains("id=\"count-overdue\" class=\"late\">1<")
    );

    // Another grid's leader — for this grid and for one that does not exist alike.
    let mut b = signed_in(&app, &c.leader_b).await;
    let seen = app.count("contact_views").await;
    for path in [people.clone(), care.clone(), "/console/register/999999/people".into()] {
        let refused = b.get(&path).await.expect(403);
        assert!(
            !refused.text.contains("王奶奶") && !refused.text.contains(OWNER_PHONE),
            "{path}"
        );
    }
    assert_eq!(app.count("contact_views").await, seen, "nothing shown, nothing audited");
    app.get(&format!("/api/v1/grids/{}/people", c.grid_a), &c.leader_b.token)
        .await
        .expect_error(403, "not_permitted");
}

both_engines!(
    a_resident_without_wechat_is_registered_from_the_console,
    offline_resident
);
async fn offline_resident(app: TestApp) {
    let c = Community::seed(&app).await;
    let b = app
        .post(
            "/api/v1/admin/buildings",
            &c.admin.token,
            json!({ "grid_id": c.grid_a, "name": "7号楼" }),
        )
        .await
        .expect(201);
    let building = b["id"].as_i64().unwrap().to_string();
    let mut leader = signed_in(&app, &c.leader_a).await;
    let page = leader.get("/console/register").await.expect(200);
    assert!(page.text.contains("id=\"new-resident\"") && page.text.contains("7号楼"));
    let csrf = page.csrf();
    let form = |name: &'static str, phone: &'static str| {
        vec![
            ("display_name", name),
            ("phone", phone),
            ("building_id", building.as_str()),
            ("room", "302"),
        ]
    };
    let mut bad = form("孙奶奶", "12345");
    bad.push(("csrf", &csrf));
    leader.post("/console/residents", &bad).await.expect(422);
    let mut good = form("孙奶奶", "13800001234");
    leader.post("/console/residents", &good).await.expect(403);
    good.push(("csrf", &csrf));
    leader
        .post("/console/residents", &good)
        .await
        .expect_redirect("/console/register?done=registered");
    let listed = leader
        .get(&format!("/console/register/{}/people?q=%E5%AD%99", c.grid_a))
        .await
        .expect(200);
    assert!(
        listed.text.contains("孙奶奶") && listed.text.contains("7号楼 302"),
        "{}",
        listed.text
    );

    // Another grid's leader may not register into this grid's building.
    let mut other = signed_in(&app, &c.leader_b).await;
    let csrf_b = other.get("/console/register").await.expect(200).csrf();
    let mut theirs = form("外人", "13800004321");
    theirs.push(("csrf", &csrf_b));
    other.post("/console/residents", &theirs).await.expect(403);
}
