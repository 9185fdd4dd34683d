//! The party secretary's dashboard over HTTP, on both engines: the seeded October of
//! `tests/api/insight.rs` drawn as charts whose marks carry the hand-counted numbers (shares as
//! percentages), the drill-down to a grid, and who may open which scope.

use crate::both_engines;
use crate::helpers::{Community, TestApp};
use crate::insight::{NOV_15, OCT, at, october, register};

use super::signed_in;

/// The seeded community, with the clock at 15 November and fresh tokens for the admin and the
/// first grid's leader (October's have expired).
pub async fn seeded(app: &TestApp) -> (Community, crate::helpers::TestUser, crate::helpers::TestUser) {
    at(app, OCT + 3_600_000).await;
    let c = Community::seed(app).await;
    register(app, &c).await;
    october(app, &c).await;
    at(app, NOV_15).await;
    let admin = app.login(&c.admin.openid).await;
    let leader = app.login(&c.leader_a.openid).await;
    (c, admin, leader)
}

async fn charts_carry_the_counted_numbers(app: TestApp) {
    let (c, admin, leader) = seeded(&app).await;
    let mut secretary = signed_in(&app, &admin).await;
    let page = secretary.get("/console/dashboard?month=2026-10").await.expect(200);
    let t = &page.text;
    // Participation: 3 of grid A's 4 households acted, grid B's one household did: 4 of 5.
    assert!(t.contains(r#"data-month="2026-10" data-value="80""#), "{t}");
    assert!(t.contains(r#"data-grid="第一网格" data-value="75""#), "{t}");
    assert!(t.contains(r#"data-grid="第二网格" data-value="100""#), "{t}");
    // Coordination: claims after 30 min and 1,500 min; supply–demand: 1 of 4 fulfilled.
    assert!(t.contains(r#"data-grid="第一网格" data-value="765""#), "{t}");
    assert!(t.contains(r#"data-month="2026-10" data-value="25""#), "{t}");
    assert!(t.contains(r#"data-grid="第一网格" data-value="1.5""#), "{t}");
    assert_eq!(t.matches("<svg class=\"chart line\"").count(), 4);
    assert_eq!(t.matches("<svg class=\"chart bars\"").count(), 4);
    assert!(t.contains("已结月份"));
    // Drill-down: the grid's own page, its trend line and no bars.
    let drill = format!("/console/dashboard?month=2026-10&amp;grid={}", c.grid_a);
    assert!(t.contains(&drill), "{t}");
    let grid = secretary
        .get(&format!("/console/dashboard?month=2026-10&grid={}", c.grid_a))
        .await
        .expect(200);
    assert!(
        grid.text.contains(r#"data-month="2026-10" data-value="75""#),
        "{}",
        grid.text
    );
    assert!(!grid.text.contains("chart bars"));
    // This month is live, October beside it.
    let now = secretary.get("/console/dashboard").await.expect(200);
    assert!(now.text.contains("2026-11") && now.text.contains("本月数据实时更新"));
    secretary.get("/console/dashboard?month=2026-13").await.expect(422);

    let mut leader = signed_in(&app, &leader).await;
    leader.get("/console/dashboard").await.expect(403);
    leader
        .get(&format!("/console/dashboard?grid={}", c.grid_b))
        .await
        .expect(403);
    let own = leader
        .get(&format!("/console/dashboard?month=2026-10&grid={}", c.grid_a))
        .await
        .expect(200);
    assert!(own.text.contains(r#"data-month="2026-10" data-value="75""#));
    assert!(!leader.get("/console/queue").await.text.contains("/console/dashboard\""));
}
both_engines!(the_dashboard_draws_the_counted_month, charts_carry_the_counted_numbers);
