//! The party secretary's party-building pages, on both engines: branches with their grids and
//! members, each member's hours and services this year from the ledger; co-building units with
//! their contacts, resources and projects with where each stands; 双报到 registrations approved
//! and rejected, year-end comments written, letters printed and the units' CSV. Admins only.

use serde_json::json;

use microwish_core::Clock;
use microwish_core::clock::rfc3339;

use super::signed_in;
use crate::both_engines;
use crate::cobuild::projects::{health_wishes, hospital};
use crate::helpers::{Community, TestApp};

const HOUR: i64 = 3_600_000;

both_engines!(party_branches_members_and_co_building_for_the_secretary, party_pages);
async fn party_pages(app: TestApp) {
    let c = Community::seed(&app).await;
    let branch = app
        .post(
            "/api/v1/party/branches",
            &c.admin.token,
            json!({ "name": "第一党支部", "grid_ids": [c.grid_a] }),
        )
        .await
        .expect(201);
    let members = format!("/api/v1/party/branches/{}/members", branch["id"]);
    app.put(
        &format!("{members}/{}", c.volunteer.id),
        &c.admin.token,
        json!({ "category": "in_service" }),
    )
    .await
    .expect(200);
    app.put(
        &format!("{members}/{}", c.volunteer2.id),
        &c.admin.token,
        json!({ "category": "community" }),
    )
    .await
    .expect(200);
    // An hour at an event, ten minutes taken away: 50 minutes, one service.
    let now = (app.clock.now_ms() / 60_000) * 60_000;
    let event = json!({ "title": "清洁家园", "description": "", "location": "活动室", "grid_id": c.grid_a,
        "starts_at": rfc3339(now + HOUR / 2), "ends_at": rfc3339(now + 3 * HOUR / 2) });
    let event = app.post("/api/v1/events", &c.leader_a.token, event).await.expect(201);
    let path = format!("/api/v1/events/{}", event["id"]);
    app.post(
        &format!("{path}/invitations"),
        &c.leader_a.token,
        json!({ "user_ids": [c.volunteer.id] }),
    )
    .await
    .expect(200);
    app.post(
        &format!("{path}/checkin"),
        &c.volunteer.token,
        json!({ "code": event["checkin_code"] }),
    )
    .await
    .expect(200);
    app.clock.advance_ms(2 * HOUR);
    let fix = json!({ "user_id": c.volunteer.id, "minutes": -10, "reason": "提前离场" });
    app.post(&format!("{path}/hours/corrections"), &c.leader_a.token, fix)
        .await
        .expect(200);

    let (_, resource, contact) = hospital(&app, &c).await;
    let wishes = health_wishes(&app, &c, 2).await;
    let project = app
        .propose(&c.leader_a, "上门体检", resource, &wishes)
        .await
        .expect(201);
    let id = project["id"].as_i64().unwrap();
    app.decide(&contact, id, "agree", None).await.expect(200);
    app.decide(&c.leader_a, id, "deliver", None).await.expect(200);

    let mut secretary = signed_in(&app, &c.admin).await;
    let queue = secretary.get("/console/queue").await.expect(200);
    assert!(queue.text.contains("id=\"nav-party\""));
    let page = secretary.get("/console/party").await.expect(200);
    let t = &page.text;
    assert!(t.contains("第一党支部") && t.contains("覆盖网格: 第一网格"), "{t}");
    let row = &t[t.find("小王").expect("the member")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("在职党员") && row.contains("<td class=\"hours\">0.8</td>") && row.contains("<td>1</td>"),
        "{row}"
    );
    assert!(
        row.contains("24小时、12次 · "),
        "progress against the yearly target: {row}"
    );
    assert!(t.contains("class=\"member-community\"><td>小李</td>"), "{t}");

    let cob = secretary.get("/console/party/cobuild").await.expect(200);
    assert!(
        cob.text.contains("区医院") && cob.text.contains("13512345678"),
        "admins see the contact in full"
    );
    assert!(cob.text.contains("老年人健康体检") && cob.text.contains("class=\"resource-available\""));
    assert!(
        cob.text
            .contains(&format!("id=\"project-{id}\" class=\"project-delivered\"")),
        "{}",
        cob.text
    );
    assert!(cob.text.contains("上门体检") && cob.text.contains("已完成"));

    let mut leader = signed_in(&app, &c.leader_a).await;
    assert!(!leader.get("/console/queue").await.text.contains("id=\"nav-party\""));
    for path in ["/console/party", "/console/party/cobuild"] {
        let refused = leader.get(path).await.expect(403);
        assert!(
            !refused.text.contains("小王") && !refused.text.contains("区医院"),
            "{path}"
        );
    }
}

both_engines!(
    registrations_decided_and_letters_written_in_the_console,
    registrations_and_letters
);
async fn registrations_and_letters(app: TestApp) {
    let c = Community::seed(&app).await;
    let branch = app.branch(&c.admin, "第一党支部", &[c.grid_a]).await;
    let filing =
        json!({ "work_unit": "市第一人民医院", "unit_branch": "市第一人民医院党委", "posts": ["care_visits"] });
    let mut filed = Vec::new();
    for user in [&c.volunteer, &c.volunteer2] {
        let r = app
            .post("/api/v1/party/registrations", &user.token, filing.clone())
            .await
            .expect(201);
        filed.push(r["id"].as_i64().unwrap());
    }
    let (approved, rejected) = (filed[0], filed[1]);

    // A leader may not open the secretary's pages.
    let mut leader = signed_in(&app, &c.leader_a).await;
    leader.get("/console/party/registrations").await.expect(403);
    leader.get("/console/party/letters").await.expect(403);

    let mut admin = signed_in(&app, &c.admin).await;
    let page = admin.get("/console/party/registrations").await.expect(200);
    for id in [approved, rejected] {
        assert!(
            page.text.contains(&format!("id=\"registration-{id}\"")),
            "{}",
            page.text
        );
    }
    assert!(page.text.contains("第一党支部（覆盖其网格）") && page.text.contains("市第一人民医院党委"));
    let csrf = page.csrf();
    let approve = format!("/console/party/registrations/{approved}/approve");
    admin.post(&approve, &[("branch_id", "")]).await.expect(403);
    admin
        .post(&approve, &[("csrf", &csrf), ("branch_id", "")])
        .await
        .expect_redirect("/console/party/registrations?done=registration_approve");
    admin
        .post(&approve, &[("csrf", &csrf), ("branch_id", "")])
        .await
        .expect(409);
    let reject = format!("/console/party/registrations/{rejected}/reject");
    admin.post(&reject, &[("csrf", &csrf)]).await.expect(422);
    admin
        .post(&reject, &[("csrf", &csrf), ("reason", "请补充证明")])
        .await
        .expect_redirect("/console/party/registrations?done=registration_reject");
    let after = admin.get("/console/party/registrations").await.expect(200);
    assert!(after.text.contains("class=\"registration-rejected\"") && after.text.contains("请补充证明"));
    let year = app.me_party(&c.volunteer, "").await.expect(200);
    assert_eq!(
        (year["branch"]["id"].as_i64(), year["category"].as_str()),
        (Some(branch), Some("in_service"))
    );

    // The letters: the member listed, a comment written, the letter printed with it, the CSV.
    let letters = admin.get("/console/party/letters").await.expect(200);
    let this_year = year["year"].as_i64().unwrap().to_string();
    assert!(
        letters.text.contains(&format!("id=\"member-{}\"", c.volunteer.id)),
        "{}",
        letters.text
    );
    let comment = format!("/console/party/letters/{}", c.volunteer.id);
    admin
        .post(
            &comment,
            &[("csrf", &csrf), ("year", &this_year), ("comment", "=热心服务")],
        )
        .await
        .expect_redirect(&format!(
            "/console/party/letters?year={this_year}&done=feedback_saved#member-{}",
            c.volunteer.id
        ));
    admin
        .post(&comment, &[("csrf", &csrf), ("year", &this_year), ("comment", " ")])
        .await
        .expect(422);
    let print = admin
        .get(&format!(
            "/console/party/letters/{}/print?year={this_year}",
            c.volunteer.id
        ))
        .await
        .expect(200);
    assert!(
        print.text.contains("市第一人民医院党委：") && print.text.contains("=热心服务"),
        "{}",
        print.text
    );
    let sheet = admin
        .get(&format!("/console/party/letters.csv?year={this_year}"))
        .await
        .expect(200);
    assert!(
        sheet.text.contains("小王") && sheet.text.contains("'=热心服务"),
        "no formula: {}",
        sheet.text
    );
    assert!(!sheet.text.contains("小李"), "rejected: not a member");
}
