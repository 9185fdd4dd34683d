//! The register from spreadsheets: bad lines reported and the rest applied, re-imports that change
//! nothing, export in the same format, the CLI, and a phone match against imported people.

use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{Answer, Community, TestApp, TestUser};

const SHEET: &str = "building,unit,room,name,phone,relation,tags
1号楼,1单元,101,王芳,13800000001,户主,独居
1号楼,1单元,101,李强,,配偶,
9号楼,1单元,101,张三,,户主,
1号楼,1单元,102,赵六,12345,户主,
1号楼,1单元,101,王芳,13800000001,户主,独居
\"1号楼\",\"2单元\",\"201\",\"钱\"\"七\"\"\",13800000002,户主,\"低保;独居\"
1号楼,1单元
2号楼,,301,孙八,13800000003,户主,
";

pub async fn import(app: &TestApp, by: &TestUser, csv: impl Into<reqwest::Body>) -> Answer {
    let req = app
        .client
        .post(format!("{}/api/v1/admin/households/import", app.base))
        .bearer_auth(&by.token)
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv);
    app.send(req).await
}

pub async fn buildings(app: &TestApp, c: &Community) {
    for (grid, name) in [(c.grid_a, "1号楼"), (c.grid_b, "2号楼")] {
        let body = json!({ "grid_id": grid, "name": name });
        app.post("/api/v1/admin/buildings", &c.admin.token, body)
            .await
            .expect(201);
    }
}

fn refused_lines(report: &Value) -> Vec<u64> {
    report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect()
}

async fn an_import_reports_bad_lines_and_applies_the_rest(app: TestApp) {
    let c = Community::seed(&app).await;
    buildings(&app, &c).await;

    let first = import(&app, &c.admin, SHEET).await.expect(200);
    assert_eq!(
        (first["created"].as_u64(), first["updated"].as_u64()),
        (Some(4), Some(0)),
        "{first}"
    );
    assert_eq!(refused_lines(&first), vec![4, 5, 6, 8], "{first}");
    let why: Vec<&str> = first["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(why[0].contains("unknown building `9号楼`"), "{why:?}");
    assert!(why[1].contains("phone"), "{why:?}");
    assert!(why[2].contains("line 2"), "{why:?}");
    assert!(why[3].contains("expected 7 fields"), "{why:?}");
    assert_eq!(app.count("people").await, 4);
    assert_eq!(app.count("households").await, 3);

    // The same sheet again changes nothing; a changed phone is an update, not a new person.
    let again = import(&app, &c.admin, SHEET).await.expect(200);
    assert_eq!(
        (again["created"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(4)),
        "{again}"
    );
    let changed = SHEET.replace("李强,,配偶", "李强,13800000009,配偶");
    let third = import(&app, &c.admin, changed).await.expect(200);
    assert_eq!(
        (third["created"].as_u64(), third["updated"].as_u64()),
        (Some(0), Some(1)),
        "{third}"
    );
    assert_eq!(app.count("people").await, 4);

    // Export writes the import's format; importing it back is a no-op.
    let req = app
        .client
        .get(format!("{}/api/v1/admin/households/export", app.base))
        .bearer_auth(&c.admin.token);
    let exported = app.send(req).await;
    assert_eq!(exported.status.as_u16(), 200, "{}", exported.text);
    let lines: Vec<&str> = exported.text.lines().collect();
    assert_eq!(lines[0], "building,unit,room,name,phone,relation,tags");
    assert_eq!(lines.len(), 5, "{}", exported.text);
    assert!(
        exported.text.contains("\"钱\"\"七\"\"\""),
        "quotes survive: {}",
        exported.text
    );
    assert!(exported.text.contains("低保;独居"));
    let back = import(&app, &c.admin, exported.text.clone()).await.expect(200);
    assert_eq!(
        (back["unchanged"].as_u64(), back["refused_total"].as_u64()),
        (Some(4), Some(0)),
        "{back}"
    );

    // The leader of grid A sees the imported people of grid A, and not grid B's.
    let people = app
        .get(&format!("/api/v1/grids/{}/people", c.grid_a), &c.leader_a.token)
        .await
        .expect(200);
    let names: Vec<&str> = people["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"王芳") && names.contains(&"钱\"七\""), "{names:?}");
    assert!(!names.contains(&"孙八"), "grid B's people stay out: {names:?}");
    let lonely = people["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "王芳")
        .unwrap();
    assert_eq!(lonely["tags"], json!(["独居"]));
    assert_eq!(lonely["phone"], "13800000001");
}
both_engines!(
    an_import_reports_bad_lines_and_applies_the_rest_,
    an_import_reports_bad_lines_and_applies_the_rest
);

async fn bad_sheets_get_clear_answers(app: TestApp) {
    let c = Community::seed(&app).await;
    buildings(&app, &c).await;
    import(&app, &c.admin, "name,phone\n王芳,13800000001\n")
        .await
        .expect_error(422, "invalid_csv");
    import(&app, &c.admin, "").await.expect_error(422, "invalid_csv");
    import(&app, &c.owner, SHEET).await.expect_error(403, "not_permitted");
    let as_json = app
        .post(
            "/api/v1/admin/households/import",
            &c.admin.token,
            json!({ "csv": SHEET }),
        )
        .await;
    as_json.expect_error(415, "unsupported_media_type");
    // Invalid UTF-8 on one line refuses that line only.
    let mut bytes = b"building,unit,room,name,phone,relation,tags\n1\xe5\x8f\xb7\xe6\xa5\xbc,,1,\xff\xfe,,,\n".to_vec();
    bytes.extend_from_slice("1号楼,,2,周九,,,\n".as_bytes());
    let report = import(&app, &c.admin, bytes).await.expect(200);
    assert_eq!(
        (report["created"].as_u64(), refused_lines(&report)),
        (Some(1), vec![2]),
        "{report}"
    );
    // 10 MB is over the limit: 413, and nothing of it was applied.
    let row = "1号楼,1单元,101,某某,13800000001,户主,\n";
    let big = format!(
        "building,unit,room,name,phone,relation,tags\n{}",
        row.repeat(10_000_000 / row.len())
    );
    let before = app.count("people").await;
    import(&app, &c.admin, big).await.expect_error(413, "too_large");
    assert_eq!(app.count("people").await, before);
}
both_engines!(bad_sheets_get_clear_answers_, bad_sheets_get_clear_answers);

async fn the_cli_imports_and_a_verified_phone_matches_the_register(app: TestApp) {
    let c = Community::seed(&app).await;
    buildings(&app, &c).await;
    let dir = std::env::temp_dir().join(format!("mw-import-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("households.csv");
    std::fs::write(&file, SHEET).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_microwish"))
        .args(["import", "households"])
        .arg(&file)
        .env("MICROWISH__DATABASE__URL", &app.state().settings.database.url)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("line 4: refused: building: unknown building `9号楼`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("4 created, 0 updated, 0 unchanged, 4 refused"),
        "{stdout}"
    );

    // 王芳 signs in, lets WeChat verify her phone, and declares her room: verified at once.
    let wang = app.login("wang-fang").await;
    let code = app.stub.issue_phone_code("13800000001");
    app.post("/api/v1/me/phone", &wang.token, json!({ "code": code }))
        .await
        .expect(200);
    let b1 = app
        .get(&format!("/api/v1/buildings?grid_id={}", c.grid_a), &wang.token)
        .await
        .expect(200)[0]["id"]
        .clone();
    let body = json!({ "building_id": b1, "unit": "1单元", "room": "101" });
    let request = app.post("/api/v1/me/residence", &wang.token, body).await.expect(200);
    assert_eq!(
        (request["status"].as_str(), request["method"].as_str()),
        (Some("verified"), Some("phone")),
        "{request}"
    );
    let me = app.get("/api/v1/me", &wang.token).await.expect(200);
    assert_eq!(me["grid_id"], c.grid_a);
    assert_eq!(me["address"], "1号楼1单元101");

    // A typed phone is not a verified one: the same room, the same number, but it waits.
    let typed = app.login("typed-phone").await;
    app.put("/api/v1/me", &typed.token, json!({ "phone": "13800000002" }))
        .await
        .expect(200);
    let body = json!({ "building_id": b1, "unit": "2单元", "room": "201" });
    let request = app.post("/api/v1/me/residence", &typed.token, body).await.expect(200);
    assert_eq!(request["status"], "pending");
    // Binding the phone through WeChat afterwards settles the pending request.
    let code = app.stub.issue_phone_code("13800000002");
    let me = app
        .post("/api/v1/me/phone", &typed.token, json!({ "code": code }))
        .await
        .expect(200);
    assert_eq!(me["grid_id"], c.grid_a, "{me}");
    // The person is now linked to the account: the grid's list shows one row for them.
    let people = app
        .get(
            &format!("/api/v1/grids/{}/people?q=13800000002", c.grid_a),
            &c.leader_a.token,
        )
        .await
        .expect(200);
    assert_eq!(people["items"].as_array().unwrap().len(), 1, "{people}");
    assert_eq!(people["items"][0]["user_id"], typed.id);
}
both_engines!(
    the_cli_imports_and_a_verified_phone_matches_the_register_,
    the_cli_imports_and_a_verified_phone_matches_the_register
);

async fn leaders_import_their_own_grid_only(app: TestApp) {
    let c = Community::seed(&app).await;
    buildings(&app, &c).await;
    // Leader A's sheet names 2号楼 of grid B on line 9: refused in the report, never written.
    let report = import(&app, &c.leader_a, SHEET).await.expect(200);
    let refused = &report["refused"];
    let line9 = refused
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["line"] == 9)
        .expect("line 9 refused");
    assert!(
        line9["message"].as_str().unwrap().contains("grid you do not lead"),
        "{line9}"
    );
    assert_eq!(report["created"], 3, "{report}");
    let theirs = format!("/api/v1/grids/{}/people", c.grid_b);
    let people = app.get(&theirs, &c.leader_b.token).await.expect(200);
    assert!(!people.to_string().contains("孙八"), "{people}");
    // The admin's import of the same sheet writes that line.
    let report = import(&app, &c.admin, SHEET).await.expect(200);
    assert!(refused_lines(&report).iter().all(|l| *l != 9), "{report}");
    let people = app.get(&theirs, &c.leader_b.token).await.expect(200);
    assert!(people.to_string().contains("孙八"), "{people}");
}
both_engines!(leaders_import_their_own_grid_only_, leaders_import_their_own_grid_only);
