//! msg_sec_check verdicts and phone-number codes.

use microwish_wechat::Suggest;

use crate::helpers::spawn_app;

#[tokio::test]
async fn verdicts_follow_the_configured_words() {
    let app = spawn_app();

    let pass = app.mini.msg_sec_check("o-1", 2, "帮忙买菜").await.unwrap();
    let review = app.mini.msg_sec_check("o-1", 2, "这里有待审词").await.unwrap();
    let risky = app.mini.msg_sec_check("o-1", 2, "RISKY-WORD here").await.unwrap();

    assert_eq!((pass.suggest, pass.label), (Suggest::Pass, 100));
    assert_eq!((review.suggest, review.label), (Suggest::Review, 21000));
    assert_eq!((risky.suggest, risky.label), (Suggest::Risky, 20001));
    assert_eq!(app.stub.sec_check_calls(), 3);
}

#[tokio::test]
async fn custom_words_replace_the_defaults() {
    let app = spawn_app();
    app.stub.set_risky_words(&["scam"]);

    let verdict = app.mini.msg_sec_check("o-1", 3, "a scam offer").await.unwrap();
    let former = app.mini.msg_sec_check("o-1", 3, "RISKY-WORD").await.unwrap();

    assert_eq!(verdict.suggest, Suggest::Risky);
    assert_eq!(former.suggest, Suggest::Pass);
}

#[tokio::test]
async fn malformed_checks_are_refused() {
    let app = spawn_app();

    let bad_scene = app.mini.msg_sec_check("o-1", 9, "hi").await.unwrap_err();
    let empty = app.mini.msg_sec_check("o-1", 1, "").await.unwrap_err();
    let long = app.mini.msg_sec_check("o-1", 1, &"长".repeat(2501)).await.unwrap_err();

    assert_eq!(bad_scene.errcode(), Some(40129));
    assert_eq!(empty.errcode(), Some(44002));
    assert_eq!(long.errcode(), Some(47001));
}

#[tokio::test]
async fn phone_code_is_single_use_and_country_code_is_parsed() {
    let app = spawn_app();
    let code = app.stub.issue_phone_code("13800138000");

    let info = app.mini.phone_number(&code).await.unwrap();
    let reused = app.mini.phone_number(&code).await.unwrap_err();

    assert_eq!(info.pure_phone_number, "13800138000");
    assert_eq!(info.country_code, "86");
    assert_eq!(reused.errcode(), Some(40029));
}
