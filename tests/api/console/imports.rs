//! Household imports from the console, on both engines: the upload becomes a job whose page
//! refreshes itself with lines done until the report is there; a leader's lines for another grid
//! are refused in the report as over the API; the form needs its CSRF token; a job is its
//! uploader's (and admins'); a stalled job reads as interrupted.

use std::time::{Duration, Instant};

use serde_json::json;

use microwish_core::Clock;

use super::{Browser, Page, signed_in};
use crate::both_engines;
use crate::helpers::{Community, TestApp};

/// Follows a job's page until it is over (the import runs in the background), at most 30 s.
async fn until_over(browser: &mut Browser, path: &str) -> Page {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = browser.get(path).await.expect(200);
        if !page.text.contains("data-status=\"running\"") {
            return page;
        }
        assert!(
            page.text.contains("http-equiv=\"refresh\""),
            "a running job's page refreshes itself"
        );
        assert!(Instant::now() < deadline, "the import did not finish: {}", page.text);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn buildings(app: &TestApp, c: &Community) {
    for (grid, name) in [(c.grid_a, "1号楼"), (c.grid_b, "2号楼")] {
        let body = json!({ "grid_id": grid, "name": name });
        app.post("/api/v1/admin/buildings", &c.admin.token, body)
            .await
            .expect(201);
    }
}

both_engines!(a_sheet_imports_as_a_job_with_its_report, import_job);
async fn import_job(app: TestApp) {
    let c = Community::seed(&app).await;
    buildings(&app, &c).await;
    let mut sheet = String::from("楼栋,单元,房号,姓名,电话,关系,标签\n");
    for i in 0..2500 {
        sheet.push_str(&format!("1号楼,1单元,{},住户{i},,户主,\n", 100 + i / 4));
    }
    sheet.push_str("2号楼,,301,孙八,,户主,\n1号楼,,102,赵六,12345,户主,\n");
    let mut leader = signed_in(&app, &c.leader_a).await;
    let form = leader.get("/console/register/imports").await.expect(200);
    assert!(form.text.contains("enctype=\"multipart/form-data\""));
    let csrf = form.csrf();

    leader
        .upload("/console/register/imports", &[], ("people.csv", sheet.as_bytes()))
        .await
        .expect(403);
    assert_eq!(app.count("import_jobs").await, 0, "refused before anything starts");
    let started = leader
        .upload(
            "/console/register/imports",
            &[("csrf", &csrf)],
            ("people.csv", sheet.as_bytes()),
        )
        .await
        .expect(303);
    let path = started.location.clone().expect("to the job's page");
    assert!(path.starts_with("/console/register/imports/"), "{path}");
    let first = leader.get(&path).await.expect(200);
    assert!(first.text.contains("data-status=\"running\"") || first.text.contains("data-status=\"done\""));

    let done = until_over(&mut leader, &path).await;
    assert!(done.text.contains("data-status=\"done\"") && !done.text.contains("http-equiv=\"refresh\""));
    assert!(done.text.contains("id=\"import-created\">2500<"), "{}", done.text);
    assert!(done.text.contains("id=\"import-refused\">2<"));
    assert!(done.text.contains("id=\"refused-2502\"") && done.text.contains("in a grid you do not lead"));
    assert!(done.text.contains("id=\"refused-2503\""), "the bad phone's line");
    let people = app
        .get(
            &format!("/api/v1/grids/{}/people?q=住户2499", c.grid_a),
            &c.leader_a.token,
        )
        .await
        .expect(200);
    assert_eq!(people["items"].as_array().unwrap().len(), 1);
    let job = path.rsplit('/').next().unwrap().parse::<i64>().unwrap();
    let audited = app.audit(&c.admin, &format!("subject=import:{job}")).await.expect(200);
    assert_eq!(audited["items"][0]["detail"]["created"], 2500);
    assert_eq!(audited["items"][0]["actor_id"], c.leader_a.id);

    // The list shows it; the job is the uploader's and the admins'.
    assert!(
        leader
            .get("/console/register/imports")
            .await
            .text
            .contains(&format!("href=\"/console/register/imports/{job}\""))
    );
    signed_in(&app, &c.leader_b).await.get(&path).await.expect(404);
    signed_in(&app, &c.admin).await.get(&path).await.expect(200);

    // A file without the columns fails as a whole, saying why.
    let failed = leader
        .upload(
            "/console/register/imports",
            &[("csrf", &csrf)],
            ("x.csv", b"name,age\nx,1\n"),
        )
        .await
        .expect(303);
    let failed = until_over(&mut leader, failed.location.as_deref().unwrap()).await;
    assert!(failed.text.contains("data-status=\"failed\"") && failed.text.contains("id=\"import-error\""));
    leader
        .upload("/console/register/imports", &[("csrf", &csrf)], ("x.csv", b""))
        .await
        .expect(422);
}

both_engines!(
    a_running_job_shows_its_progress_and_a_stalled_one_is_interrupted,
    progress
);
async fn progress(app: TestApp) {
    let c = Community::seed(&app).await;
    let now = app.clock.now_ms();
    // A job half-way, as the background import leaves it between two batches.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO import_jobs (created_by, status, lines_total, lines_done, created_at, updated_at) \
         VALUES ($1, 'running', 1000, 500, $2, $2) RETURNING id",
    )
    .bind(c.leader_a.id)
    .bind(now)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let path = format!("/console/register/imports/{id}");
    let mut leader = signed_in(&app, &c.leader_a).await;
    let page = leader.get(&path).await.expect(200);
    assert!(page.text.contains("<meta http-equiv=\"refresh\" content=\"2\">"));
    assert!(page.text.contains("max=\"1000\" value=\"500\"") && page.text.contains("50%"));
    // Ten minutes without a word: the process that ran it is gone.
    app.clock.advance_ms(11 * 60_000);
    let page = leader.get(&path).await.expect(200);
    assert!(page.text.contains("data-status=\"interrupted\"") && page.text.contains("id=\"import-interrupted\""));
    assert!(
        !page.text.contains("http-equiv=\"refresh\""),
        "nothing left to wait for"
    );
}
