//! Subscribe messages: quota, template and value validation.

use microwish_wechat::{ErrorClass, Lang, MiniprogramState, SubscribeMessage, shape_value};

use crate::helpers::{TestApp, log_in, spawn_app};

const TEMPLATE: &str = "TPL-wish-claimed";

fn message(openid: &str, title: &str) -> SubscribeMessage {
    SubscribeMessage {
        touser: openid.to_owned(),
        template_id: TEMPLATE.to_owned(),
        page: Some("pages/wish/detail?id=42".to_owned()),
        data: [
            ("thing1".to_owned(), title.to_owned()),
            ("time2".to_owned(), "2026-11-27 15:01".to_owned()),
        ]
        .into(),
        miniprogram_state: MiniprogramState::Trial,
        lang: Lang::ZhCn,
    }
}

fn with_template() -> TestApp {
    let app = spawn_app();
    app.stub.register_template(TEMPLATE, &["thing1", "time2"]);
    app
}

#[tokio::test]
async fn sends_consume_quota_then_answer_43101() {
    let app = with_template();
    app.stub.grant_subscription("o-dora", TEMPLATE, 1);

    let msgid = app
        .mini
        .send_subscribe_message(&message("o-dora", "买菜"))
        .await
        .unwrap();
    let empty = app
        .mini
        .send_subscribe_message(&message("o-dora", "买菜"))
        .await
        .unwrap_err();

    assert!(msgid > 0);
    assert_eq!(app.stub.subscription_quota("o-dora", TEMPLATE), 0);
    assert_eq!(empty.errcode(), Some(43101));
    assert_eq!(empty.class(), ErrorClass::NoQuota);
    let sent = app.stub.subscribe_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["data"]["thing1"]["value"], "买菜");
    assert_eq!(sent[0]["page"], "pages/wish/detail?id=42");
}

#[tokio::test]
async fn too_long_thing_answers_47003_and_shape_value_fixes_it() {
    let app = with_template();
    app.stub.grant_subscription("o-emil", TEMPLATE, 1);
    let long = "帮助独居老人每周买两次菜并送到家门口的心愿";

    let err = app
        .mini
        .send_subscribe_message(&message("o-emil", long))
        .await
        .unwrap_err();
    let shaped = shape_value("thing1", long);
    let sent = app.mini.send_subscribe_message(&message("o-emil", &shaped)).await;

    assert_eq!(err.errcode(), Some(47003));
    assert!(err.to_string().contains("data.thing1.value"));
    assert!(sent.is_ok());
}

#[tokio::test]
async fn unknown_template_and_unknown_openid_are_refused() {
    let app = spawn_app();
    let no_template = app
        .mini
        .send_subscribe_message(&message("o-x", "hi"))
        .await
        .unwrap_err();
    app.stub.register_template(TEMPLATE, &["thing1", "time2"]);

    let stranger = app
        .mini
        .send_subscribe_message(&message("o-x", "hi"))
        .await
        .unwrap_err();

    assert_eq!(no_template.errcode(), Some(40037));
    assert_eq!(stranger.errcode(), Some(40003));
}

#[tokio::test]
async fn injected_failures_are_retryable_and_do_not_consume_quota() {
    let app = with_template();
    log_in(&app, "o-fay").await;
    app.stub.grant_subscription("o-fay", TEMPLATE, 1);
    app.stub.fail_next_sends(2, 43108);

    let first = app
        .mini
        .send_subscribe_message(&message("o-fay", "hi"))
        .await
        .unwrap_err();
    let second = app
        .mini
        .send_subscribe_message(&message("o-fay", "hi"))
        .await
        .unwrap_err();
    let third = app.mini.send_subscribe_message(&message("o-fay", "hi")).await;

    assert_eq!(first.class(), ErrorClass::Retryable);
    assert_eq!(second.errcode(), Some(43108));
    assert!(third.is_ok());
}
