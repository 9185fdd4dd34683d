//! Projects end to end, on both engines: a co-building unit lists a health-check service; a
//! grid's leader bundles eight wishes into a project; the unit's contact gets the email (real SMTP,
//! parsed) and its work group the robot's message (the WeCom stub); the contact agrees and the
//! project is delivered: all eight wishes are fulfilled and closed, their residents told, the unit
//! credited. A declined project releases its wishes. Other grids' leaders and bad input get 4xx,
//! and a refused proposal leaves nothing behind.

use serde_json::{Value, json};

use microwish_testkit::smtp::SmtpCapture;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};
use crate::notifier::worker;

const ROBOT: &str = "UNIT-ROBOT-HOSPITAL";

/// A unit with a robot and a linked contact, offering a health check for ten: (unit, resource, contact).
pub async fn hospital(app: &TestApp, c: &Community) -> (i64, i64, TestUser) {
    let contact = app.login("hospital-contact").await;
    app.stub.register_robot(ROBOT);
    let unit = app
        .unit(&c.admin, "区医院", "chen@hospital.example", Some(ROBOT))
        .await
        .expect(201);
    let unit = unit["id"].as_i64().unwrap();
    app.link_contact(&c.admin, unit, Some(contact.id)).await.expect(200);
    let offer = json!({ "title": "老年人健康体检", "category": "medicine", "kind": "service", "quantity": 10 });
    let resource = app.offer(&contact, unit, offer).await.expect(201)["id"]
        .as_i64()
        .unwrap();
    (unit, resource, contact)
}

/// `n` medicine wishes of grid A, half the owner's, half the other resident's.
pub async fn health_wishes(app: &TestApp, c: &Community, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let who = if i % 2 == 0 { &c.owner } else { &c.other_resident };
        ids.push(
            app.wish_of(who, &format!("想做个体检 {i}"), "medicine", None).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    ids
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

both_engines!(
    a_project_bundles_eight_wishes_and_delivers_them,
    eight_wishes,
    crate::notifier::configure
);
async fn eight_wishes(app: TestApp) {
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    let (unit, resource, contact) = hospital(&app, &c).await;
    let wishes = health_wishes(&app, &c, 8).await;
    let errand = app.wish(&c.owner, "帮忙买菜").await["id"].as_i64().unwrap();

    // Refused before anything is written: another grid's leader (the same answer for a wish that
    // does not exist), a resident, bad lists, another category, an unknown resource.
    app.propose(&c.leader_b, "体检", resource, &wishes)
        .await
        .expect_error(403, "not_permitted");
    app.propose(&c.leader_b, "体检", resource, &[9_999])
        .await
        .expect_error(403, "not_permitted");
    app.propose(&c.owner, "体检", resource, &wishes)
        .await
        .expect_error(403, "not_permitted");
    app.propose(&c.leader_a, "体检", resource, &[])
        .await
        .expect_error(422, "invalid_field");
    app.propose(&c.leader_a, "体检", resource, &[wishes[0], wishes[0]])
        .await
        .expect_error(422, "invalid_field");
    app.propose(&c.leader_a, "体检", resource, &[wishes[0], errand])
        .await
        .expect_error(422, "category_mismatch");
    app.propose(&c.leader_a, "体检", 9_999, &wishes)
        .await
        .expect_error(422, "unknown_resource");
    app.propose(&c.leader_a, "", resource, &wishes)
        .await
        .expect_error(422, "invalid_field");
    app.post(
        "/api/v1/projects",
        &c.leader_a.token,
        json!({ "title": "体检", "resource_id": resource }),
    )
    .await
    .expect(400);
    assert_eq!(app.count("projects").await, 0);

    // The proposal refers every wish to the project: off the wall for volunteers, on its timeline.
    let project = app
        .propose(&c.leader_a, "为八位老人上门体检", resource, &wishes)
        .await
        .expect(201);
    let id = project["id"].as_i64().unwrap();
    assert_eq!(
        (project["status"].as_str(), project["unit_id"].as_i64()),
        (Some("proposed"), Some(unit))
    );
    assert_eq!(project["wish_ids"].as_array().unwrap().len(), 8);
    let first = app
        .get(&format!("/api/v1/wishes/{}", wishes[0]), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(
        (first["project_id"].as_i64(), first["status"].as_str()),
        (Some(id), Some("open"))
    );
    assert!(first["referred_at"].is_string(), "{first}");
    app.act(&c.volunteer, wishes[0], "claim", None)
        .await
        .expect_error(409, "in_project");
    let again = app.propose(&c.leader_a, "再来一次", resource, &[wishes[1]]).await;
    again.expect_error(409, "in_project");
    assert_eq!(app.count("projects").await, 1, "the refused proposal left no row");
    let steps = app
        .get(&format!("/api/v1/wishes/{}/timeline", wishes[1]), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(steps.as_array().unwrap().last().unwrap()["action"], "refer");

    // Who sees it: the grid's leader, the contact, admins; another grid's leader does not; a
    // resident is refused before any lookup.
    app.project(&c.leader_b, id).await.expect_error(404, "not_found");
    app.project(&c.owner, id).await.expect_error(403, "not_permitted");
    app.projects(&c.leader_b, &format!("grid_id={}", c.grid_a))
        .await
        .expect_error(403, "not_permitted");
    assert_eq!(ids(&app.projects(&contact, "").await.expect(200)), vec![id]);
    assert_eq!(
        ids(&app.projects(&c.leader_a, "status=proposed").await.expect(200)),
        vec![id]
    );
    assert!(ids(&app.projects(&c.admin, "status=delivered").await.expect(200)).is_empty());

    // The unit's contact hears by email — a person who may have no account — and its work group
    // through its robot.
    let w = worker(&app, &capture, |_| {});
    while w.run_once().await.unwrap() > 0 {}
    let mails: Vec<_> = capture
        .messages()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == "chen@hospital.example"))
        .collect();
    assert_eq!(mails.len(), 1, "one proposal email");
    let subject = mails[0].subject().unwrap();
    assert!(
        subject.contains("区医院") && subject.contains("为八位老人上门体检"),
        "{subject}"
    );
    let text = mails[0].text().unwrap();
    assert!(
        text.contains("老年人健康体检") && text.contains(" 8 ") && text.contains("刘网格长"),
        "{text}"
    );
    assert!(text.contains(&format!("#{id}")), "{text}");
    let posts = app.stub.robot_messages(ROBOT);
    assert_eq!(posts.len(), 1, "{posts:?}");
    let post = posts[0]["text"]["content"].as_str().unwrap();
    assert!(
        post.contains("为八位老人上门体检") && post.contains("@陈医生") && post.contains("8个心愿"),
        "{post}"
    );

    // Only the unit answers; once agreed, the leader (or the contact) delivers.
    app.decide(&c.leader_a, id, "agree", None)
        .await
        .expect_error(403, "not_permitted");
    app.decide(&c.leader_a, id, "deliver", None)
        .await
        .expect_error(409, "invalid_transition");
    app.decide(&c.leader_b, id, "agree", None)
        .await
        .expect_error(404, "not_found");
    let agreed = app.decide(&contact, id, "agree", None).await.expect(200);
    assert_eq!(agreed["status"], "agreed");
    app.decide(&contact, id, "agree", None)
        .await
        .expect_error(409, "invalid_transition");
    app.decide(&c.leader_a, id, "deliver", Some(json!({ "minutes": 99_999 })))
        .await
        .expect_error(422, "invalid_field");
    let delivered = app.decide(&c.leader_a, id, "deliver", None).await.expect(200);
    assert_eq!(delivered["status"], "delivered");
    assert_eq!(
        (
            delivered["credited_services"].as_i64(),
            delivered["credited_minutes"].as_i64()
        ),
        (Some(8), Some(480))
    );
    app.decide(&contact, id, "decline", Some(json!({ "reason": "太晚了" })))
        .await
        .expect_error(409, "invalid_transition");

    // Every wish fulfilled and closed through the wish machine, its resident told.
    for wish in &wishes {
        let seen = app
            .get(&format!("/api/v1/wishes/{wish}"), &c.owner.token)
            .await
            .expect(200);
        assert_eq!(seen["status"], "closed", "{seen}");
        assert!(seen["fulfilled_at"].is_string() && seen["closed_at"].is_string());
        let steps = app
            .get(&format!("/api/v1/wishes/{wish}/timeline"), &c.owner.token)
            .await
            .expect(200);
        let last = steps.as_array().unwrap().last().unwrap().clone();
        assert_eq!(
            (last["action"].as_str(), last["actor_id"].as_i64()),
            (Some("deliver"), Some(c.leader_a.id))
        );
        assert!(last["note"].as_str().unwrap().contains("区医院"), "{last}");
        let told = app.outbox(*wish).await;
        assert!(
            told.iter()
                .any(|(kind, to)| kind == "wish_delivered" && (*to == c.owner.id || *to == c.other_resident.id)),
            "{told:?}"
        );
    }
    assert_eq!(app.count("unit_credits").await, 1);
    assert_eq!(app.count("resource_uses").await, 1);
    let steps = app
        .get(&format!("/api/v1/projects/{id}/timeline"), &contact.token)
        .await
        .expect(200);
    let actions: Vec<&str> = steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["propose", "agree", "deliver"]);
    // The leader heard of the agreement; nobody of their own delivery.
    let kinds = crate::notifier::deliveries(&app, &c.admin, "project_agreed").await;
    assert_eq!(kinds.len(), 1);
    assert!(
        crate::notifier::deliveries(&app, &c.admin, "project_delivered")
            .await
            .is_empty()
    );
}

both_engines!(a_declined_project_releases_its_wishes, declined);
async fn declined(app: TestApp) {
    let c = Community::seed(&app).await;
    let (_, resource, contact) = hospital(&app, &c).await;
    let wishes = health_wishes(&app, &c, 2).await;
    let id = app.propose(&c.leader_a, "体检", resource, &wishes).await.expect(201)["id"]
        .as_i64()
        .unwrap();
    app.act(&c.owner, wishes[0], "cancel", None).await.expect(200);

    app.decide(&contact, id, "decline", Some(json!({ "reason": "" })))
        .await
        .expect_error(422, "invalid_field");
    app.decide(&contact, id, "decline", None).await.expect(400);
    let declined = app
        .decide(&contact, id, "decline", Some(json!({ "reason": "本月医生排满了" })))
        .await
        .expect(200);
    assert_eq!(
        (declined["status"].as_str(), declined["reason"].as_str()),
        (Some("declined"), Some("本月医生排满了"))
    );

    // The wishes return to the ordinary flow: out of the project, claimable, still referred.
    let back = app
        .get(&format!("/api/v1/wishes/{}", wishes[1]), &c.owner.token)
        .await
        .expect(200);
    assert!(back.get("project_id").is_none(), "{back}");
    assert!(back["referred_at"].is_string());
    let steps = app
        .get(&format!("/api/v1/wishes/{}/timeline", wishes[1]), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(steps.as_array().unwrap().last().unwrap()["action"], "return");
    app.act(&c.volunteer, wishes[1], "claim", None).await.expect(200);
    let cancelled = app
        .get(&format!("/api/v1/wishes/{}", wishes[0]), &c.owner.token)
        .await
        .expect(200);
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled.get("project_id").is_none());
    // They may go into a new project; the leader heard of the decline with its reason.
    let declines = crate::notifier::deliveries(&app, &c.admin, "project_declined").await;
    assert_eq!(declines.len(), 1);
    assert_eq!(declines[0]["recipient_id"], c.leader_a.id);
    app.decide(&contact, id, "agree", None)
        .await
        .expect_error(409, "invalid_transition");
}
