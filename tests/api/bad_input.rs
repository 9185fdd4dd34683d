//! Bad input, table-driven: malformed JSON, wrong content types, missing, unknown and mistyped
//! fields, oversized text and bodies, bad ids and query parameters, wrong states, bad tokens,
//! bad profile and admin bodies. Every answer must be a 4xx with a JSON `{"code", "message"}`
//! (never a 5xx), with the status and code asserted row by row, and nothing half-written: the
//! wishes, timeline and notification tables are unchanged afterwards. Then the round trip of
//! awkward but valid text: Chinese, emoji, quotes, backslashes and SQL-looking strings come back
//! byte-exact.

use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{Answer, Community, TestApp, TestUser};

/// What a row sends as its body.
#[derive(Debug, Clone)]
enum Body {
    /// No body at all.
    None,
    /// A JSON value, sent as `application/json`.
    Json(Value),
    /// Raw bytes with this content type.
    Raw(&'static str, String),
}

/// Who sends a row.
#[derive(Debug, Clone)]
enum Auth {
    User(TestUser),
    NoToken,
    /// An `Authorization` header sent verbatim.
    Header(&'static str),
    /// A bearer token that is not (or no longer) a session.
    Token(String),
}

/// One bad request and what it must get.
struct Row {
    label: String,
    method: &'static str,
    path: String,
    auth: Auth,
    body: Body,
    status: u16,
    /// The expected error code; None where only "some 4xx with a code" is promised.
    code: Option<&'static str>,
}

fn row(
    label: impl Into<String>,
    method: &'static str,
    path: impl Into<String>,
    auth: &Auth,
    body: Body,
    status: u16,
    code: Option<&'static str>,
) -> Row {
    Row {
        label: label.into(),
        method,
        path: path.into(),
        auth: auth.clone(),
        body,
        status,
        code,
    }
}

async fn send(app: &TestApp, r: &Row) -> Result<Answer, reqwest::Error> {
    let method = reqwest::Method::from_bytes(r.method.as_bytes()).unwrap();
    let mut req = app.client.request(method, format!("{}{}", app.base, r.path));
    req = match &r.auth {
        Auth::User(u) => req.bearer_auth(&u.token),
        Auth::Token(t) => req.bearer_auth(t),
        Auth::Header(h) => req.header("authorization", *h),
        Auth::NoToken => req,
    };
    req = match &r.body {
        Body::None => req,
        Body::Json(v) => req.json(v),
        Body::Raw(content_type, text) => req.header("content-type", *content_type).body(text.clone()),
    };
    if matches!(&r.body, Body::Raw(_, text) if text.len() > 65_536) {
        req = req.header("connection", "close");
    }
    let resp = req.send().await?;
    let status = resp.status();
    let text = resp.text().await?;
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok(Answer { status, body, text })
}

/// Runs the rows; returns every deviation from "4xx, JSON code and message, as expected".
async fn run(app: &TestApp, rows: &[Row]) -> Vec<String> {
    let mut failures = Vec::new();
    for r in rows {
        let what = format!(
            "{} ({} {})",
            r.label,
            r.method,
            r.path.chars().take(80).collect::<String>()
        );
        let answer = match send(app, r).await {
            Ok(answer) => answer,
            Err(e) => {
                failures.push(format!("{what}: no answer: {e:?}"));
                continue;
            }
        };
        let status = answer.status.as_u16();
        let code = answer.body["code"].as_str().unwrap_or("");
        let message = answer.body["message"].as_str().unwrap_or("");
        let shown: String = answer.text.chars().take(300).collect();
        let what = format!(
            "{} ({} {})",
            r.label,
            r.method,
            r.path.chars().take(80).collect::<String>()
        );
        if !(400..500).contains(&status) {
            failures.push(format!("{what}: not a 4xx: {status} {shown}"));
        } else if code.is_empty() || message.is_empty() {
            failures.push(format!("{what}: no JSON code and message: {status} {shown}"));
        } else if status != r.status || r.code.is_some_and(|c| c != code) {
            failures.push(format!(
                "{what}: expected {} {}, got {status} {code}: {shown}",
                r.status,
                r.code.unwrap_or("(any code)")
            ));
        }
    }
    failures
}

/// The wish body that is fine, to spoil one field at a time.
fn good_wish() -> Value {
    json!({ "title": "帮忙买药", "description": "降压药两盒", "category": "medicine" })
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

fn without(mut base: Value, key: &str) -> Value {
    base.as_object_mut().unwrap().remove(key);
    base
}

/// A JSON wish body of exactly `bytes` bytes (ASCII padding in the title).
fn wish_body_of_size(bytes: usize) -> String {
    let skeleton = r#"{"title":"","description":"","category":"errand"}"#;
    let title = "a".repeat(bytes - skeleton.len());
    let body = format!(r#"{{"title":"{title}","description":"","category":"errand"}}"#);
    assert_eq!(body.len(), bytes);
    body
}

async fn counts(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for table in [
        "wishes",
        "wish_timeline",
        "notifications",
        "grids",
        "user_roles",
        "contact_views",
    ] {
        out.push((table, app.count(table).await));
    }
    out
}

both_engines!(bad_input_gets_a_4xx_and_changes_nothing, bad_input);
async fn bad_input(app: TestApp) {
    let c = Community::seed(&app).await;
    let limit = 65_536; // server.body_limit_bytes

    // Wishes in every state the rows need.
    let open = app.wish(&c.owner, "开着的心愿").await["id"].as_i64().unwrap();
    let claimed = app.wish(&c.owner, "被认领的心愿").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, claimed, "claim", None).await.expect(200);
    let fulfilled = app.wish(&c.owner, "已完成的心愿").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, fulfilled, "claim", None).await.expect(200);
    app.act(&c.volunteer, fulfilled, "fulfil", Some(json!({ "note": "好了" })))
        .await
        .expect(200);
    let closed = app.wish(&c.owner, "已关闭的心愿").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, closed, "claim", None).await.expect(200);
    app.act(&c.volunteer, closed, "fulfil", Some(json!({ "note": "好了" })))
        .await
        .expect(200);
    app.act(&c.owner, closed, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);

    // Controls: the limits that rows below exceed by one are themselves accepted.
    let body = with(good_wish(), "title", json!("修".repeat(40)));
    app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
    let body = with(good_wish(), "description", json!("x".repeat(1000)));
    app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
    let me_before = app.get("/api/v1/me", &c.owner.token).await.expect(200);
    let before = counts(&app).await;

    let owner = Auth::User(c.owner.clone());
    let vol2 = Auth::User(c.volunteer2.clone());
    let leader = Auth::User(c.leader_a.clone());
    let admin = Auth::User(c.admin.clone());
    let json_ct = "application/json";
    let w = "/api/v1/wishes";
    let good = good_wish;
    let j = Body::Json;
    let raw = |ct: &'static str, text: &str| Body::Raw(ct, text.to_string());
    let long_ascii = "a".repeat(20_000);
    let bad = Some("invalid_field");
    let malformed = Some("malformed");

    #[rustfmt::skip]
    let rows = vec![
        // Malformed bodies and content types.
        row("truncated JSON", "POST", w, &owner, raw(json_ct, r#"{"title": "x","#), 400, malformed),
        row("not JSON at all", "POST", w, &owner, raw(json_ct, "title=x"), 400, malformed),
        row("trailing garbage", "POST", w, &owner, raw(json_ct, r#"{"title":"x","description":"","category":"errand"} }"#), 400, malformed),
        row("JSON array", "POST", w, &owner, j(json!([good()])), 400, malformed),
        row("JSON null", "POST", w, &owner, j(Value::Null), 400, malformed),
        row("JSON string", "POST", w, &owner, j(json!("帮忙买药")), 400, malformed),
        row("empty body", "POST", w, &owner, Body::None, 400, malformed),
        row("invalid UTF-8 escape", "POST", w, &owner, raw(json_ct, r#"{"title":"\ud800","description":"","category":"errand"}"#), 400, None),
        row("text/plain", "POST", w, &owner, raw("text/plain", &good().to_string()), 415, Some("unsupported_media_type")),
        row("form-urlencoded", "POST", w, &owner, raw("application/x-www-form-urlencoded", "title=x&description=y&category=errand"), 415, Some("unsupported_media_type")),
        row("xml", "POST", format!("{w}/{open}/reject"), &leader, raw("application/xml", "<reason>x</reason>"), 415, Some("unsupported_media_type")),
        // Missing, unknown and mistyped fields (a number or boolean is no string: not converted).
        row("title is a number", "POST", w, &owner, j(with(good(), "title", json!(123))), 400, malformed),
        row("empty object", "POST", w, &owner, j(json!({})), 400, malformed),
        row("no title", "POST", w, &owner, j(without(good(), "title")), 400, malformed),
        row("no category", "POST", w, &owner, j(without(good(), "category")), 400, malformed),
        row("no description", "POST", w, &owner, j(without(good(), "description")), 400, malformed),
        row("unknown field", "POST", w, &owner, j(with(good(), "colour", json!("red"))), 400, malformed),
        row("title is null", "POST", w, &owner, j(with(good(), "title", Value::Null)), 400, malformed),
        row("title is an array", "POST", w, &owner, j(with(good(), "title", json!(["a"]))), 400, malformed),
        row("urgency is a bool", "POST", w, &owner, j(with(good(), "urgency", json!(true))), 400, malformed),
        row("on_behalf_of is a string", "POST", w, &leader, j(with(good(), "on_behalf_of", json!("abc"))), 400, malformed),
        row("on_behalf_of is a float", "POST", w, &leader, j(with(good(), "on_behalf_of", json!(1.5))), 400, malformed),
        row("on_behalf_of overflows", "POST", w, &leader, raw(json_ct, r#"{"title":"x","description":"","category":"errand","on_behalf_of":99999999999999999999}"#), 400, malformed),
        // Field values.
        row("title of 20,000 characters", "POST", w, &owner, j(with(good(), "title", json!(long_ascii))), 422, bad),
        row("description of 20,000 characters", "POST", w, &owner, j(with(good(), "description", json!(long_ascii))), 422, bad),
        row("body exactly at the limit", "POST", w, &owner, raw(json_ct, &wish_body_of_size(limit)), 422, bad),
        row("body one byte over the limit", "POST", w, &owner, raw(json_ct, &wish_body_of_size(limit + 1)), 413, Some("too_large")),
        row("body far over the limit", "POST", w, &owner, raw(json_ct, &wish_body_of_size(10 * limit)), 413, Some("too_large")),
        row("over the limit on a GET", "GET", w, &owner, raw(json_ct, &wish_body_of_size(limit + 1)), 413, Some("too_large")),
        row("empty title", "POST", w, &owner, j(with(good(), "title", json!(""))), 422, bad),
        row("blank title", "POST", w, &owner, j(with(good(), "title", json!(" \t\n "))), 422, bad),
        row("title of 41 Chinese characters", "POST", w, &owner, j(with(good(), "title", json!("修".repeat(41)))), 422, bad),
        row("description of 1,001 characters", "POST", w, &owner, j(with(good(), "description", json!("描".repeat(1001)))), 422, bad),
        row("NUL in the title", "POST", w, &owner, j(with(good(), "title", json!("a\u{0}b"))), 422, bad),
        row("escape character in the description", "POST", w, &owner, j(with(good(), "description", json!("a\u{1b}[31m"))), 422, bad),
        row("unknown category", "POST", w, &owner, j(with(good(), "category", json!("flying"))), 422, Some("unknown_category")),
        row("category with NUL", "POST", w, &owner, j(with(good(), "category", json!("a\u{0}b"))), 422, Some("unknown_category")),
        row("empty category", "POST", w, &owner, j(with(good(), "category", json!(""))), 422, Some("unknown_category")),
        row("category differs in case", "POST", w, &owner, j(with(good(), "category", json!("Errand"))), 422, Some("unknown_category")),
        row("bad urgency", "POST", w, &owner, j(with(good(), "urgency", json!("very"))), 422, bad),
        row("due_at in the past", "POST", w, &owner, j(with(good(), "due_at", json!("2020-01-01T08:00:00+08:00"))), 422, bad),
        row("due_at not RFC 3339", "POST", w, &owner, j(with(good(), "due_at", json!("明天下午"))), 422, bad),
        row("due_at without a zone", "POST", w, &owner, j(with(good(), "due_at", json!("2099-01-01T08:00:00"))), 422, bad),
        row("due_at month 13", "POST", w, &owner, j(with(good(), "due_at", json!("2099-13-01T08:00:00Z"))), 422, bad),
        row("due_at is a number", "POST", w, &owner, j(with(good(), "due_at", json!(4_102_444_800_i64))), 400, malformed),
        row("on behalf of nobody", "POST", w, &leader, j(with(with(good(), "on_behalf_of", json!(999_999)), "consent_note", json!("电话同意"))), 403, Some("not_permitted")),
        row("on behalf of i64::MAX", "POST", w, &leader, j(with(with(good(), "on_behalf_of", json!(i64::MAX)), "consent_note", json!("电话同意"))), 403, Some("not_permitted")),
        row("admin on behalf of nobody", "POST", w, &admin, j(with(with(good(), "on_behalf_of", json!(999_999)), "consent_note", json!("电话同意"))), 422, Some("unknown_user")),
        row("on behalf without consent", "POST", w, &leader, j(with(good(), "on_behalf_of", json!(c.owner.id))), 422, Some("consent_required")),
        row("consent note of 501 characters", "POST", w, &leader, j(with(with(good(), "on_behalf_of", json!(c.owner.id)), "consent_note", json!("同".repeat(501)))), 422, bad),
        // Unknown wishes, and ids that are not ids.
        row("unknown wish", "GET", format!("{w}/999999"), &owner, Body::None, 404, Some("not_found")),
        row("unknown wish's timeline", "GET", format!("{w}/999999/timeline"), &owner, Body::None, 404, Some("not_found")),
        row("wish 0", "GET", format!("{w}/0"), &owner, Body::None, 404, Some("not_found")),
        row("negative wish id", "GET", format!("{w}/-1"), &owner, Body::None, 404, Some("not_found")),
        row("wish i64::MAX", "GET", format!("{w}/{}", i64::MAX), &owner, Body::None, 404, Some("not_found")),
        row("claim an unknown wish", "POST", format!("{w}/999999/claim"), &vol2, Body::None, 404, Some("not_found")),
        row("cancel an unknown wish", "POST", format!("{w}/999999/cancel"), &owner, Body::None, 404, Some("not_found")),
        row("confirm an unknown wish", "POST", format!("{w}/999999/confirm"), &owner, j(json!({ "rating": 5 })), 404, Some("not_found")),
        row("id is a word", "GET", format!("{w}/abc"), &owner, Body::None, 400, None),
        row("id is a float", "GET", format!("{w}/1.5"), &owner, Body::None, 400, None),
        row("id overflows", "GET", format!("{w}/99999999999999999999"), &owner, Body::None, 400, None),
        row("id is SQL", "GET", format!("{w}/1%20OR%201=1"), &owner, Body::None, 400, None),
        row("timeline of a word", "GET", format!("{w}/abc/timeline"), &owner, Body::None, 400, None),
        row("claim a word", "POST", format!("{w}/abc/claim"), &vol2, Body::None, 400, None),
        row("unknown action", "POST", format!("{w}/{open}/teleport"), &owner, Body::None, 404, Some("not_found")),
        row("wrong method", "DELETE", format!("{w}/{open}"), &owner, Body::None, 405, Some("method_not_allowed")),
        // Transitions from the wrong state.
        row("approve an open wish", "POST", format!("{w}/{open}/approve"), &leader, Body::None, 409, Some("invalid_transition")),
        row("release an open wish", "POST", format!("{w}/{open}/release"), &leader, j(json!({ "reason": "x" })), 409, Some("invalid_transition")),
        row("fulfil an open wish", "POST", format!("{w}/{open}/fulfil"), &leader, j(json!({ "note": "x" })), 409, Some("invalid_transition")),
        row("confirm an open wish", "POST", format!("{w}/{open}/confirm"), &owner, j(json!({ "rating": 5 })), 409, Some("invalid_transition")),
        row("claim a claimed wish", "POST", format!("{w}/{claimed}/claim"), &vol2, Body::None, 409, Some("claim_lost")),
        row("assign a claimed wish", "POST", format!("{w}/{claimed}/assign"), &leader, j(json!({ "volunteer_id": c.volunteer2.id })), 409, Some("invalid_transition")),
        row("confirm a claimed wish", "POST", format!("{w}/{claimed}/confirm"), &owner, j(json!({ "rating": 5 })), 409, Some("invalid_transition")),
        row("cancel a fulfilled wish", "POST", format!("{w}/{fulfilled}/cancel"), &owner, Body::None, 409, Some("invalid_transition")),
        row("reject a fulfilled wish", "POST", format!("{w}/{fulfilled}/reject"), &leader, j(json!({ "reason": "x" })), 409, Some("invalid_transition")),
        row("cancel a closed wish", "POST", format!("{w}/{closed}/cancel"), &owner, j(json!({ "reason": "x" })), 409, Some("invalid_transition")),
        row("confirm a closed wish again", "POST", format!("{w}/{closed}/confirm"), &owner, j(json!({ "rating": 5 })), 409, Some("invalid_transition")),
        // Action bodies.
        row("rating 0", "POST", format!("{w}/{fulfilled}/confirm"), &owner, j(json!({ "rating": 0 })), 422, bad),
        row("rating 6", "POST", format!("{w}/{fulfilled}/confirm"), &owner, j(json!({ "rating": 6 })), 422, bad),
        row("rating -1", "POST", format!("{w}/{fulfilled}/confirm"), &owner, j(json!({ "rating": -1 })), 422, bad),
        row("rating i64::MAX", "POST", format!("{w}/{fulfilled}/confirm"), &owner, j(json!({ "rating": i64::MAX })), 422, bad),
        row("rating \"five\"", "POST", format!("{w}/{fulfilled}/confirm"), &owner, j(json!({ "rating": "five" })), 400, malformed),
        row("rating \"5\"", "POST", format!("{w}/{fulfilled}/confirm"), &owner, j(json!({ "rating": "5" })), 400, malformed),
        row("rating 4.5", "POST", format!("{w}/{fulfilled}/confirm"), &owner, j(json!({ "rating": 4.5 })), 400, malformed),
        row("rating missing", "POST", format!("{w}/{fulfilled}/confirm"), &owner, j(json!({ "comment": "好" })), 400, malformed),
        row("no confirm body", "POST", format!("{w}/{fulfilled}/confirm"), &owner, Body::None, 400, malformed),
        row("comment of 501 characters", "POST", format!("{w}/{fulfilled}/confirm"), &owner, j(json!({ "rating": 5, "comment": "好".repeat(501) })), 422, bad),
        row("reject without a reason", "POST", format!("{w}/{open}/reject"), &leader, j(json!({})), 400, malformed),
        row("reject with an empty reason", "POST", format!("{w}/{open}/reject"), &leader, j(json!({ "reason": "" })), 422, bad),
        row("reject with a blank reason", "POST", format!("{w}/{open}/reject"), &leader, j(json!({ "reason": "   " })), 422, bad),
        row("release with an empty reason", "POST", format!("{w}/{claimed}/release"), &leader, j(json!({ "reason": "" })), 422, bad),
        row("release with a 501-character reason", "POST", format!("{w}/{claimed}/release"), &leader, j(json!({ "reason": "因".repeat(501) })), 422, bad),
        row("fulfil without a note field", "POST", format!("{w}/{claimed}/fulfil"), &leader, j(json!({})), 400, malformed),
        row("fulfil with a number note", "POST", format!("{w}/{claimed}/fulfil"), &leader, j(json!({ "note": 5 })), 400, malformed),
        row("fulfil with an object note", "POST", format!("{w}/{claimed}/fulfil"), &leader, j(json!({ "note": { "text": "x" } })), 400, malformed),
        row("cancel with an unknown field", "POST", format!("{w}/{open}/cancel"), &owner, j(json!({ "why": "x" })), 400, malformed),
        row("cancel with a 501-character reason", "POST", format!("{w}/{open}/cancel"), &owner, j(json!({ "reason": "不".repeat(501) })), 422, bad),
        row("assign without volunteer", "POST", format!("{w}/{open}/assign"), &leader, j(json!({})), 400, malformed),
        row("assign volunteer \"abc\"", "POST", format!("{w}/{open}/assign"), &leader, j(json!({ "volunteer_id": "abc" })), 400, malformed),
        row("assign a non-volunteer", "POST", format!("{w}/{open}/assign"), &leader, j(json!({ "volunteer_id": c.other_resident.id })), 422, Some("not_a_volunteer")),
        row("assign an unknown user", "POST", format!("{w}/{open}/assign"), &leader, j(json!({ "volunteer_id": 999_999 })), 422, Some("not_a_volunteer")),
        row("assign the resident", "POST", format!("{w}/{open}/assign"), &leader, j(json!({ "volunteer_id": c.owner.id })), 422, Some("not_a_volunteer")),
        // Tokens.
        row("no token", "GET", w, &Auth::NoToken, Body::None, 401, Some("unauthenticated")),
        row("garbage token", "GET", w, &Auth::Token("garbage".into()), Body::None, 401, Some("unauthenticated")),
        row("unknown 64-hex token", "GET", w, &Auth::Token("ab".repeat(32)), Body::None, 401, Some("unauthenticated")),
        row("non-ASCII token", "GET", w, &Auth::Token("令牌".repeat(16)), Body::None, 401, Some("unauthenticated")),
        row("Basic scheme", "GET", w, &Auth::Header("Basic b3duZXI6c2VjcmV0"), Body::None, 401, Some("unauthenticated")),
        row("empty bearer", "GET", w, &Auth::Header("Bearer "), Body::None, 401, Some("unauthenticated")),
        row("bare token without scheme", "GET", w, &Auth::Header("abcdef"), Body::None, 401, Some("unauthenticated")),
        row("garbage token on a post", "POST", w, &Auth::Token("garbage".into()), j(good()), 401, Some("unauthenticated")),
        row("garbage token on an action", "POST", format!("{w}/{open}/claim"), &Auth::Token("garbage".into()), Body::None, 401, Some("unauthenticated")),
        // Query parameters of GET /wishes.
        row("status=nope", "GET", format!("{w}?status=nope"), &owner, Body::None, 422, bad),
        row("status empty", "GET", format!("{w}?status="), &owner, Body::None, 422, bad),
        row("limit=0", "GET", format!("{w}?limit=0"), &owner, Body::None, 422, bad),
        row("limit=101", "GET", format!("{w}?limit=101"), &owner, Body::None, 422, bad),
        row("limit=1000", "GET", format!("{w}?limit=1000"), &owner, Body::None, 422, bad),
        row("limit=-5", "GET", format!("{w}?limit=-5"), &owner, Body::None, 422, bad),
        row("limit=abc", "GET", format!("{w}?limit=abc"), &owner, Body::None, 400, None),
        row("limit overflows", "GET", format!("{w}?limit=99999999999999999999"), &owner, Body::None, 400, None),
        row("cursor=abc", "GET", format!("{w}?cursor=abc"), &owner, Body::None, 422, Some("invalid_cursor")),
        row("cursor=0", "GET", format!("{w}?cursor=0"), &owner, Body::None, 422, Some("invalid_cursor")),
        row("cursor=-3", "GET", format!("{w}?cursor=-3"), &owner, Body::None, 422, Some("invalid_cursor")),
        row("cursor is SQL", "GET", format!("{w}?cursor=1%20OR%201%3D1"), &owner, Body::None, 422, Some("invalid_cursor")),
        row("grid_id=abc", "GET", format!("{w}?grid_id=abc"), &owner, Body::None, 400, None),
        row("mine=maybe", "GET", format!("{w}?mine=maybe"), &owner, Body::None, 400, None),
        // Profile updates.
        row("phone too short", "PUT", "/api/v1/me", &owner, j(json!({ "phone": "12345" })), 422, bad),
        row("phone with letters", "PUT", "/api/v1/me", &owner, j(json!({ "phone": "138abcd5678" })), 422, bad),
        row("landline", "PUT", "/api/v1/me", &owner, j(json!({ "phone": "010-12345678" })), 422, bad),
        row("phone is a number", "PUT", "/api/v1/me", &owner, j(json!({ "phone": 13812345678_i64 })), 400, malformed),
        row("reason is a bool", "POST", format!("{w}/{open}/cancel"), &owner, j(json!({ "reason": false })), 400, malformed),
        row("phone is an array", "PUT", "/api/v1/me", &owner, j(json!({ "phone": ["13812345678"] })), 400, malformed),
        row("email without @", "PUT", "/api/v1/me", &owner, j(json!({ "email": "not-an-email" })), 422, bad),
        row("email with a space", "PUT", "/api/v1/me", &owner, j(json!({ "email": "wang nainai@example.com" })), 422, bad),
        row("unknown grid", "PUT", "/api/v1/me", &owner, j(json!({ "grid_id": 999_999 })), 422, Some("unknown_grid")),
        row("grid i64::MAX", "PUT", "/api/v1/me", &owner, j(json!({ "grid_id": i64::MAX })), 422, Some("unknown_grid")),
        row("grid is a word", "PUT", "/api/v1/me", &owner, j(json!({ "grid_id": "第一网格" })), 400, malformed),
        row("empty display name", "PUT", "/api/v1/me", &owner, j(json!({ "display_name": "" })), 422, bad),
        row("display name of 33 characters", "PUT", "/api/v1/me", &owner, j(json!({ "display_name": "王".repeat(33) })), 422, bad),
        row("address of 121 characters", "PUT", "/api/v1/me", &owner, j(json!({ "address": "址".repeat(121) })), 422, bad),
        row("unknown profile field", "PUT", "/api/v1/me", &owner, j(json!({ "nickname": "王" })), 400, malformed),
        row("valid name, bad phone: nothing applied", "PUT", "/api/v1/me", &owner, j(json!({ "display_name": "改名了", "phone": "1" })), 422, bad),
        row("unknown language", "PUT", "/api/v1/me", &owner, j(json!({ "language": "fr" })), 422, bad),
        row("language of another case", "PUT", "/api/v1/me", &owner, j(json!({ "language": "ZH-cn" })), 422, bad),
        row("language is a number", "PUT", "/api/v1/me", &owner, j(json!({ "language": 1 })), 400, malformed),
        row("valid name, bad language: nothing applied", "PUT", "/api/v1/me", &owner, j(json!({ "display_name": "改名了", "language": "klingon" })), 422, bad),
        // Events and the calendar feed.
        row("events scope=all", "GET", "/api/v1/events?scope=all", &owner, Body::None, 422, bad),
        row("events limit=0", "GET", "/api/v1/events?limit=0", &owner, Body::None, 422, bad),
        row("events limit=1000", "GET", "/api/v1/events?limit=1000", &owner, Body::None, 422, bad),
        row("events limit is a word", "GET", "/api/v1/events?limit=ten", &owner, Body::None, 400, None),
        row("registrants of a word", "GET", "/api/v1/events/abc/registrants", &admin, Body::None, 400, None),
        row("registrants of no event", "GET", "/api/v1/events/999999/registrants", &admin, Body::None, 404, Some("not_found")),
        row("a resident's registrants", "GET", "/api/v1/events/999999/registrants", &owner, Body::None, 403, Some("not_permitted")),
        row("calendar feed of no token", "GET", "/calendar/0000000000000000000000000000000000000000000000000000000000000000.ics", &Auth::NoToken, Body::None, 404, Some("not_found")),
        row("calendar feed without .ics", "GET", "/calendar/feed", &Auth::NoToken, Body::None, 404, Some("not_found")),
        row("calendar feed without a token", "POST", "/api/v1/me/calendar", &Auth::NoToken, Body::None, 401, Some("unauthenticated")),
        row("subscriptions advice without a token", "GET", "/api/v1/me/subscriptions", &Auth::NoToken, Body::None, 401, Some("unauthenticated")),
        // Admin bodies.
        row("unknown role", "PUT", format!("/api/v1/admin/users/{}/roles", c.other_resident.id), &admin, j(json!({ "roles": ["superuser"] })), 422, bad),
        row("one good one unknown role", "PUT", format!("/api/v1/admin/users/{}/roles", c.other_resident.id), &admin, j(json!({ "roles": ["volunteer", "Admin"] })), 422, bad),
        row("roles is a string", "PUT", format!("/api/v1/admin/users/{}/roles", c.other_resident.id), &admin, j(json!({ "roles": "admin" })), 400, malformed),
        row("roles of an unknown user", "PUT", "/api/v1/admin/users/999999/roles", &admin, j(json!({ "roles": ["volunteer"] })), 404, Some("not_found")),
        row("roles of a word", "PUT", "/api/v1/admin/users/abc/roles", &admin, j(json!({ "roles": ["volunteer"] })), 400, None),
        row("duplicate grid name", "POST", "/api/v1/admin/grids", &admin, j(json!({ "name": "第一网格" })), 409, Some("grid_name_taken")),
        row("duplicate grid name with spaces", "POST", "/api/v1/admin/grids", &admin, j(json!({ "name": " 第一网格 " })), 409, Some("grid_name_taken")),
        row("duplicate name with a leader", "POST", "/api/v1/admin/grids", &admin, j(json!({ "name": "第一网格", "leader_user_id": c.other_resident.id })), 409, Some("grid_name_taken")),
        row("rename to a taken name", "PUT", format!("/api/v1/admin/grids/{}", c.grid_b), &admin, j(json!({ "name": "第一网格" })), 409, Some("grid_name_taken")),
        row("empty grid name", "POST", "/api/v1/admin/grids", &admin, j(json!({ "name": "" })), 422, bad),
        row("grid name of 41 characters", "POST", "/api/v1/admin/grids", &admin, j(json!({ "name": "网".repeat(41) })), 422, bad),
        row("grid led by nobody", "POST", "/api/v1/admin/grids", &admin, j(json!({ "name": "第九网格", "leader_user_id": 999_999 })), 422, Some("unknown_user")),
        row("bad robot key", "POST", "/api/v1/admin/grids", &admin, j(json!({ "name": "第九网格", "wecom_robot_key": "key with spaces!" })), 422, bad),
        row("update an unknown grid", "PUT", "/api/v1/admin/grids/999999", &admin, j(json!({ "name": "第九网格" })), 404, Some("not_found")),
        row("grid without a name", "POST", "/api/v1/admin/grids", &admin, j(json!({ "leader_user_id": c.leader_a.id })), 400, malformed),
        row("notifications status=bogus", "GET", "/api/v1/admin/notifications?status=bogus", &admin, Body::None, 422, bad),
        row("notifications limit=0", "GET", "/api/v1/admin/notifications?limit=0", &admin, Body::None, 422, bad),
        row("retry an unknown notification", "POST", "/api/v1/admin/notifications/999999/retry", &admin, Body::None, 404, Some("not_found")),
        row("retry a word", "POST", "/api/v1/admin/notifications/abc/retry", &admin, Body::None, 400, None),
    ];

    let mut failures = run(&app, &rows).await;

    // Nothing half-written.
    let after = counts(&app).await;
    if after != before {
        failures.push(format!("tables changed: before {before:?}, after {after:?}"));
    }
    let me_after = app.get("/api/v1/me", &c.owner.token).await.expect(200);
    if me_after != me_before {
        failures.push(format!("profile changed: {me_before} -> {me_after}"));
    }
    for (id, status) in [
        (open, "open"),
        (claimed, "claimed"),
        (fulfilled, "fulfilled"),
        (closed, "closed"),
    ] {
        let wish = app
            .get(&format!("/api/v1/wishes/{id}"), &c.owner.token)
            .await
            .expect(200);
        if wish["status"] != status {
            failures.push(format!("wish {id} is now {}, was {status}", wish["status"]));
        }
    }
    let grids = app.get("/api/v1/grids", &c.owner.token).await.expect(200);
    let names: Vec<&str> = grids
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    if names != ["第一网格", "第二网格"] {
        failures.push(format!("grids changed: {names:?}"));
    }

    // Expired sessions: the owner's session lasts 30 days (auth.session_ttl).
    app.clock.advance_ms(31 * 86_400_000);
    #[rustfmt::skip]
    let expired = vec![
        row("expired token", "GET", w, &owner, Body::None, 401, Some("unauthenticated")),
        row("expired token on /me", "GET", "/api/v1/me", &owner, Body::None, 401, Some("unauthenticated")),
        row("expired token on a post", "POST", w, &owner, j(good()), 401, Some("unauthenticated")),
        row("expired admin token", "GET", "/api/v1/admin/notifications", &admin, Body::None, 401, Some("unauthenticated")),
    ];
    failures.extend(run(&app, &expired).await);
    let after = counts(&app).await;
    if after != before {
        failures.push(format!(
            "tables changed by expired tokens: before {before:?}, after {after:?}"
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        rows.len() + expired.len(),
        failures.join("\n")
    );
    // Signing in again works.
    let again = app.login("owner").await;
    app.get("/api/v1/me", &again.token).await.expect(200);
}

/// Awkward but valid text, each at most 40 characters (a title) and without surrounding
/// whitespace (text is trimmed on the way in).
const AWKWARD: &[&str] = &[
    "王奶奶想要一台收音机",
    "👵🏻💊 需要买药 👨‍👩‍👧",
    r#"quotes ' " ` all three"#,
    r"back\slash \\ double \n not a newline",
    "'; DROP TABLE wishes; --",
    "Robert'); --",
    "1' OR '1'='1",
    "$1 $2 ? :name %s {} ${x}",
    "<script>alert('x')</script>",
    "e\u{301} vs é, 零宽\u{200B}空格",
    "tab\tinside and a\nnewline",
    "\\\"escaped\\\" '' \"\"",
];

fn notes_of(timeline: &Value) -> Vec<Option<String>> {
    timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["note"].as_str().map(str::to_string))
        .collect()
}

both_engines!(awkward_text_round_trips_byte_exact, round_trip);
async fn round_trip(app: TestApp) {
    let c = Community::seed(&app).await;
    for (i, text) in AWKWARD.iter().copied().enumerate() {
        let text = text.to_string();
        assert!(text.chars().count() <= 40, "{text}");
        let description = format!("{text}\n第二行：{text}\t（完）");
        let body = json!({ "title": text, "description": description, "category": "errand" });
        let posted = app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
        let id = posted["id"].as_i64().unwrap();
        assert_eq!(posted["title"].as_str(), Some(text.as_str()), "#{i} posted");
        let path = format!("/api/v1/wishes/{id}");

        // Release with it as the reason, fulfil with it as the note, confirm with it as comment.
        app.act(&c.volunteer, id, "claim", None).await.expect(200);
        let released = app
            .act(&c.volunteer, id, "release", Some(json!({ "reason": text })))
            .await
            .expect(200);
        assert_eq!(released["status_reason"].as_str(), Some(text.as_str()), "#{i} reason");
        app.act(&c.volunteer2, id, "claim", None).await.expect(200);
        app.act(&c.volunteer2, id, "fulfil", Some(json!({ "note": text })))
            .await
            .expect(200);
        app.act(&c.owner, id, "confirm", Some(json!({ "rating": 5, "comment": text })))
            .await
            .expect(200);

        let wish = app.get(&path, &c.other_resident.token).await.expect(200);
        assert_eq!(wish["title"].as_str(), Some(text.as_str()), "#{i} title");
        assert_eq!(
            wish["description"].as_str(),
            Some(description.as_str()),
            "#{i} description"
        );
        assert_eq!(wish["fulfil_note"].as_str(), Some(text.as_str()), "#{i} note");
        assert_eq!(wish["rating_comment"].as_str(), Some(text.as_str()), "#{i} comment");
        assert_eq!(
            wish["status_reason"].as_str(),
            Some(text.as_str()),
            "#{i} status reason"
        );

        let timeline = app.get(&format!("{path}/timeline"), &c.owner.token).await.expect(200);
        let t = Some(text.clone());
        assert_eq!(
            notes_of(&timeline),
            [None, None, t.clone(), None, t.clone(), t.clone()],
            "#{i} timeline"
        );

        // In a list too, and as a filter value it is just a value.
        let list = app.get("/api/v1/wishes?limit=1", &c.owner.token).await.expect(200);
        assert_eq!(list["items"][0]["title"].as_str(), Some(text.as_str()), "#{i} list");
        let req = app
            .client
            .get(format!("{}/api/v1/wishes", app.base))
            .bearer_auth(&c.owner.token)
            .query(&[("category", text.as_str())]);
        // Not a category code: finds nothing, or is refused as one (control characters).
        let filtered = app.send(req).await;
        let empty = filtered.status == 200 && filtered.body["items"] == json!([]);
        let refused = filtered.status == 422 && filtered.body["code"] == "invalid_field";
        assert!(
            empty || refused,
            "#{i} category filter: {} {}",
            filtered.status,
            filtered.text
        );
    }

    // Reject and cancel reasons, on wishes of their own.
    for text in ["'; DROP TABLE wish_timeline; --", "拒绝理由 \"引号\" 👵🏻"] {
        let body = json!({ "title": "需要帮忙", "description": "这里有待审词", "category": "errand" });
        let held = app.post("/api/v1/wishes", &c.owner.token, body).await.expect(201);
        let id = held["id"].as_i64().unwrap();
        let rejected = app
            .act(&c.leader_a, id, "reject", Some(json!({ "reason": text })))
            .await
            .expect(200);
        assert_eq!(rejected["status_reason"].as_str(), Some(text));
        let id = app.wish(&c.owner, "取消的心愿").await["id"].as_i64().unwrap();
        app.act(&c.owner, id, "cancel", Some(json!({ "reason": text })))
            .await
            .expect(200);
        let wish = app
            .get(&format!("/api/v1/wishes/{id}"), &c.owner.token)
            .await
            .expect(200);
        assert_eq!(wish["status_reason"].as_str(), Some(text));
        let timeline = app
            .get(&format!("/api/v1/wishes/{id}/timeline"), &c.owner.token)
            .await
            .expect(200);
        assert_eq!(timeline[1]["note"].as_str(), Some(text));
    }

    // The tables the SQL-looking strings talk about are all still there.
    let expected = AWKWARD.len() as i64 + 4;
    assert_eq!(app.count("wishes").await, expected);
    assert_eq!(app.count("wish_timeline").await, AWKWARD.len() as i64 * 6 + 4 * 2);
}

both_engines!(odd_filter_values_never_fail_the_server, odd_filters);
async fn odd_filters(app: TestApp) {
    let c = Community::seed(&app).await;
    app.wish(&c.owner, "帮忙买菜").await;
    let long = "x".repeat(5_000);
    let queries = [
        "category=a%00b".to_string(),
        "category=%00".to_string(),
        "category=%FF%FE".to_string(),
        "status=%00".to_string(),
        "category=%27%3B%20DROP%20TABLE%20wishes%3B%20--".to_string(),
        format!("category={long}"),
        "category=errand%00".to_string(),
    ];
    let mut failures = Vec::new();
    for query in &queries {
        let answer = app.get(&format!("/api/v1/wishes?{query}"), &c.owner.token).await;
        // An unknown filter value finds nothing, or is refused; it never breaks the server.
        let empty = answer.status == 200 && answer.body["items"] == json!([]);
        let refused = answer.status.is_client_error()
            && answer.body["code"].as_str().is_some_and(|s| !s.is_empty())
            && answer.body["message"].as_str().is_some_and(|s| !s.is_empty());
        if !(empty || refused) {
            let shown: String = query.chars().take(60).collect();
            failures.push(format!("?{shown}: {} {}", answer.status, answer.text));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(app.count("wishes").await, 1);
}
