//! code2Session: single-use codes, failure classes, and the session key kept secret.

use microwish_wechat::{ErrorClass, MiniProgram};

use crate::helpers::{config, spawn_app};

#[tokio::test]
async fn issued_code_works_once_then_answers_40163() {
    let app = spawn_app();
    let code = app.stub.issue_login_code("o-alice");

    let session = app.mini.code2session(&code).await.expect("first use works");
    let reused = app.mini.code2session(&code).await.unwrap_err();

    assert_eq!(session.openid, "o-alice");
    assert!(!session.session_key().is_empty());
    assert_eq!(reused.errcode(), Some(40163));
    assert_eq!(reused.class(), ErrorClass::Permanent);
}

#[tokio::test]
async fn unknown_code_answers_40029_with_a_rid() {
    let app = spawn_app();

    let err = app.mini.code2session("no-such-code").await.unwrap_err();

    assert_eq!(err.errcode(), Some(40029));
    let microwish_wechat::WechatError::Api { rid, .. } = &err else {
        panic!("expected an Api error, got {err:?}");
    };
    assert!(rid.is_some(), "the stub appends a rid to every errmsg");
}

#[tokio::test]
async fn expired_code_answers_40029() {
    let app = spawn_app();
    app.stub.set_login_code_ttl(std::time::Duration::ZERO);
    let code = app.stub.issue_login_code("o-late");

    let err = app.mini.code2session(&code).await.unwrap_err();

    assert_eq!(err.errcode(), Some(40029));
}

#[tokio::test]
async fn injected_busy_is_retryable_and_a_retry_succeeds() {
    let app = spawn_app();
    let code = app.stub.fail_next_login(-1);

    let err = app.mini.code2session(&code).await.unwrap_err();
    let retried = app.mini.code2session(&code).await;

    assert_eq!(err.errcode(), Some(-1));
    assert_eq!(err.class(), ErrorClass::Retryable);
    assert!(retried.is_ok());
}

#[tokio::test]
async fn injected_rate_limit_is_classified() {
    let app = spawn_app();
    let code = app.stub.fail_next_login(45011);

    let err = app.mini.code2session(&code).await.unwrap_err();

    assert_eq!(err.class(), ErrorClass::RateLimited);
}

#[tokio::test]
async fn wrong_secret_answers_40125() {
    let app = spawn_app();
    let bad = MiniProgram::new(config(&app.stub, "wrong")).unwrap();
    let code = app.stub.issue_login_code("o-bob");

    let err = bad.code2session(&code).await.unwrap_err();

    assert_eq!(err.errcode(), Some(40125));
    assert!(!err.to_string().contains("wrong"), "the secret never shows up");
}

#[tokio::test]
async fn session_key_never_appears_in_debug_output() {
    let app = spawn_app();
    let code = app.stub.issue_login_code("o-carol");

    let session = app.mini.code2session(&code).await.unwrap();
    let shown = format!("{session:?}");

    assert!(shown.contains("o-carol"));
    assert!(!shown.contains(session.session_key()));
}
