//! An alert's line is rendered when read, in the reader's language, from the facts the alert
//! stores: Chinese by default, English for `Accept-Language: en`, the same facts in the
//! notification's payload, and the stored line of an alert raised before facts were stored.

use serde_json::json;

use super::{DAY, WEDNESDAY_10AM_SHANGHAI, alerts, at, notifications_of_kind, scan};
use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

/// `GET /api/v1/alerts` as `user` with `Accept-Language: lang`: each alert's summary.
async fn summaries_in(app: &TestApp, user: &TestUser, lang: &str) -> Vec<String> {
    let req = app.client.get(format!("{}/api/v1/alerts", app.base));
    let list = app
        .send(req.bearer_auth(&user.token).header("Accept-Language", lang))
        .await
        .expect(200);
    let list = list.as_array().expect("an array of alerts").iter();
    list.map(|a| a["summary"].as_str().expect("a summary").to_string())
        .collect()
}

both_engines!(
    an_alerts_line_is_rendered_in_the_readers_language,
    readers_language,
    crate::alerts::configure
);
async fn readers_language(app: TestApp) {
    // Arrange: a wish that waits a day unclaimed.
    app.clock.set_ms(at(WEDNESDAY_10AM_SHANGHAI));
    let c = Community::seed(&app).await;
    app.wish(&c.owner, "帮忙取快递").await;
    app.clock.advance_ms(DAY);
    assert_eq!(scan(&app).await.alerts, 1);

    // Act and assert: one stored alert, two readers.
    let zh = "心愿「帮忙取快递」已等待 24 小时无人认领";
    assert_eq!(alerts(&app, &c.leader_a, "").await[0]["summary"], zh);
    assert_eq!(summaries_in(&app, &c.leader_a, "zh-CN,zh;q=0.9").await, vec![zh]);
    let en = "“帮忙取快递” has waited 24 hours without a volunteer";
    assert_eq!(summaries_in(&app, &c.leader_a, "en-GB,en;q=0.8").await, vec![en]);

    // The row keeps facts, not words; the notification carries the same facts.
    let mut conn = app.db.pool().acquire().await.unwrap();
    let (stored, params): (String, String) = sqlx::query_as("SELECT summary, params FROM alerts")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(stored, "");
    let params: serde_json::Value = serde_json::from_str(&params).unwrap();
    assert_eq!(params, json!({ "title": "帮忙取快递", "hours": 24 }));
    let sent = notifications_of_kind(&app, "alert").await;
    assert_eq!(sent[0].payload["alert_params"], params, "{:?}", sent[0].payload);
    assert!(sent[0].payload.get("summary").is_none(), "{:?}", sent[0].payload);

    // Acknowledging answers in the reader's language too.
    let id = alerts(&app, &c.leader_a, "").await[0]["id"].as_i64().unwrap();
    let ack = app.client.post(format!("{}/api/v1/alerts/{id}/ack", app.base));
    let acked = app
        .send(ack.bearer_auth(&c.leader_a.token).header("Accept-Language", "en"))
        .await
        .expect(200);
    assert_eq!(acked["summary"], en);
}

both_engines!(
    an_alert_raised_before_facts_were_stored_keeps_its_line,
    stored_line,
    crate::alerts::configure
);
async fn stored_line(app: TestApp) {
    // Arrange: an alert row as the versions before wrote it — a Chinese line, no facts.
    let c = Community::seed(&app).await;
    let mut conn = app.db.pool().acquire().await.unwrap();
    sqlx::query(
        "INSERT INTO alerts (kind, level, grid_id, status, unique_key, summary, created_at, updated_at) \
         VALUES ('urgent', 1, $1, 'open', 'old:1', '紧急心愿：「旧的心愿」', 1, 1)",
    )
    .bind(c.grid_a)
    .execute(&mut *conn)
    .await
    .unwrap();

    // Act and assert: both readers get the line it was stored with.
    for lang in ["zh-CN", "en"] {
        assert_eq!(
            summaries_in(&app, &c.leader_a, lang).await,
            vec!["紧急心愿：「旧的心愿」"]
        );
    }
}
