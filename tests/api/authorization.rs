//! Who may do what, and who sees what.
//!
//! The authorization matrix: every wish endpoint × every kind of caller, each cell run against a
//! fresh wish in the right starting state, asserting the status and error code as designed
//! (`machine.rs`: who may act; `access.rs`: who may see), that a refused action changed nothing,
//! and that no answer — success or error — carries the owner's phone or address to a caller who
//! may not see them. Then the admin endpoints, and the contact-privacy rule of CONTRACT.md told
//! as one wish's life: masked for bystanders everywhere (single wish, lists with and without
//! filters, timeline, their own actions), shown to the resident, the claimer (until the window
//! after close runs out), the grid's leader and admins, and every reveal audited.

use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{Answer, Community, OWNER_PHONE, TestApp, TestUser};

/// What callers who may not see the contact details get instead of `OWNER_PHONE`.
const MASKED: &str = "138****5678";
/// A bearer token that is no session at all.
const GARBAGE_TOKEN: &str = "garbage-token-not-a-session";

/// The owner's exact address as `TestApp::profile` sets it (contains "2单元").
fn owner_address(c: &Community) -> String {
    format!("3号楼2单元{}室", c.owner.id)
}

/// The kinds of caller, one column of the matrix each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The resident who posted the wish (grid A).
    Owner,
    /// Another resident of grid A, no other role.
    Other,
    /// A volunteer of grid A who does not hold the claim (`volunteer2`).
    Vol,
    /// The volunteer who holds the claim in the claimed/fulfilled/closed/cancelled starting
    /// states (`volunteer`); before any claim exists, just another volunteer.
    Claimer,
    /// The leader of grid A, the wish's grid.
    LeaderA,
    /// The leader of grid B.
    LeaderB,
    /// A community admin.
    Admin,
    /// No Authorization header.
    NoToken,
    /// A bearer token that is not a session.
    Garbage,
}

/// The columns of the matrix, in order.
const WHO: [Who; 9] = [
    Who::Owner,
    Who::Other,
    Who::Vol,
    Who::Claimer,
    Who::LeaderA,
    Who::LeaderB,
    Who::Admin,
    Who::NoToken,
    Who::Garbage,
];

fn token(c: &Community, who: Who) -> Option<String> {
    user(c, who)
        .map(|u| u.token.clone())
        .or_else(|| (who == Who::Garbage).then(|| GARBAGE_TOKEN.to_string()))
}

fn user(c: &Community, who: Who) -> Option<&TestUser> {
    match who {
        Who::Owner => Some(&c.owner),
        Who::Other => Some(&c.other_resident),
        Who::Vol => Some(&c.volunteer2),
        Who::Claimer => Some(&c.volunteer),
        Who::LeaderA => Some(&c.leader_a),
        Who::LeaderB => Some(&c.leader_b),
        Who::Admin => Some(&c.admin),
        Who::NoToken | Who::Garbage => None,
    }
}

/// The wish endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ep {
    List,
    Get,
    Timeline,
    Post,
    Approve,
    Reject,
    Claim,
    Assign,
    Release,
    Fulfil,
    Confirm,
    Cancel,
}

/// The state a fresh wish is brought to before a cell runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    Pending,
    Open,
    Claimed,
    Fulfilled,
    Closed,
    Rejected,
    Cancelled,
}

impl Start {
    fn wire(self) -> &'static str {
        match self {
            Start::Pending => "pending_review",
            Start::Open => "open",
            Start::Claimed => "claimed",
            Start::Fulfilled => "fulfilled",
            Start::Closed => "closed",
            Start::Rejected => "rejected",
            Start::Cancelled => "cancelled",
        }
    }
}

/// An expected answer: a status, and the error code ("" for a success).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Exp(u16, &'static str);

const OK: Exp = Exp(200, "");
const NEW: Exp = Exp(201, "");
const AUTH: Exp = Exp(401, "unauthenticated");
const DENY: Exp = Exp(403, "not_permitted");
const HIDE: Exp = Exp(404, "not_found");
const STATE: Exp = Exp(409, "invalid_transition");
const LOST: Exp = Exp(409, "claim_lost");
/// The admin of the seed has no profile, hence no grid to post a wish in.
const NOGRID: Exp = Exp(422, "grid_required");

use Ep::*;
use Start::*;

/// One line per (endpoint, starting state); one column per caller. For `List` the status is
/// asserted, and the wish must be listed exactly for those whose `Get` on the same state is OK.
#[rustfmt::skip]
const MATRIX: &[(Ep, Start, [Exp; 9])] = &[
    // endpoint  start     owner  other  vol    claim. lead A lead B admin  none   garbage
    (List,     Open,      [OK,    OK,    OK,    OK,    OK,    OK,    OK,    AUTH,  AUTH]),
    (List,     Pending,   [OK,    OK,    OK,    OK,    OK,    OK,    OK,    AUTH,  AUTH]),
    (List,     Cancelled, [OK,    OK,    OK,    OK,    OK,    OK,    OK,    AUTH,  AUTH]),
    (Get,      Open,      [OK,    OK,    OK,    OK,    OK,    OK,    OK,    AUTH,  AUTH]),
    (Get,      Claimed,   [OK,    OK,    OK,    OK,    OK,    OK,    OK,    AUTH,  AUTH]),
    (Get,      Closed,    [OK,    OK,    OK,    OK,    OK,    OK,    OK,    AUTH,  AUTH]),
    (Get,      Pending,   [OK,    HIDE,  HIDE,  HIDE,  OK,    HIDE,  OK,    AUTH,  AUTH]),
    (Get,      Rejected,  [OK,    HIDE,  HIDE,  HIDE,  OK,    HIDE,  OK,    AUTH,  AUTH]),
    (Get,      Cancelled, [OK,    HIDE,  HIDE,  OK,    OK,    HIDE,  OK,    AUTH,  AUTH]),
    (Timeline, Open,      [OK,    OK,    OK,    OK,    OK,    OK,    OK,    AUTH,  AUTH]),
    (Timeline, Pending,   [OK,    HIDE,  HIDE,  HIDE,  OK,    HIDE,  OK,    AUTH,  AUTH]),
    (Timeline, Cancelled, [OK,    HIDE,  HIDE,  OK,    OK,    HIDE,  OK,    AUTH,  AUTH]),
    (Post,     Open,      [NEW,   NEW,   NEW,   NEW,   NEW,   NEW,   NOGRID, AUTH, AUTH]),
    (Approve,  Pending,   [DENY,  HIDE,  HIDE,  HIDE,  OK,    HIDE,  OK,    AUTH,  AUTH]),
    (Approve,  Open,      [DENY,  DENY,  DENY,  DENY,  STATE, DENY,  STATE, AUTH,  AUTH]),
    (Reject,   Pending,   [DENY,  HIDE,  HIDE,  HIDE,  OK,    HIDE,  OK,    AUTH,  AUTH]),
    (Reject,   Open,      [DENY,  DENY,  DENY,  DENY,  OK,    DENY,  OK,    AUTH,  AUTH]),
    (Reject,   Claimed,   [DENY,  DENY,  DENY,  DENY,  STATE, DENY,  STATE, AUTH,  AUTH]),
    (Claim,    Open,      [DENY,  DENY,  OK,    OK,    DENY,  DENY,  DENY,  AUTH,  AUTH]),
    (Claim,    Pending,   [DENY,  HIDE,  HIDE,  HIDE,  DENY,  HIDE,  DENY,  AUTH,  AUTH]),
    (Claim,    Claimed,   [DENY,  DENY,  LOST,  LOST,  DENY,  DENY,  DENY,  AUTH,  AUTH]),
    (Assign,   Open,      [DENY,  DENY,  DENY,  DENY,  OK,    DENY,  OK,    AUTH,  AUTH]),
    (Assign,   Pending,   [DENY,  HIDE,  HIDE,  HIDE,  STATE, HIDE,  STATE, AUTH,  AUTH]),
    (Assign,   Claimed,   [DENY,  DENY,  DENY,  DENY,  STATE, DENY,  STATE, AUTH,  AUTH]),
    (Release,  Claimed,   [DENY,  DENY,  DENY,  OK,    OK,    DENY,  OK,    AUTH,  AUTH]),
    (Release,  Open,      [DENY,  DENY,  DENY,  DENY,  STATE, DENY,  STATE, AUTH,  AUTH]),
    (Fulfil,   Claimed,   [DENY,  DENY,  DENY,  OK,    OK,    DENY,  OK,    AUTH,  AUTH]),
    (Fulfil,   Open,      [DENY,  DENY,  DENY,  DENY,  STATE, DENY,  STATE, AUTH,  AUTH]),
    // The claimer holds the wish only while it is claimed (access.rs), so fulfilling twice is 403.
    (Fulfil,   Fulfilled, [DENY,  DENY,  DENY,  DENY,  STATE, DENY,  STATE, AUTH,  AUTH]),
    (Confirm,  Fulfilled, [OK,    DENY,  DENY,  DENY,  OK,    DENY,  OK,    AUTH,  AUTH]),
    (Confirm,  Claimed,   [STATE, DENY,  DENY,  DENY,  STATE, DENY,  STATE, AUTH,  AUTH]),
    (Confirm,  Closed,    [STATE, DENY,  DENY,  DENY,  STATE, DENY,  STATE, AUTH,  AUTH]),
    (Cancel,   Pending,   [OK,    HIDE,  HIDE,  HIDE,  OK,    HIDE,  OK,    AUTH,  AUTH]),
    (Cancel,   Open,      [OK,    DENY,  DENY,  DENY,  OK,    DENY,  OK,    AUTH,  AUTH]),
    (Cancel,   Claimed,   [OK,    DENY,  DENY,  DENY,  OK,    DENY,  OK,    AUTH,  AUTH]),
    (Cancel,   Fulfilled, [STATE, DENY,  DENY,  DENY,  STATE, DENY,  STATE, AUTH,  AUTH]),
    (Cancel,   Closed,    [STATE, DENY,  DENY,  DENY,  STATE, DENY,  STATE, AUTH,  AUTH]),
];

/// A fresh wish of the owner's, brought to `start`.
async fn wish_in(app: &TestApp, c: &Community, start: Start) -> i64 {
    // The stub's content check holds text with this word for review.
    let review = matches!(start, Pending | Rejected);
    let description = if review { "这里有待审词" } else { "请帮帮忙" };
    let body = json!({ "title": "帮忙取快递", "description": description, "category": "errand" });
    let wish = app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
    let id = wish["id"].as_i64().unwrap();
    let step = |who: &TestUser, action: &'static str, body: Option<Value>| {
        let user = who.clone();
        async move { app.act(&user, id, action, body).await.expect(200) }
    };
    match start {
        Pending | Open => {}
        Rejected => {
            step(&c.leader_a, "reject", Some(json!({ "reason": "请写清楚" }))).await;
        }
        Claimed | Fulfilled | Closed | Cancelled => {
            step(&c.volunteer, "claim", None).await;
            if start == Cancelled {
                step(&c.owner, "cancel", Some(json!({ "reason": "不需要了" }))).await;
            }
            if matches!(start, Fulfilled | Closed) {
                step(&c.volunteer, "fulfil", Some(json!({ "note": "已送到" }))).await;
            }
            if start == Closed {
                step(&c.owner, "confirm", Some(json!({ "rating": 5 }))).await;
            }
        }
    }
    let now = app
        .get(&format!("/api/v1/wishes/{id}"), &c.admin.token)
        .await
        .expect(200);
    assert_eq!(now["status"], start.wire(), "set-up of a {start:?} wish");
    id
}

/// Sends one endpoint's request for wish `id` as `who`.
async fn request(app: &TestApp, c: &Community, ep: Ep, id: i64, who: Who) -> Answer {
    let wish = format!("/api/v1/wishes/{id}");
    let (method, path, body) = match ep {
        List => ("GET", "/api/v1/wishes?limit=100".to_string(), None),
        Get => ("GET", wish, None),
        Timeline => ("GET", format!("{wish}/timeline"), None),
        Post => (
            "POST",
            "/api/v1/wishes".to_string(),
            Some(json!({ "title": "换个灯泡", "description": "", "category": "repair" })),
        ),
        Approve => ("POST", format!("{wish}/approve"), None),
        Reject => (
            "POST",
            format!("{wish}/reject"),
            Some(json!({ "reason": "不在服务范围" })),
        ),
        Claim => ("POST", format!("{wish}/claim"), None),
        Assign => (
            "POST",
            format!("{wish}/assign"),
            Some(json!({ "volunteer_id": c.volunteer.id })),
        ),
        Release => ("POST", format!("{wish}/release"), Some(json!({ "reason": "临时出差" }))),
        Fulfil => ("POST", format!("{wish}/fulfil"), Some(json!({ "note": "办好了" }))),
        Confirm => ("POST", format!("{wish}/confirm"), Some(json!({ "rating": 4 }))),
        Cancel => (
            "POST",
            format!("{wish}/cancel"),
            Some(json!({ "reason": "家人已处理" })),
        ),
    };
    app.call(method, &path, token(c, who).as_deref(), body).await
}

/// Whether `who` may see the owner's contact on this wish view, by the rule of CONTRACT.md
/// (the clock does not move in the matrix, so a closed wish is still inside the window).
fn may_see(c: &Community, who: Who, view: &Value) -> bool {
    let holder = user(c, who).is_some_and(|u| view["volunteer_id"].as_i64() == Some(u.id))
        && matches!(view["status"].as_str(), Some("claimed" | "fulfilled" | "closed"));
    matches!(who, Who::Owner | Who::LeaderA | Who::Admin) || holder
}

/// Checks one wish view: full contact details exactly when the rule allows, masked otherwise.
fn check_view(c: &Community, visible: bool, view: &Value) -> Result<(), String> {
    let text = view.to_string();
    let address = owner_address(c);
    if view["resident"]["id"].as_i64() != Some(c.owner.id) {
        // Someone else's wish (the Post row): the owner's details have no business in it.
        return if text.contains(OWNER_PHONE) || text.contains(&address) {
            Err(format!("owner's contact in someone else's wish: {text}"))
        } else {
            Ok(())
        };
    }
    let r = &view["resident"];
    if r["contact_visible"] != visible {
        return Err(format!("contact_visible should be {visible}: {text}"));
    }
    let shown = if visible {
        r["phone"] == OWNER_PHONE && r["address"] == address.as_str()
    } else {
        r["phone"] == MASKED
            && r["address"].is_null()
            && r["building"] == "3号楼"
            && !text.contains(OWNER_PHONE)
            && !text.contains(&address)
            && !text.contains("2单元")
    };
    if shown {
        Ok(())
    } else {
        Err(format!("contact details wrong for visible={visible}: {text}"))
    }
}

/// Checks a whole answer for the owner's contact details: wish views by the rule, and anything
/// else (errors, timelines, lists with nothing visible) by raw text search.
fn check_privacy(c: &Community, who: Who, answer: &Answer) -> Result<(), String> {
    let views: Vec<&Value> = if answer.body["resident"].is_object() {
        vec![&answer.body]
    } else if let Some(items) = answer.body["items"].as_array() {
        items.iter().collect()
    } else {
        Vec::new()
    };
    let mut any_visible = false;
    for view in views {
        let visible = may_see(c, who, view) && view["resident"]["id"].as_i64() == Some(c.owner.id);
        any_visible |= visible;
        check_view(c, visible, view)?;
    }
    if !any_visible && (answer.text.contains(OWNER_PHONE) || answer.text.contains(&owner_address(c))) {
        return Err(format!("owner's contact leaked: {}", answer.text));
    }
    Ok(())
}

/// Compares an answer with an expectation; a description of the mismatch, if any.
fn mismatch(answer: &Answer, exp: Exp) -> Option<String> {
    let status = answer.status.as_u16();
    let code = answer.body["code"].as_str().unwrap_or("");
    let message = answer.body["message"].as_str().unwrap_or("");
    let right = status == exp.0 && (exp.1.is_empty() || (code == exp.1 && !message.is_empty()));
    (!right).then(|| format!("expected {} {}, got {status}: {}", exp.0, exp.1, answer.text))
}

both_engines!(every_endpoint_for_every_caller, matrix, |s| s.wishes.max_open_claims =
    1000);
async fn matrix(app: TestApp) {
    let c = Community::seed(&app).await;
    let mut failures = Vec::new();
    let mut cells = 0;
    for &(ep, start, row) in MATRIX {
        for (who, exp) in WHO.into_iter().zip(row) {
            cells += 1;
            let id = wish_in(&app, &c, start).await;
            let answer = request(&app, &c, ep, id, who).await;
            let cell = format!("{ep:?} on a {start:?} wish as {who:?}");
            if let Some(m) = mismatch(&answer, exp) {
                failures.push(format!("{cell}: {m}"));
                continue;
            }
            if let Err(leak) = check_privacy(&c, who, &answer) {
                failures.push(format!("{cell}: {leak}"));
            }
            if ep == List && answer.status == 200 {
                let listed = answer.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|w| w["id"].as_i64() == Some(id));
                let get_row = MATRIX.iter().find(|(e, s, _)| *e == Get && *s == start).unwrap();
                let may_get = get_row.2[WHO.iter().position(|w| *w == who).unwrap()] == OK;
                if listed != may_get {
                    failures.push(format!("{cell}: listed = {listed}, but GET allowed = {may_get}"));
                }
            }
            if exp.0 >= 400 && ep != Post {
                // A refused action leaves the wish as it was.
                let after = app
                    .get(&format!("/api/v1/wishes/{id}"), &c.admin.token)
                    .await
                    .expect(200);
                if after["status"] != start.wire() {
                    failures.push(format!("{cell}: refused, yet the wish is now {}", after["status"]));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

both_engines!(admin_endpoints_are_for_admins_only, admin_endpoints);
async fn admin_endpoints(app: TestApp) {
    let c = Community::seed(&app).await;
    let target = app.login("target-user").await;
    // An urgent wish records an alert for the grid leader: a notification to retry.
    let body = json!({ "title": "急需帮助", "description": "", "category": "other", "urgency": "urgent" });
    app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
    let list = app.get("/api/v1/admin/notifications", &c.admin.token).await.expect(200);
    let notification = list[0]["id"].as_i64().expect("a notification");
    // Only dead and skipped notifications are retried: give up on this one first.
    sqlx::query("UPDATE notifications SET status = 'dead' WHERE id = $1")
        .bind(notification)
        .execute(app.db.pool())
        .await
        .unwrap();

    let requests: Vec<(&str, String, Option<Value>, u16)> = vec![
        (
            "POST",
            "/api/v1/admin/grids".into(),
            Some(json!({ "name": "第三网格" })),
            201,
        ),
        (
            "PUT",
            format!("/api/v1/admin/grids/{}", c.grid_b),
            Some(json!({ "name": "第二网格（新）", "leader_user_id": c.leader_b.id })),
            200,
        ),
        (
            "PUT",
            format!("/api/v1/admin/users/{}/roles", target.id),
            Some(json!({ "roles": ["volunteer", "admin"] })),
            200,
        ),
        ("GET", "/api/v1/admin/notifications".into(), None, 200),
        ("GET", "/api/v1/admin/notifications?status=pending".into(), None, 200),
        (
            "POST",
            format!("/api/v1/admin/notifications/{notification}/retry"),
            None,
            200,
        ),
    ];
    let grids = app.count("grids").await;
    let mut failures = Vec::new();
    for (method, path, body, _) in &requests {
        for who in [
            Who::Owner,
            Who::Other,
            Who::Vol,
            Who::LeaderA,
            Who::LeaderB,
            Who::NoToken,
            Who::Garbage,
        ] {
            let answer = app.call(method, path, token(&c, who).as_deref(), body.clone()).await;
            let exp = if user(&c, who).is_some() {
                Exp(403, "forbidden")
            } else {
                AUTH
            };
            if let Some(m) = mismatch(&answer, exp) {
                failures.push(format!("{method} {path} as {who:?}: {m}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Nothing the refused requests asked for happened.
    assert_eq!(app.count("grids").await, grids);
    let me = app.get("/api/v1/me", &target.token).await.expect(200);
    assert_eq!(me["roles"], json!(["resident"]));
    let grid_b = app
        .get("/api/v1/grids", &c.admin.token)
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == c.grid_b)
        .cloned()
        .unwrap();
    assert_eq!(grid_b["name"], "第二网格");

    // The admin may do all of it.
    for (method, path, body, status) in &requests {
        let answer = app.call(method, path, Some(&c.admin.token), body.clone()).await;
        assert_eq!(
            answer.status.as_u16(),
            *status,
            "{method} {path} as admin: {}",
            answer.text
        );
    }
    let me = app.get("/api/v1/me", &target.token).await.expect(200);
    let mut roles: Vec<&str> = me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    roles.sort_unstable();
    assert_eq!(roles, ["admin", "resident", "volunteer"]);
}

/// Every way `viewer` reads wish `id`: the wish, its timeline, and lists with and without
/// filters (`status` is the wish's current status).
fn read_paths(c: &Community, id: i64, status: &str) -> Vec<String> {
    vec![
        format!("/api/v1/wishes/{id}"),
        format!("/api/v1/wishes/{id}/timeline"),
        "/api/v1/wishes".to_string(),
        format!("/api/v1/wishes?status={status}"),
        format!("/api/v1/wishes?grid_id={}", c.grid_a),
        "/api/v1/wishes?category=errand".to_string(),
        format!(
            "/api/v1/wishes?status={status}&grid_id={}&category=errand&limit=5",
            c.grid_a
        ),
        "/api/v1/wishes?limit=1".to_string(),
        "/api/v1/wishes?mine=true".to_string(),
    ]
}

/// Asserts that `viewer` sees the owner's full phone and address on wish `id` through every
/// read path if `visible`, and nowhere (only `138****5678` and the building) otherwise.
#[track_caller]
fn assert_sees(c: &Community, label: &str, answers: &[(String, Answer)], id: i64, visible: bool) {
    let address = owner_address(c);
    for (path, answer) in answers {
        assert_eq!(answer.status, 200, "{label}: {path}: {}", answer.text);
        let view = if answer.body["resident"].is_object() {
            Some(&answer.body)
        } else {
            answer.body["items"]
                .as_array()
                .and_then(|items| items.iter().find(|w| w["id"].as_i64() == Some(id)))
        };
        let leaked = answer.text.contains(OWNER_PHONE) || answer.text.contains(&address);
        match view {
            Some(view) => {
                if let Err(e) = check_view(c, visible, view) {
                    panic!("{label}: {path}: {e}");
                }
                assert_eq!(leaked, visible, "{label}: {path}: raw text: {}", answer.text);
            }
            None => {
                // The timeline, or `mine=true` for someone not involved: no contact at all.
                assert!(!leaked, "{label}: {path}: contact in {}", answer.text);
                assert!(
                    path.ends_with("/timeline") || path.contains("mine=true"),
                    "{label}: {path}: the wish is missing: {}",
                    answer.text
                );
            }
        }
    }
}

async fn read_all(app: &TestApp, c: &Community, viewer: &TestUser, id: i64) -> Vec<(String, Answer)> {
    let status = app
        .get(&format!("/api/v1/wishes/{id}"), &c.admin.token)
        .await
        .expect(200)["status"]
        .as_str()
        .unwrap()
        .to_string();
    let mut answers = Vec::new();
    for path in read_paths(c, id, &status) {
        let answer = app.get(&path, &viewer.token).await;
        answers.push((path, answer));
    }
    answers
}

/// Checks every viewer: those in `seeing` get the full contact details, the rest masked ones.
async fn check_everyone(app: &TestApp, c: &Community, stage: &str, id: i64, seeing: &[&TestUser]) {
    let everyone = [
        ("owner", &c.owner),
        ("other resident", &c.other_resident),
        ("claimer", &c.volunteer),
        ("other volunteer", &c.volunteer2),
        ("leader A", &c.leader_a),
        ("leader B", &c.leader_b),
        ("admin", &c.admin),
    ];
    for (name, viewer) in everyone {
        let visible = seeing.iter().any(|s| s.id == viewer.id);
        let answers = read_all(app, c, viewer, id).await;
        assert_sees(c, &format!("{stage}, {name}"), &answers, id, visible);
    }
}

/// Asserts an answer to a bystander's own action carries no contact details.
#[track_caller]
fn assert_no_contact(c: &Community, label: &str, answer: &Answer) {
    assert!(
        !answer.text.contains(OWNER_PHONE)
            && !answer.text.contains(&owner_address(c))
            && !answer.text.contains("2单元"),
        "{label}: contact in {}",
        answer.text
    );
}

both_engines!(contact_details_follow_the_rule, contact_privacy);
async fn contact_privacy(app: TestApp) {
    let c = Community::seed(&app).await;
    let posted = app.post(
        "/api/v1/wishes",
        &c.owner.token,
        json!({ "title": "帮忙买降压药", "description": "请帮帮忙", "category": "errand" }),
    );
    let posted = posted.await.expect(201);
    let id = posted["id"].as_i64().unwrap();
    assert_eq!(posted["resident"]["phone"], OWNER_PHONE, "the owner sees their own");
    let staff = [&c.owner, &c.leader_a, &c.admin];

    check_everyone(&app, &c, "open", id, &staff).await;

    // Bystanders' own actions: refused, and their answers carry nothing.
    let tries = [
        (&c.other_resident, "claim", None),
        (&c.leader_b, "cancel", Some(json!({ "reason": "x" }))),
        (&c.volunteer2, "fulfil", Some(json!({ "note": "x" }))),
        (&c.leader_b, "assign", Some(json!({ "volunteer_id": c.volunteer2.id }))),
    ];
    for (who, action, body) in &tries {
        let answer = app.act(who, id, action, body.clone()).await;
        assert!(answer.status.is_client_error(), "{action}: {}", answer.text);
        assert_no_contact(&c, action, &answer);
    }

    let claimed = app.act(&c.volunteer, id, "claim", None).await.expect(200);
    assert_eq!(
        claimed["resident"]["phone"], OWNER_PHONE,
        "the claim answer shows the claimer"
    );
    assert_eq!(claimed["resident"]["address"], owner_address(&c).as_str());
    let claimer_and_staff = [&c.owner, &c.leader_a, &c.admin, &c.volunteer];
    check_everyone(&app, &c, "claimed", id, &claimer_and_staff).await;
    let lost = app.act(&c.volunteer2, id, "claim", None).await;
    assert_eq!(lost.status, 409);
    assert_no_contact(&c, "lost claim", &lost);
    let refused = app
        .act(&c.leader_b, id, "release", Some(json!({ "reason": "x" })))
        .await;
    assert_eq!(refused.status, 403);
    assert_no_contact(&c, "leader B release", &refused);

    let fulfilled = app.act(&c.volunteer, id, "fulfil", Some(json!({ "note": "药已送到" })));
    assert_eq!(fulfilled.await.expect(200)["resident"]["phone"], OWNER_PHONE);
    check_everyone(&app, &c, "fulfilled", id, &claimer_and_staff).await;
    let refused = app
        .act(&c.other_resident, id, "confirm", Some(json!({ "rating": 1 })))
        .await;
    assert_eq!(refused.status, 403);
    assert_no_contact(&c, "other resident confirm", &refused);

    app.act(&c.owner, id, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);
    check_everyone(&app, &c, "just closed", id, &claimer_and_staff).await;

    // The claimer keeps sight for `contact_visible_after_close` (7 days by default), no longer.
    let day = 86_400_000;
    app.clock.advance_ms(7 * day - 60_000);
    check_everyone(&app, &c, "closed 6 days 23:59 ago", id, &claimer_and_staff).await;
    app.clock.advance_ms(120_000);
    check_everyone(&app, &c, "closed 7 days 1 minute ago", id, &staff).await;
}

both_engines!(a_released_claim_shows_nothing_more, released_claim);
async fn released_claim(app: TestApp) {
    let c = Community::seed(&app).await;
    let id = app.wish(&c.owner, "陪我去医院").await["id"].as_i64().unwrap();
    let claimed = app.act(&c.volunteer2, id, "claim", None).await.expect(200);
    assert_eq!(claimed["resident"]["contact_visible"], true);
    let released = app
        .act(&c.volunteer2, id, "release", Some(json!({ "reason": "临时有事" })))
        .await;
    assert_eq!(released.status, 200, "{}", released.text);
    assert_eq!(released.body["resident"]["phone"], MASKED);
    assert_no_contact(&c, "release answer to the former claimer", &released);
    let answers = read_all(&app, &c, &c.volunteer2, id).await;
    assert_sees(&c, "former claimer", &answers, id, false);
}

both_engines!(a_shorter_window_is_honoured, short_window, |s| {
    s.wishes.contact_visible_after_close = microwish_core::config::ConfigDuration(std::time::Duration::from_secs(3600))
});
async fn short_window(app: TestApp) {
    let c = Community::seed(&app).await;
    let id = app.wish(&c.owner, "帮忙修门锁").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, id, "claim", None).await.expect(200);
    app.act(&c.volunteer, id, "fulfil", Some(json!({ "note": "修好了" })))
        .await
        .expect(200);
    app.act(&c.owner, id, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);
    let path = format!("/api/v1/wishes/{id}");
    assert_eq!(
        app.get(&path, &c.volunteer.token).await.expect(200)["resident"]["phone"],
        OWNER_PHONE
    );
    app.clock.advance_ms(3_600_000 - 1_000);
    assert_eq!(
        app.get(&path, &c.volunteer.token).await.expect(200)["resident"]["phone"],
        OWNER_PHONE
    );
    app.clock.advance_ms(2_000);
    let late = app.get(&path, &c.volunteer.token).await;
    assert_eq!(late.body["resident"]["phone"], MASKED, "{}", late.text);
    assert_no_contact(&c, "after the window", &late);
}

/// Rows of `contact_views` for this viewer and wish.
async fn reveals(app: &TestApp, viewer: &TestUser, wish_id: i64) -> i64 {
    app.audit_rows("contact_views", viewer, wish_id).await
}

both_engines!(reveals_are_audited, reveal_audit);
async fn reveal_audit(app: TestApp) {
    let c = Community::seed(&app).await;
    let id = app.wish(&c.owner, "帮忙买菜").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/wishes/{id}");
    // Posting showed the owner their own details: not a reveal.
    assert_eq!(app.count("contact_views").await, 0);

    // The resident reading their own wish, and bystanders seeing masked details: no rows.
    app.get(&path, &c.owner.token).await.expect(200);
    app.get("/api/v1/wishes", &c.owner.token).await.expect(200);
    app.get(&path, &c.other_resident.token).await.expect(200);
    app.get(&path, &c.volunteer.token).await.expect(200);
    app.get("/api/v1/wishes", &c.leader_b.token).await.expect(200);
    assert_eq!(app.count("contact_views").await, 0);

    // The claimer: the claim answer itself is a reveal, and so is each read.
    app.act(&c.volunteer, id, "claim", None).await.expect(200);
    assert_eq!(reveals(&app, &c.volunteer, id).await, 1);
    app.get(&path, &c.volunteer.token).await.expect(200);
    assert_eq!(reveals(&app, &c.volunteer, id).await, 2);
    app.get("/api/v1/wishes?mine=true", &c.volunteer.token)
        .await
        .expect(200);
    assert_eq!(reveals(&app, &c.volunteer, id).await, 3);
    // The timeline carries no contact details: nothing to audit.
    app.get(&format!("{path}/timeline"), &c.volunteer.token)
        .await
        .expect(200);
    assert_eq!(reveals(&app, &c.volunteer, id).await, 3);

    // Staff reads are reveals too.
    app.get(&path, &c.leader_a.token).await.expect(200);
    app.get(&path, &c.admin.token).await.expect(200);
    assert_eq!(reveals(&app, &c.leader_a, id).await, 1);
    assert_eq!(reveals(&app, &c.admin, id).await, 1);

    // Still nothing for the owner or bystanders.
    app.get(&path, &c.owner.token).await.expect(200);
    app.get(&path, &c.volunteer2.token).await.expect(200);
    for who in [&c.owner, &c.volunteer2, &c.other_resident, &c.leader_b] {
        assert_eq!(reveals(&app, who, id).await, 0, "user {}", who.openid);
    }
    assert_eq!(app.count("contact_views").await, 5);
    // The rows name the resident whose details were shown.
    use sqlx::Row;
    let residents: Vec<i64> = sqlx::query("SELECT resident_id FROM contact_views")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(residents.iter().all(|r| *r == c.owner.id), "{residents:?}");
}

both_engines!(consent_notes_stay_with_those_who_see_contacts, consent_note_privacy);
async fn consent_note_privacy(app: TestApp) {
    let c = Community::seed(&app).await;
    let consent = "电话征得本人同意（女儿代接）";
    let body = json!({
        "title": "代王奶奶发：修水龙头", "description": "", "category": "repair",
        "on_behalf_of": c.owner.id, "consent_note": consent,
    });
    let posted = app.post("/api/v1/wishes", &c.leader_a.token, body).await.expect(201);
    let id = posted["id"].as_i64().unwrap();
    assert_eq!(posted["consent_note"], consent);
    // The wish hides the consent note from those who may not see the contact details...
    let seen = app
        .get(&format!("/api/v1/wishes/{id}"), &c.other_resident.token)
        .await
        .expect(200);
    assert!(seen["consent_note"].is_null(), "{seen}");
    // ...and so must its timeline, which they may also read.
    for viewer in [&c.other_resident, &c.volunteer, &c.leader_b] {
        let timeline = app.get(&format!("/api/v1/wishes/{id}/timeline"), &viewer.token).await;
        assert_eq!(timeline.status, 200);
        assert!(
            !timeline.text.contains(consent),
            "the timeline shows user {} the consent note: {}",
            viewer.openid,
            timeline.text
        );
    }
    // Those who may see the contact details still read it, on the wish.
    for viewer in [&c.owner, &c.leader_a, &c.admin] {
        let wish = app
            .get(&format!("/api/v1/wishes/{id}"), &viewer.token)
            .await
            .expect(200);
        assert_eq!(wish["consent_note"], consent, "user {}", viewer.openid);
    }
}
