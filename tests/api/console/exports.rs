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
