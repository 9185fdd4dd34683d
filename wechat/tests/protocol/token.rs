//! The access token: single-flight refresh and retry-once after 42001/40001.

use std::sync::Arc;
use std::time::Duration;

use microwish_wechat::{ErrorClass, MiniProgram};
use tokio::task::JoinSet;

use crate::helpers::{config, log_in, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_calls_after_expiry_fetch_one_token() {
    let app = spawn_app();
    log_in(&app, "o-crowd").await;
    app.mini.msg_sec_check("o-crowd", 2, "warm-up").await.unwrap();
    assert_eq!(app.stub.token_fetches(), 1);
    app.stub.expire_all_tokens();
    app.stub.set_token_delay(Duration::from_millis(300));

    let mut calls = JoinSet::new();
    for i in 0..40 {
        let mini = app.mini.clone();
        calls.spawn(async move { mini.msg_sec_check("o-crowd", 2, &format!("hello {i}")).await });
    }
    let results = calls.join_all().await;

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(app.stub.token_fetches(), 2, "exactly one new fetch");
    assert_eq!(app.mini.tokens().fetch_count(), 2);
}

#[tokio::test]
async fn revoked_token_is_replaced_and_the_call_retried_once() {
    let app = spawn_app();
    app.mini.msg_sec_check("o-1", 1, "first").await.unwrap();
    app.stub.revoke_all_tokens();

    let verdict = app.mini.msg_sec_check("o-1", 1, "second").await;

    assert!(verdict.is_ok());
    assert_eq!(app.stub.token_fetches(), 2);
}

#[tokio::test]
async fn invalidating_an_old_token_keeps_the_fresh_one() {
    let app = spawn_app();
    let tokens = app.mini.tokens();
    let old = tokens.token().await.unwrap();
    tokens.invalidate(&old);
    app.stub.expire_all_tokens();
    let fresh = tokens.token().await.unwrap();

    tokens.invalidate(&old);
    let again = tokens.token().await.unwrap();

    assert_ne!(old, fresh);
    assert_eq!(fresh, again);
    assert_eq!(tokens.fetch_count(), 2);
}

#[tokio::test]
async fn bad_secret_fails_token_fetch_without_looping() {
    let app = spawn_app();
    let bad = MiniProgram::new(config(&app.stub, "wrong")).unwrap();

    let err = bad.msg_sec_check("o-1", 1, "hi").await.unwrap_err();

    assert_eq!(err.errcode(), Some(40125));
    assert_eq!(err.class(), ErrorClass::Permanent);
    assert_eq!(bad.tokens().fetch_count(), 1);
}

#[tokio::test]
async fn shared_holder_serves_several_clients() {
    let app = spawn_app();
    let holder = Arc::clone(app.mini.tokens());
    let client = reqwest::Client::new();
    let second = MiniProgram::with_tokens(client, config(&app.stub, "unused"), holder);

    app.mini.msg_sec_check("o-1", 1, "a").await.unwrap();
    second.msg_sec_check("o-1", 1, "b").await.unwrap();

    assert_eq!(app.stub.token_fetches(), 1);
}
