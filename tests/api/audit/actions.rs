//! Every action with power leaves its entry: the test runs each kind of admin and leader action
//! once over the API (and the CLI's), then finds every `audit::Action` in the log — adding an
//! action without wiring its record fails here. A refused action leaves none.

use serde_json::{Value, json};

use microwish_core::audit::Action;
use microwish_core::clock::rfc3339;
use microwish_core::people::Role;
use microwish_core::{Clock, Settings};

use crate::both_engines;
use crate::helpers::{Community, TestApp};

const HOUR: i64 = 3_600_000;

fn configure(s: &mut Settings) {
    s.wishes.review_required = true;
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("an id in {v}"))
}

/// The register: a building, rooms and people written and removed, a sheet imported, a resident
/// registered without WeChat with a family code and a care plan, a resident marked vulnerable,
/// residence requests decided.
async fn register_actions(app: &TestApp, c: &Community) {
    let b = app
        .post(
            "/api/v1/admin/buildings",
            &c.admin.token,
            json!({ "grid_id": c.grid_a, "name": "1号楼" }),
        )
        .await
        .expect(201);
    let rooms = format!("/api/v1/buildings/{}/households", id(&b));
    let room = id(&app
        .post(&rooms, &c.leader_a.token, json!({ "room": "101" }))
        .await
        .expect(201));
    let empty = id(&app
        .post(&rooms, &c.leader_a.token, json!({ "room": "102" }))
        .await
        .expect(201));
    let people = format!("/api/v1/households/{room}/people");
    let person = app
        .post(
            &people,
            &c.leader_a.token,
            json!({ "name": "周伯", "phone": "13800009999" }),
        )
        .await
        .expect(201);
    let him = format!("/api/v1/people/{}", id(&person));
    app.put(&him, &c.leader_a.token, json!({ "name": "周伯", "relation": "户主" }))
        .await
        .expect(200);
    app.call("DELETE", &him, Some(&c.leader_a.token), None)
        .await
        .expect(204);
    let house = format!("/api/v1/households/{empty}");
    app.call("DELETE", &house, Some(&c.leader_a.token), None)
        .await
        .expect(204);
    let sheet = "building,unit,room,name,phone,relation,tags\n1号楼,,103,吴婶,,户主,\n";
    crate::register::import::import(app, &c.leader_a, sheet)
        .await
        .expect(200);

    let grandma = json!({ "display_name": "孙奶奶", "phone": "13800001234", "building_id": id(&b), "room": "101" });
    let grandma = id(&app
        .post("/api/v1/residents", &c.leader_a.token, grandma)
        .await
        .expect(201));
    app.post(
        &format!("/api/v1/residents/{grandma}/family-codes"),
        &c.leader_a.token,
        json!({}),
    )
    .await
    .expect(201);
    let plan = json!({ "tags": ["lives_alone"], "visit_every": "7d", "visitor_ids": [c.volunteer.id] });
    app.put(&format!("/api/v1/residents/{grandma}/care"), &c.leader_a.token, plan)
        .await
        .expect(200);
    app.put(
        &format!("/api/v1/residents/{}/vulnerable", c.owner.id),
        &c.leader_a.token,
        json!({ "vulnerable": true }),
    )
    .await
    .expect(200);

    let mover = app.login("mover").await;
    let me = app
        .put("/api/v1/me", &mover.token, json!({ "grid_id": c.grid_a }))
        .await
        .expect(200);
    let request = me["pending_residence_request_id"].as_i64().expect("a pending request");
    app.post(
        &format!("/api/v1/residence-requests/{request}/reject"),
        &c.leader_a.token,
        json!({ "reason": "查无此人" }),
    )
    .await
    .expect(200);
}

/// Wishes decided by a leader: approved, rejected, assigned, released, fulfilled and confirmed
/// for a resident without a phone, cancelled.
async fn wish_actions(app: &TestApp, c: &Community) {
    let post = |title: &str| json!({ "title": title, "description": "请帮帮忙", "category": "errand" });
    let leader = &c.leader_a;
    let mut ids = Vec::new();
    for title in ["买药", "修灯", "陪诊"] {
        ids.push(id(&app
            .post("/api/v1/wishes", &c.owner.token, post(title))
            .await
            .expect(201)));
    }
    let [first, second, third] = ids[..] else {
        unreachable!()
    };
    app.act(leader, first, "approve", None).await.expect(200);
    app.act(leader, second, "reject", Some(json!({ "reason": "重复" })))
        .await
        .expect(200);
    let assign = json!({ "volunteer_id": c.volunteer.id });
    app.act(leader, first, "assign", Some(assign.clone())).await.expect(200);
    app.act(leader, first, "release", Some(json!({ "reason": "改派" })))
        .await
        .expect(200);
    app.act(leader, first, "assign", Some(assign)).await.expect(200);
    app.act(leader, first, "fulfil", Some(json!({ "note": "已送达" })))
        .await
        .expect(200);
    app.act(leader, first, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);
    app.act(leader, third, "approve", None).await.expect(200);
    app.act(leader, third, "cancel", Some(json!({ "reason": "已解决" })))
        .await
        .expect(200);
    // A leader posts for a resident with their consent (on the phone, say): staff work.
    let mut for_her = post("陪老人看病");
    for_her["on_behalf_of"] = json!(c.owner.id);
    for_her["consent_note"] = json!("电话中本人同意");
    app.post("/api/v1/wishes", &leader.token, for_her).await.expect(201);
    // The resident's own and the volunteer's own changes are theirs, not staff decisions.
    let own = id(&app
        .post("/api/v1/wishes", &c.owner.token, post("自己撤回"))
        .await
        .expect(201));
    app.act(&c.owner, own, "cancel", None).await.expect(200);
}

/// Events: created, edited, invited to, a check-in's hours corrected once over, one cancelled.
async fn event_actions(app: &TestApp, c: &Community) {
    let now = (app.clock.now_ms() / 60_000) * 60_000;
    let body = |title: &str, place: &str| {
        json!({ "title": title, "description": "", "location": place, "grid_id": c.grid_a,
                "starts_at": rfc3339(now + HOUR / 2), "ends_at": rfc3339(now + HOUR) })
    };
    let event = app
        .post("/api/v1/events", &c.leader_a.token, body("清洁家园", "活动室"))
        .await
        .expect(201);
    let path = format!("/api/v1/events/{}", id(&event));
    app.put(&path, &c.leader_a.token, body("清洁家园", "小广场"))
        .await
        .expect(200);
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
    let other = app
        .post("/api/v1/events", &c.leader_a.token, body("读书会", "活动室"))
        .await
        .expect(201);
    app.post(
        &format!("/api/v1/events/{}/cancel", id(&other)),
        &c.leader_a.token,
        json!({}),
    )
    .await
    .expect(200);
    app.clock.advance_ms(2 * HOUR);
    let fix = json!({ "user_id": c.volunteer.id, "minutes": -10, "reason": "提前离场" });
    app.post(&format!("{path}/hours/corrections"), &c.leader_a.token, fix)
        .await
        .expect(200);
}

/// Staff work: a grid made and renamed, its leader set from the command line, sessions revoked,
/// a dead notification retried, a party branch with a member, a 双报到 registration rejected and one
/// approved, a year-end comment, a notice.
async fn staff_actions(app: &TestApp, c: &Community) {
    let third = app.grid(&c.admin, "第三网格", None).await;
    app.put(
        &format!("/api/v1/admin/grids/{third}"),
        &c.admin.token,
        json!({ "name": "第三网格（新）" }),
    )
    .await
    .expect(200);
    microwish::admin::grant(&app.db, "leader-c", Role::GridLeader, Some(third))
        .await
        .unwrap();
    let spare = app.login("spare").await;
    app.call(
        "DELETE",
        &format!("/api/v1/admin/users/{}/sessions", spare.id),
        Some(&c.admin.token),
        None,
    )
    .await
    .expect(200);
    let n = app.get("/api/v1/admin/notifications", &c.admin.token).await.expect(200)[0]["id"]
        .as_i64()
        .unwrap();
    sqlx::query("UPDATE notifications SET status = 'dead' WHERE id = $1")
        .bind(n)
        .execute(app.db.pool())
        .await
        .unwrap();
    app.call(
        "POST",
        &format!("/api/v1/admin/notifications/{n}/retry"),
        Some(&c.admin.token),
        None,
    )
    .await
    .expect(200);
    let branch = app
        .post(
            "/api/v1/party/branches",
            &c.admin.token,
            json!({ "name": "第一党支部", "grid_ids": [c.grid_a] }),
        )
        .await
        .expect(201);
    let branch = format!("/api/v1/party/branches/{}", id(&branch));
    app.put(
        &branch,
        &c.admin.token,
        json!({ "name": "第一党支部", "grid_ids": [c.grid_a, third] }),
    )
    .await
    .expect(200);
    let member = format!("{branch}/members/{}", c.volunteer.id);
    app.put(&member, &c.admin.token, json!({ "category": "in_service" }))
        .await
        .expect(200);
    app.call("DELETE", &member, Some(&c.admin.token), None)
        .await
        .expect(204);
    // 双报到: one registration rejected, the next approved; the year-end comment on the member.
    let filing = json!({ "work_unit": "区医院", "unit_branch": "区医院党委", "posts": ["care_visits"] });
    let registrations = "/api/v1/party/registrations";
    for action in ["reject", "approve"] {
        let filed = app
            .post(registrations, &c.volunteer2.token, filing.clone())
            .await
            .expect(201);
        let path = format!("{registrations}/{}/{action}", id(&filed));
        let reason = (action == "reject").then(|| json!({ "reason": "请补充证明" }));
        app.call("POST", &path, Some(&c.admin.token), reason).await.expect(200);
    }
    let feedback = format!("/api/v1/party/members/{}/feedback", c.volunteer2.id);
    let year = microwish_core::party::target::year_of(&jiff::tz::TimeZone::get("Asia/Shanghai").unwrap(), {
        use microwish_core::Clock;
        app.clock.now_ms()
    });
    app.put(
        &feedback,
        &c.admin.token,
        json!({ "year": year, "comment": "服务积极" }),
    )
    .await
    .expect(200);
    let notice = json!({ "title": "通知", "body": "明天停水", "audience": { "grid_ids": [c.grid_a] } });
    app.post("/api/v1/notices", &c.admin.token, notice).await.expect(201);

    let unit = id(&app
        .unit(&c.admin, "区医院", "chen@hospital.example", None)
        .await
        .expect(201));
    let mut renamed = json!({ "name": "区人民医院", "contact_name": "陈医生", "contact_phone": "13512345678",
        "contact_email": "chen@hospital.example", "party_org": "区医院党委" });
    app.put(&format!("/api/v1/admin/units/{unit}"), &c.admin.token, renamed.take())
        .await
        .expect(200);
    let contact = app.login("unit-contact").await;
    app.link_contact(&c.admin, unit, Some(contact.id)).await.expect(200);
    let check = json!({ "title": "健康体检", "category": "medicine", "kind": "service", "quantity": 20 });
    let offered = id(&app.offer(&contact, unit, check.clone()).await.expect(201));
    app.update_resource(&contact, unit, offered, check).await.expect(200);

    // Co-building: a wish referred, one project delivered, one declined.
    let mut wishes = Vec::new();
    for title in ["体检一", "体检二", "体检三"] {
        let wish = app.wish_of(&c.owner, title, "medicine", None).await;
        app.act(&c.leader_a, id(&wish), "approve", None).await.expect(200);
        wishes.push(id(&wish));
    }
    app.refer(&c.leader_a, wishes[0], "需要医生").await.expect(200);
    let delivered = id(&app
        .propose(&c.leader_a, "上门体检", offered, &wishes[..2])
        .await
        .expect(201));
    app.decide(&contact, delivered, "agree", None).await.expect(200);
    app.decide(&c.leader_a, delivered, "deliver", None).await.expect(200);
    let declined = id(&app
        .propose(&c.leader_a, "再体检", offered, &wishes[2..])
        .await
        .expect(201));
    app.decide(&contact, declined, "decline", Some(json!({ "reason": "排满了" })))
        .await
        .expect(200);
}

fn of_kind<'a>(log: &'a [Value], kind: &str) -> Vec<&'a Value> {
    log.iter().filter(|e| e["kind"] == kind).collect()
}

both_engines!(every_staff_action_is_in_the_log, every_action, super::configure);
async fn every_action(app: TestApp) {
    let c = Community::seed(&app).await;
    register_actions(&app, &c).await;
    wish_actions(&app, &c).await;
    event_actions(&app, &c).await;
    staff_actions(&app, &c).await;

    let log = app.audit_all(&c.admin).await;
    let missing: Vec<&str> = Action::ALL
        .iter()
        .map(|a| a.as_str())
        .filter(|a| of_kind(&log, a).is_empty())
        .collect();
    assert!(missing.is_empty(), "not in the log: {missing:?}");
    assert!(log.len() < 500, "the whole log fits one page: {}", log.len());

    // Who, on what, where — and the operator at the command line has no actor.
    let grant = of_kind(&log, "roles.grant");
    assert!(grant.iter().all(|e| e.get("actor_id").is_none()), "{grant:?}");
    assert!(
        grant
            .iter()
            .any(|e| e["subject_id"] == c.admin.id && e["detail"]["role"] == "admin")
    );
    let roles = of_kind(&log, "roles.set");
    let volunteer = roles
        .iter()
        .find(|e| e["subject_id"] == c.volunteer.id)
        .expect("the volunteer's roles");
    assert_eq!(
        (volunteer["actor_id"].as_i64(), &volunteer["subject_type"]),
        (Some(c.admin.id), &json!("user"))
    );
    assert!(
        volunteer["detail"]["after"]
            .as_array()
            .unwrap()
            .contains(&json!("volunteer"))
    );
    let removed = of_kind(&log, "person.remove")[0];
    assert_eq!(
        (removed["actor_id"].as_i64(), removed["grid_id"].as_i64()),
        (Some(c.leader_a.id), Some(c.grid_a))
    );
    assert_eq!(removed["detail"]["name"], "周伯");
    let added = of_kind(&log, "person.add")[0];
    assert_eq!(added["detail"]["phone"], "138****9999", "phones are kept masked");
    let assigned = of_kind(&log, "wish.assign");
    assert_eq!(assigned.len(), 2);
    assert!(
        assigned
            .iter()
            .all(|e| e["detail"]["volunteer_id"] == c.volunteer.id && e["subject_type"] == "wish")
    );
    assert_eq!(
        of_kind(&log, "wish.cancel").len(),
        1,
        "the resident's own cancellation is not staff work"
    );
    let import = of_kind(&log, "register.import")[0];
    assert_eq!(
        (import["detail"]["created"].as_i64(), import["actor_id"].as_i64()),
        (Some(1), Some(c.leader_a.id))
    );
    let correction = of_kind(&log, "hours.correct")[0];
    assert_eq!(
        (
            correction["detail"]["minutes"].as_i64(),
            correction["detail"]["user_id"].as_i64()
        ),
        (Some(-10), Some(c.volunteer.id))
    );
    let grid = of_kind(&log, "grid.update")[0];
    assert_eq!(grid["detail"]["after"]["name"], "第三网格（新）");
    assert!(
        grid["detail"].to_string().find("robot_key").is_none(),
        "no secret in the log"
    );
    assert!(of_kind(&log, "residence.approve").len() >= 4, "the seed's residences");

    // A refused action leaves nothing behind.
    let before = of_kind(&log, "grid.create").len();
    app.post("/api/v1/admin/grids", &c.admin.token, json!({ "name": "第一网格" }))
        .await
        .expect_error(409, "grid_name_taken");
    app.post(
        "/api/v1/admin/buildings",
        &c.leader_b.token,
        json!({ "grid_id": c.grid_a, "name": "9号楼" }),
    )
    .await
    .expect_error(403, "not_permitted");
    let after = app.audit_all(&c.admin).await;
    assert_eq!(of_kind(&after, "grid.create").len(), before);
    assert_eq!(after.len(), log.len());
}
