//! The WeCom group robot: key check, sliding window and content limits.

use std::time::Duration;

use microwish_wechat::ErrorClass;

use crate::helpers::spawn_app;

#[tokio::test]
async fn twenty_first_message_in_the_window_is_rate_limited() {
    let app = spawn_app();
    app.stub.register_robot("grid-7");
    for i in 0..20 {
        app.robot
            .send_markdown("grid-7", &format!("**wish {i}**"))
            .await
            .unwrap();
    }

    let err = app.robot.send_markdown("grid-7", "one too many").await.unwrap_err();

    assert_eq!(err.errcode(), Some(45009));
    assert_eq!(err.class(), ErrorClass::RateLimited);
    assert_eq!(app.stub.robot_messages("grid-7").len(), 20);
}

#[tokio::test]
async fn the_window_slides() {
    let app = spawn_app();
    app.stub.register_robot("grid-8");
    app.stub.set_robot_window(Duration::from_millis(200));
    for _ in 0..20 {
        app.robot.send_text("grid-8", "ping", &[]).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(250)).await;

    let after = app.robot.send_text("grid-8", "pong", &[]).await;

    assert!(after.is_ok());
}

#[tokio::test]
async fn unknown_key_is_permanent() {
    let app = spawn_app();

    let err = app.robot.send_markdown("nobody", "hi").await.unwrap_err();

    assert_eq!(err.errcode(), Some(93000));
    assert_eq!(err.class(), ErrorClass::Permanent);
}

#[tokio::test]
async fn long_content_is_cut_to_fit_and_mentions_are_sent() {
    let app = spawn_app();
    app.stub.register_robot("grid-9");
    let mentions = vec!["@all".to_owned()];

    app.robot
        .send_text("grid-9", &"网".repeat(1000), &mentions)
        .await
        .unwrap();
    app.robot.send_markdown("grid-9", &"格".repeat(2000)).await.unwrap();

    let sent = app.stub.robot_messages("grid-9");
    let text = sent[0]["text"]["content"].as_str().unwrap();
    let markdown = sent[1]["markdown"]["content"].as_str().unwrap();
    assert!(text.len() <= 2048 && markdown.len() <= 4096);
    assert_eq!(sent[0]["text"]["mentioned_list"][0], "@all");
}
