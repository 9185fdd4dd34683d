//! CSV exports from the console, on both engines: each person gets their own grids' wishes
//! (admins all), opening in Excel (a BOM), with no contact details and no cell that runs a formula.

use serde_json::json;

use super::{Browser, signed_in};
use crate::both_engines;
use crate::helpers::{Community, OWNER_PHONE, TestApp};

both_engines!(wishes_export_as_csv_for_the_grids_one_oversees, wishes_csv);
async fn wishes_csv(app: TestApp) {
    let c = Community::seed(&app).await;
    let post = |title: &str| json!({ "title": title, "description": "请帮帮忙", "category": "errand" });
    app.post("/api/v1/wishes", &c.owner.token, post("=1+1 买菜"))
        .await
        .expect(201);
    app.post("/api/v1/wishes", &c.leader_b.token, post("修楼道灯"))
        .await
        .expect(201);

    let mut admin = signed_in(&app, &c.admin).await;
    let all = admin.get("/console/exports/wishes.csv").await.expect(200);
    assert!(
        all.text.starts_with("\u{feff}id,grid,category,urgency,status,title,"),
        "{}",
        all.text
    );
    assert_eq!(all.text.lines().count(), 3, "a header and two wishes: {}", all.text);
    assert!(all.text.contains(",'=1+1 买菜,"), "formulas are defused: {}", all.text);
    assert!(all.text.contains("修楼道灯") && all.text.contains("第二网格"));
    assert!(!all.text.contains(OWNER_PHONE));

    let mut a = signed_in(&app, &c.leader_a).await;
    let mine = a.get("/console/exports/wishes.csv").await.expect(200);
    assert_eq!(mine.text.lines().count(), 2);
    assert!(mine.text.contains("第一网格") && !mine.text.contains("修楼道灯"));
    assert!(
        a.get("/console/exports")
            .await
            .expect(200)
            .text
            .contains("id=\"export-wishes\"")
    );

    Browser::new(&app)
        .get("/console/exports/wishes.csv")
        .await
        .expect_redirect("/console/login");
}

both_engines!(hours_and_people_export_for_the_grids_one_oversees, hours_and_people);
async fn hours_and_people(app: TestApp) {
    use microwish_core::Clock;
    use microwish_core::clock::rfc3339;
    let c = Community::seed(&app).await;
    for (grid, name) in [(c.grid_a, "1号楼"), (c.grid_b, "2号楼")] {
        let body = json!({ "grid_id": grid, "name": name });
        app.post("/api/v1/admin/buildings", &c.admin.token, body)
            .await
            .expect(201);
    }
    let sheet = "building,unit,room,name,phone,relation,tags\n1号楼,,101,=王芳,13800000001,户主,独居\n2号楼,,201,孙八,13800000002,户主,\n";
    crate::register::import::import(&app, &c.admin, sheet).await.expect(200);

    // An hour of service in grid A's event, and a correction taking ten minutes away.
    let now = (app.clock.now_ms() / 60_000) * 60_000;
    let event = json!({ "title": "清洁家园", "description": "", "location": "活动室", "grid_id": c.grid_a,
        "starts_at": rfc3339(now + 1_800_000), "ends_at": rfc3339(now + 5_400_000) });
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
    app.clock.advance_ms(2 * 3_600_000);
    let fix = json!({ "user_id": c.volunteer.id, "minutes": -10, "reason": "提前离场" });
    app.post(&format!("{path}/hours/corrections"), &c.leader_a.token, fix)
        .await
        .expect(200);

    let mut a = signed_in(&app, &c.leader_a).await;
    let hours = a.get("/console/exports/hours.csv").await.expect(200);
    assert!(
        hours
            .text
            .starts_with("\u{feff}id,grid,volunteer,minutes,source,event,wish,note,recorded")
    );
    let rows: Vec<&str> = hours.text.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "the credit and its correction: {}", hours.text);
    assert!(rows[0].contains(",第一网格,小王,60,event,清洁家园,"), "{}", rows[0]);
    assert!(rows[1].contains(",-10,correction,清洁家园,,提前离场,"), "{}", rows[1]);
    let people = a.get("/console/exports/people.csv").await.expect(200);
    assert!(
        people
            .text
            .contains(",第一网格,1号楼,,101,'=王芳,138****0001,户主,独居,no"),
        "{}",
        people.text
    );
    assert!(
        !people.text.contains("13800000001") && !people.text.contains("孙八"),
        "masked, own grid only"
    );

    let mut b = signed_in(&app, &c.leader_b).await;
    assert_eq!(
        b.get("/console/exports/hours.csv")
            .await
            .expect(200)
            .text
            .lines()
            .count(),
        1,
        "a header only"
    );
    let theirs = b.get("/console/exports/people.csv").await.expect(200);
    assert!(theirs.text.contains("孙八") && !theirs.text.contains("王芳"));
    b.get("/console/exports/indicators.csv").await.expect(403);
    b.get("/console/exports/secrets.csv").await.expect(404);
}

both_engines!(the_indicators_sheet_is_the_apis, indicators_sheet);
async fn indicators_sheet(app: TestApp) {
    let (c, admin, leader) = super::dashboard::seeded(&app).await;
    let api = app
        .get("/api/v1/insight.csv?from=2026-09&to=2026-10", &admin.token)
        .await;
    assert_eq!(api.status.as_u16(), 200);
    let mut secretary = signed_in(&app, &admin).await;
    let sheet = secretary
        .get("/console/exports/indicators.csv?from=2026-09&to=2026-10")
        .await
        .expect(200);
    let body = sheet.text.strip_prefix('\u{feff}').expect("a BOM for Excel");
    assert_eq!(body, api.text, "the same numbers as the API's sheet");
    assert_eq!(
        body.lines().count(),
        1 + 2 * 3,
        "a header, then the community and two grids per month"
    );
    assert!(body.contains("2026-10,,community,") && body.contains(&format!("2026-10,{},第一网格,", c.grid_a)));
    secretary
        .get("/console/exports/indicators.csv?from=2020-01")
        .await
        .expect(422);
    let page = secretary.get("/console/exports").await.expect(200);
    assert!(page.text.contains("id=\"export-indicators\""));
    let mut a = signed_in(&app, &leader).await;
    assert!(
        !a.get("/console/exports")
            .await
            .text
            .contains("id=\"export-indicators\"")
    );
}
