//! A long queue, on both engines: the front page shows each section's first twenty with a link
//! to the rest; a section pages fifty at a time, oldest first, every wish once even when they
//! were all posted in the same millisecond.

use serde_json::json;

use super::signed_in;
use crate::both_engines;
use crate::helpers::{Community, TestApp};

both_engines!(
    a_long_queue_pages_section_by_section,
    long_queue,
    crate::console::queue::configure
);
async fn long_queue(app: TestApp) {
    let c = Community::seed(&app).await;
    let mut posted = Vec::new();
    for i in 0..55 {
        let body = json!({ "title": format!("心愿{i}"), "description": "请帮帮忙", "category": "errand" });
        posted.push(
            app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201)["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let rows = |text: &str| -> Vec<i64> {
        text.split("<tr id=\"wish-")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .collect()
    };
    let mut leader = signed_in(&app, &c.leader_a).await;
    let front = leader.get("/console/queue").await.expect(200);
    assert_eq!(rows(&front.text), posted[..20]);
    assert!(front.text.contains("id=\"more-review\" href=\"/console/queue/review\""));
    assert!(!front.text.contains("id=\"more-unclaimed\""));

    let first = leader.get("/console/queue/review").await.expect(200);
    assert_eq!(rows(&first.text), posted[..50]);
    assert!(first.text.contains("id=\"approve-") && !first.text.contains("id=\"alerts\""));
    let next = super::attribute_after(&first.text, "id=\"queue-next\" href=\"").expect("a next page");
    let second = leader
        .get(&next.replace("&#x2f;", "/").replace("&amp;", "&"))
        .await
        .expect(200);
    assert_eq!(rows(&second.text), posted[50..]);
    assert!(!second.text.contains("id=\"queue-next\""));

    leader.get("/console/queue/nonsense").await.expect(404);
    leader.get("/console/queue/review?after=x").await.expect(422);
    let other = signed_in(&app, &c.leader_b)
        .await
        .get("/console/queue/review")
        .await
        .expect(200);
    assert!(rows(&other.text).is_empty(), "another grid's leader sees none of them");
}
