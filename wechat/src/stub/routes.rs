//! The stub's HTTP surface: WeChat's and WeCom's routes plus `/__stub/*` control routes for the demo.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use poem::web::{Data, Json, Query};
use poem::{Endpoint, EndpointExt, Route, get, handler, post};
use serde_json::{Value, json};

use super::state::{Outcome, StubState, random_id, refuse};

pub(crate) type Shared = Arc<Mutex<StubState>>;
type Params = Query<HashMap<String, String>>;

/// Locks the state; a panicking handler cannot leave it half-updated in a way tests care about.
pub(crate) fn lock(state: &Shared) -> MutexGuard<'_, StubState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every route of the stub, sharing `state`.
pub(crate) fn app(state: Shared) -> impl Endpoint {
    Route::new()
        .at("/sns/jscode2session", get(code2session))
        .at("/cgi-bin/token", get(classic_token))
        .at("/cgi-bin/stable_token", post(stable_token))
        .at("/wxa/msg_sec_check", post(msg_sec_check))
        .at("/wxa/business/getuserphonenumber", post(phone_number))
        .at("/cgi-bin/message/subscribe/send", post(subscribe_send))
        .at("/cgi-bin/webhook/send", post(robot_send))
        .at("/__stub/login_code", post(control_login_code))
        .at("/__stub/phone_code", post(control_phone_code))
        .at("/__stub/grant", post(control_grant))
        .at("/__stub/messages", get(control_messages))
        .data(state)
}

/// WeChat answers HTTP 200 either way; refusals carry `errcode` and a `rid:` suffix.
fn answer(outcome: Outcome) -> Json<Value> {
    Json(match outcome {
        Ok(body) => body,
        Err(refusal) => json!({
            "errcode": refusal.errcode,
            "errmsg": format!("{}, rid: {}", refusal.errmsg, random_id(16)),
        }),
    })
}

/// Bodies are parsed here rather than by poem's `Json`, so bad JSON gets WeChat's 47001, not a 400.
fn parse(body: &str) -> Outcome {
    serde_json::from_str(body).map_err(|_| refuse(47001, "data format error"))
}

/// Checks the access token, then runs `call` on the parsed body.
fn with_token(
    state: &Shared,
    params: &HashMap<String, String>,
    body: &str,
    call: impl FnOnce(&mut StubState, &Value) -> Outcome,
) -> Json<Value> {
    let mut state = lock(state);
    let outcome = state
        .check_token(params.get("access_token").map(String::as_str))
        .and_then(|()| parse(body))
        .and_then(|body| call(&mut state, &body));
    answer(outcome)
}

#[handler]
fn code2session(Data(state): Data<&Shared>, Query(params): Params) -> Json<Value> {
    answer(lock(state).code2session(&params))
}

#[handler]
fn classic_token(Data(state): Data<&Shared>, Query(params): Params) -> Json<Value> {
    let params = json!(params);
    answer(lock(state).issue_token(&params, false))
}

#[handler]
async fn stable_token(Data(state): Data<&Shared>, body: String) -> Json<Value> {
    // A slow token fetch lets tests pile concurrent callers up behind one refresh.
    let delay = lock(state).token_delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    answer(parse(&body).and_then(|params| lock(state).issue_token(&params, true)))
}

#[handler]
fn msg_sec_check(Data(state): Data<&Shared>, Query(params): Params, body: String) -> Json<Value> {
    with_token(state, &params, &body, StubState::msg_sec_check)
}

#[handler]
fn phone_number(Data(state): Data<&Shared>, Query(params): Params, body: String) -> Json<Value> {
    with_token(state, &params, &body, StubState::phone_number)
}

#[handler]
fn subscribe_send(Data(state): Data<&Shared>, Query(params): Params, body: String) -> Json<Value> {
    with_token(state, &params, &body, StubState::subscribe_send)
}

#[handler]
fn robot_send(Data(state): Data<&Shared>, Query(params): Params, body: String) -> Json<Value> {
    let key = params.get("key").map(String::as_str).unwrap_or("");
    answer(parse(&body).and_then(|body| lock(state).robot_send(key, &body)))
}

#[handler]
fn control_login_code(Data(state): Data<&Shared>, Json(body): Json<Value>) -> Json<Value> {
    let openid = body["openid"].as_str().map_or_else(|| random_id(28), str::to_owned);
    let code = lock(state).issue_login_code(&openid, None);
    Json(json!({ "code": code, "openid": openid }))
}

#[handler]
fn control_phone_code(Data(state): Data<&Shared>, Json(body): Json<Value>) -> Json<Value> {
    let phone = body["phone"].as_str().unwrap_or("13800138000");
    Json(json!({ "code": lock(state).issue_phone_code(phone) }))
}

#[handler]
fn control_grant(Data(state): Data<&Shared>, Json(body): Json<Value>) -> Json<Value> {
    let openid = body["openid"].as_str().unwrap_or("");
    let template_id = body["template_id"].as_str().unwrap_or("");
    let count = body["count"].as_u64().unwrap_or(1);
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    lock(state).grant_subscription(openid, template_id, count);
    Json(json!({ "errcode": 0, "errmsg": "ok" }))
}

#[handler]
fn control_messages(Data(state): Data<&Shared>) -> Json<Value> {
    let state = lock(state);
    let robot: serde_json::Map<String, Value> = state
        .robots
        .iter()
        .map(|(key, robot)| (key.clone(), json!(robot.messages)))
        .collect();
    Json(json!({ "subscribe": state.subscribe_log, "robot": robot }))
}
