//! The `/__stub/*` control routes a person drives with curl during the demo.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

async fn post(base: &str, path: &str, body: Value) -> Value {
    let url = format!("{base}{path}");
    let response = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
    response.json().await.unwrap()
}

#[tokio::test]
async fn login_and_phone_codes_come_from_control_routes() {
    let app = spawn_app();
    let base = app.stub.base_url();

    let login = post(&base, "/__stub/login_code", json!({ "openid": "o-demo" })).await;
    let phone = post(&base, "/__stub/phone_code", json!({ "phone": "13900000000" })).await;
    let session = app.mini.code2session(login["code"].as_str().unwrap()).await.unwrap();
    let info = app.mini.phone_number(phone["code"].as_str().unwrap()).await.unwrap();

    assert_eq!(session.openid, "o-demo");
    assert_eq!(info.phone_number, "13900000000");
}

#[tokio::test]
async fn messages_route_lists_what_was_sent() {
    let app = spawn_app();
    let base = app.stub.base_url();
    app.stub.register_template("T1", &["thing1"]);
    app.stub.register_robot("k1");
    let grant = json!({ "openid": "o-demo", "template_id": "T1", "count": 1 });
    post(&base, "/__stub/grant", grant).await;
    let msg = microwish_wechat::SubscribeMessage {
        touser: "o-demo".into(),
        template_id: "T1".into(),
        page: None,
        data: [("thing1".to_owned(), "hello".to_owned())].into(),
        miniprogram_state: Default::default(),
        lang: Default::default(),
    };
    app.mini.send_subscribe_message(&msg).await.unwrap();
    app.robot.send_markdown("k1", "**new wish**").await.unwrap();

    let url = format!("{base}/__stub/messages");
    let listed: Value = reqwest::get(url).await.unwrap().json().await.unwrap();

    assert_eq!(listed["subscribe"][0]["touser"], "o-demo");
    assert_eq!(listed["robot"]["k1"][0]["markdown"]["content"], "**new wish**");
}
