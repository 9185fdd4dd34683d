//! 双报到 end to end, on both engines: an in-service party member registers (once their residence
//! is verified), an admin approves, they serve — wishes, an event, a visit — and `GET /me/party`,
//! the year-end letter, the CSV for their unit and their certificate show exactly those hours.
//! Refusals: who may read and decide, bad input, rejections with reasons, withdrawals, no branch
//! for the grid, and two admins deciding at once.

use serde_json::{Value, json};

use super::service::{JUNE_20, a_year_of_service};
use crate::both_engines;
use crate::helpers::{Answer, Community, TestApp, TestUser};

const REGISTRATIONS: &str = "/api/v1/party/registrations";

fn filing() -> Value {
    json!({ "work_unit": "市第一人民医院", "unit_branch": "市第一人民医院党委",
        "skills": ["medicine", "companion"], "posts": ["care_visits", "tutoring"] })
}

async fn file(app: &TestApp, user: &TestUser, body: Value) -> Answer {
    app.post(REGISTRATIONS, &user.token, body).await
}

async fn decide(app: &TestApp, user: &TestUser, id: i64, action: &str, body: Option<Value>) -> Answer {
    let path = format!("{REGISTRATIONS}/{id}/{action}");
    app.call("POST", &path, Some(&user.token), body).await
}

/// The notifications about registration `id`, as (kind, recipient).
async fn told(app: &TestApp, id: i64) -> Vec<(String, i64)> {
    let mut conn = app.db.pool().acquire().await.unwrap();
    let mut all: Vec<(String, i64)> = microwish_core::outbox::for_subject(&mut conn, "registration", id)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.kind.to_string(), n.recipient_id))
        .collect();
    all.sort();
    all
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

both_engines!(
    an_in_service_member_registers_serves_and_gets_their_letter,
    registers_body
);

async fn registers_body(app: TestApp) {
    app.clock.set_ms(JUNE_20);
    let c = Community::seed(&app).await;
    let branch = app.branch(&c.admin, "第一党支部", &[c.grid_a]).await;
    let member = app.login("doctor-chen").await;

    // No verified residence yet: nothing to register from.
    file(&app, &member, filing())
        .await
        .expect_error(409, "residence_required");
    app.profile(&member, "陈医生", "13500006666", c.grid_a).await;
    let mut bad = filing();
    bad["posts"] = json!(["astrology"]);
    file(&app, &member, bad).await.expect_error(422, "unknown_post");
    let mut bad = filing();
    bad["skills"] = json!(["flying"]);
    file(&app, &member, bad).await.expect_error(422, "unknown_skill");
    let mut bad = filing();
    bad["posts"] = json!([]);
    file(&app, &member, bad).await.expect_error(422, "invalid_field");
    let mut bad = filing();
    bad["work_unit"] = json!("   ");
    file(&app, &member, bad).await.expect_error(422, "invalid_field");
    let mut bad = filing();
    bad["party_status"] = json!("secretary");
    file(&app, &member, bad).await.expect_error(400, "malformed");
    assert_eq!(app.count("party_registrations").await, 0, "nothing half-written");

    let filed = file(&app, &member, filing()).await.expect(201);
    let id = filed["id"].as_i64().unwrap();
    assert_eq!(
        (filed["status"].as_str(), filed["grid_id"].as_i64()),
        (Some("pending"), Some(c.grid_a))
    );
    assert_eq!(filed["posts"], json!(["care_visits", "tutoring"]));
    assert_eq!(filed["skills"], json!(["companion", "medicine"]));
    file(&app, &member, filing())
        .await
        .expect_error(409, "registration_pending");
    assert_eq!(
        told(&app, id).await,
        vec![("party_registration".to_string(), c.admin.id)]
    );

    // Its applicant, its grid's leader and admins read it; nobody else knows it exists.
    for reader in [&member, &c.leader_a, &c.admin] {
        assert_eq!(ids(&app.get(REGISTRATIONS, &reader.token).await.expect(200)), vec![id]);
        app.get(&format!("{REGISTRATIONS}/{id}"), &reader.token)
            .await
            .expect(200);
    }
    assert!(ids(&app.get(REGISTRATIONS, &c.leader_b.token).await.expect(200)).is_empty());
    app.get(&format!("{REGISTRATIONS}/{id}"), &c.other_resident.token)
        .await
        .expect_error(404, "not_found");
    // Party status is never self-declared, nor given by a grid leader.
    decide(&app, &member, id, "approve", None)
        .await
        .expect_error(403, "not_permitted");
    decide(&app, &c.leader_a, id, "approve", None)
        .await
        .expect_error(403, "not_permitted");
    decide(&app, &c.other_resident, id, "approve", None)
        .await
        .expect_error(404, "not_found");

    let approved = decide(&app, &c.admin, id, "approve", None).await.expect(200);
    assert_eq!(
        (approved["status"].as_str(), approved["branch_id"].as_i64()),
        (Some("approved"), Some(branch))
    );
    decide(&app, &c.admin, id, "approve", None)
        .await
        .expect_error(409, "not_pending");
    decide(&app, &member, id, "withdraw", None)
        .await
        .expect_error(409, "not_pending");
    assert_eq!(
        told(&app, id).await,
        vec![
            ("party_approved".to_string(), member.id),
            ("party_registration".to_string(), c.admin.id)
        ]
    );
    let me = app.get("/api/v1/me", &member.token).await.expect(200);
    assert!(me["roles"].as_array().unwrap().contains(&json!("volunteer")), "{me}");
    assert_eq!(me["skills"], json!(["companion", "medicine"]));
    let year = app.me_party(&member, "").await.expect(200);
    assert_eq!(year["category"], "in_service");
    assert_eq!(year["minutes"], 0);
    let kinds = app.audit_kinds(&c.admin, "kind=registration").await;
    assert_eq!(kinds, vec!["registration.approve"]);

    // They serve: two wishes (one rated 5), an event, a care visit — 240 minutes, 4 services.
    a_year_of_service(&app, &c, &member).await;
    let year = app.me_party(&member, "").await.expect(200);
    assert_eq!(
        (year["minutes"].as_i64(), year["services"].as_i64()),
        (Some(240), Some(4))
    );

    let path = format!("/api/v1/party/members/{}/feedback", member.id);
    let comment = json!({ "year": 2026, "comment": "陈医生热心为独居老人义诊，居民评价很高。" });
    app.put(&path, &c.leader_a.token, comment.clone())
        .await
        .expect_error(403, "forbidden");
    let written = app.put(&path, &c.admin.token, comment).await.expect(200);
    assert_eq!(
        (
            written["minutes"].as_i64(),
            written["services"].as_i64(),
            written["hours"].as_f64()
        ),
        (Some(240), Some(4), Some(4.0))
    );
    assert_eq!(
        (written["ratings"].as_i64(), written["rating_average"].as_f64()),
        (Some(1), Some(5.0))
    );
    assert_eq!(written["work_unit"], "市第一人民医院");
    assert_eq!(written["target_met"], false);
    assert_eq!(
        app.get(&path, &member.token).await.expect(200)["comment"],
        written["comment"]
    );

    let letter = format!("/api/v1/party/members/{}/letter?year=2026", member.id);
    let page = app.call("GET", &letter, Some(&c.admin.token), None).await;
    assert_eq!(page.status.as_u16(), 200);
    for words in [
        "关于陈医生同志2026年度到社区报到服务情况的反馈函",
        "市第一人民医院党委：",
        "共服务<strong>4小时</strong>、<strong>4次</strong>",
        "<td>2个（2小时）</td>",
        "<td>1次（1.5小时）</td>",
        "<td>1次（0.5小时）</td>",
        "平均5.0分（满分5分，共1次评价）",
        "陈医生热心为独居老人义诊，居民评价很高。",
        "第一党支部",
    ] {
        assert!(page.text.contains(words), "{words} not in the letter:\n{}", page.text);
    }
    let english = app
        .call("GET", &format!("{letter}&lang=en"), Some(&member.token), None)
        .await;
    assert!(
        english
            .text
            .contains("<strong>4 hours</strong> in <strong>4 services</strong>"),
        "{}",
        english.text
    );
    app.call("GET", &letter, Some(&c.other_resident.token), None)
        .await
        .expect_error(404, "not_found");
    app.call("GET", &format!("{letter}&lang=fr"), Some(&c.admin.token), None)
        .await
        .expect_error(422, "invalid_field");

    let sheet = app
        .call(
            "GET",
            "/api/v1/party/feedback.csv?year=2026",
            Some(&c.admin.token),
            None,
        )
        .await;
    assert_eq!(sheet.status.as_u16(), 200, "{}", sheet.text);
    let mut rows = csv::Reader::from_reader(sheet.text.trim_start_matches('\u{feff}').as_bytes());
    let header = rows.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "in-service members only: {}", sheet.text);
    let field = |name: &str| rows[0][header.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(field("name"), "陈医生");
    assert_eq!(field("work_unit"), "市第一人民医院");
    assert_eq!(
        (
            field("hours"),
            field("services"),
            field("wishes"),
            field("event_hours"),
            field("visits")
        ),
        ("4".into(), "4".into(), "2".into(), "1.5".into(), "1".into())
    );
    assert_eq!(
        (field("rating_average"), field("target_met")),
        ("5.00".into(), "no".into())
    );
    app.call("GET", "/api/v1/party/feedback.csv", Some(&c.leader_a.token), None)
        .await
        .expect_error(403, "forbidden");

    // The certificate: their own, their grid's leader's copy; another grid's leader gets 404.
    let mine = app
        .call("GET", "/api/v1/me/certificate", Some(&member.token), None)
        .await;
    assert!(
        mine.text
            .contains("累计服务<strong>4小时</strong>、<strong>4次</strong>"),
        "{}",
        mine.text
    );
    let theirs = format!("/api/v1/users/{}/certificate?lang=en", member.id);
    let copy = app.call("GET", &theirs, Some(&c.leader_a.token), None).await;
    assert!(copy.text.contains("for <strong>4 hours</strong>"), "{}", copy.text);
    app.call("GET", &theirs, Some(&c.leader_b.token), None)
        .await
        .expect_error(404, "not_found");
    let kinds = app.audit_kinds(&c.admin, "kind=feedback").await;
    assert_eq!(kinds, vec!["feedback.write"]);
}

both_engines!(registrations_refused_withdrawn_and_raced, refusals_body);

async fn refusals_body(app: TestApp) {
    let c = Community::seed(&app).await;
    let second_admin = app.admin("admin-2").await;
    let branch = app.branch(&c.admin, "第一党支部", &[c.grid_a]).await;
    let member = app.login("teacher-li").await;
    app.profile(&member, "李老师", "13500007777", c.grid_b).await;

    let id = file(&app, &member, filing()).await.expect(201)["id"].as_i64().unwrap();
    decide(&app, &c.admin, id, "reject", Some(json!({})))
        .await
        .expect_error(400, "malformed");
    decide(&app, &c.admin, id, "reject", Some(json!({ "reason": "  " })))
        .await
        .expect_error(422, "invalid_field");
    let rejected = decide(
        &app,
        &c.admin,
        id,
        "reject",
        Some(json!({ "reason": "请补充单位党组织证明" })),
    )
    .await
    .expect(200);
    assert_eq!(
        (rejected["status"].as_str(), rejected["reason"].as_str()),
        (Some("rejected"), Some("请补充单位党组织证明"))
    );
    assert!(
        told(&app, id)
            .await
            .contains(&("party_rejected".to_string(), member.id))
    );
    assert_eq!(app.count("party_members").await, 0);

    // Rejected, they may file again; withdrawn by themselves only.
    let again = file(&app, &member, filing()).await.expect(201)["id"].as_i64().unwrap();
    decide(&app, &c.admin, again, "withdraw", None)
        .await
        .expect_error(403, "not_permitted");
    let withdrawn = decide(&app, &member, again, "withdraw", None).await.expect(200);
    assert_eq!(withdrawn["status"], "withdrawn");

    // Grid B has no branch: the admin must name one (that exists).
    let third = file(&app, &member, filing()).await.expect(201)["id"].as_i64().unwrap();
    decide(&app, &c.admin, third, "approve", None)
        .await
        .expect_error(409, "no_branch");
    let path = |b: i64| format!("{REGISTRATIONS}/{third}/approve?branch_id={b}");
    app.call("POST", &path(9999), Some(&c.admin.token), None)
        .await
        .expect_error(422, "unknown_branch");
    assert_eq!(app.count("party_members").await, 0, "nothing half-written");
    let pending = app
        .get(&format!("{REGISTRATIONS}?status=pending"), &c.admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&pending), vec![third]);
    app.get(&format!("{REGISTRATIONS}?status=maybe"), &c.admin.token)
        .await
        .expect_error(422, "invalid_field");

    // Two admins decide at once: exactly one decision stands.
    let (approve, reject) = (path(branch), format!("{REGISTRATIONS}/{third}/reject"));
    let (a, b) = tokio::join!(
        app.call("POST", &approve, Some(&c.admin.token), None),
        app.call(
            "POST",
            &reject,
            Some(&second_admin.token),
            Some(json!({ "reason": "重复" }))
        ),
    );
    let statuses = [a.status.as_u16(), b.status.as_u16()];
    assert!(
        statuses.contains(&200) && statuses.contains(&409),
        "{statuses:?}: {} / {}",
        a.text,
        b.text
    );
    let after = app
        .get(&format!("{REGISTRATIONS}/{third}"), &member.token)
        .await
        .expect(200);
    let members = app.count("party_members").await;
    match after["status"].as_str() {
        Some("approved") => assert_eq!(members, 1),
        Some("rejected") => assert_eq!(members, 0),
        other => panic!("decided as {other:?}"),
    }
    // An admin's own registration is decided by another admin.
    app.profile(&second_admin, "周主任", "13500008888", c.grid_a).await;
    let own = file(&app, &second_admin, filing()).await.expect(201)["id"]
        .as_i64()
        .unwrap();
    decide(&app, &second_admin, own, "approve", None)
        .await
        .expect_error(403, "not_permitted");
    decide(&app, &c.admin, own, "approve", None).await.expect(200);
}
