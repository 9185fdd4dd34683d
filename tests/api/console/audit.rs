//! The audit page, on both engines: admins read the log filtered by kind, person and dates and
//! page through it; a grid leader is refused; a bad date is named.

use super::{attribute_after, signed_in};
use crate::both_engines;
use crate::helpers::{Community, TestApp};

both_engines!(admins_read_the_audit_log_in_the_console, audit_page);
async fn audit_page(app: TestApp) {
    let c = Community::seed(&app).await;
    let wish = app.wish(&c.owner, "买降压药").await;
    app.get(&format!("/api/v1/wishes/{}", wish["id"]), &c.leader_a.token)
        .await
        .expect(200);
    let mut admin = signed_in(&app, &c.admin).await;
    let queue = admin.get("/console/queue").await.expect(200);
    assert!(queue.text.contains("id=\"nav-audit\""), "admins see the section");

    let all = admin.get("/console/audit").await.expect(200);
    assert!(
        all.text.contains("新建网格") && all.text.contains("第一网格"),
        "{}",
        all.text
    );
    assert!(all.text.contains("命令行（运维）"), "the CLI's grant has no person");
    let reveals = admin.get("/console/audit?kind=contact_view").await.expect(200);
    assert!(reveals.text.contains("查看联系方式") && reveals.text.contains("刘网格长"));
    assert!(reveals.text.contains("王奶奶") && !reveals.text.contains("新建网格"));
    let theirs = admin
        .get(&format!("/console/audit?actor={}", c.leader_b.id))
        .await
        .expect(200);
    assert!(
        theirs.text.contains("id=\"audit-empty\""),
        "赵网格长 did nothing to audit"
    );
    assert!(theirs.text.contains(&format!("value=\"{}\" selected", c.leader_b.id)));

    // Fifty to a page: more than that pages on, keeping the filter.
    for i in 0..60 {
        app.grid(&c.admin, &format!("网格{i}"), None).await;
    }
    let first = admin.get("/console/audit?kind=grid").await.expect(200);
    let rows = |text: &str| text.matches("<tr class=\"audit-").count();
    assert_eq!(rows(&first.text), 50);
    let next = attribute_after(&first.text, "id=\"audit-next\" href=\"").expect("a next page");
    let second = admin
        .get(&next.replace("&amp;", "&").replace("&#x2f;", "/"))
        .await
        .expect(200);
    assert_eq!(rows(&second.text), 12, "62 grids were made");
    assert_eq!(
        second.text.matches("<tr class=\"audit-grid-create\"").count(),
        12,
        "the filter holds"
    );
    assert!(second.text.contains("id=\"audit-first\"") && !second.text.contains("id=\"audit-next\""));

    admin.get("/console/audit?from=yesterday").await.expect(422);
    let mut leader = signed_in(&app, &c.leader_a).await;
    let refused = leader.get("/console/audit").await.expect(403);
    assert!(!refused.text.contains("新建网格"));
    assert!(!leader.get("/console/queue").await.text.contains("id=\"nav-audit\""));
}
