//! Reading the log: contact reveals beside admin actions, each filter, a keyset cursor that walks
//! every entry once even when many share a millisecond, and refusals for all but admins.

use serde_json::{Value, json};

use microwish_core::Clock;
use microwish_core::clock::rfc3339;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

const DAY: i64 = 86_400_000;

fn kinds(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

both_engines!(the_log_reads_back_filtered_and_paged, filtered_and_paged);
async fn filtered_and_paged(app: TestApp) {
    let c = Community::seed(&app).await;
    let wish = app.wish(&c.owner, "买降压药").await;
    // The leader of the grid sees the phone: a reveal.
    app.get(&format!("/api/v1/wishes/{}", wish["id"]), &c.leader_a.token)
        .await
        .expect(200);

    let reveals = app.audit(&c.admin, "kind=contact_view").await.expect(200);
    let items = reveals["items"].as_array().unwrap();
    assert!(
        !items.is_empty() && items.iter().all(|e| e["kind"] == "contact_view"),
        "{reveals}"
    );
    let seen = items
        .iter()
        .find(|e| e["actor_id"] == c.leader_a.id)
        .expect("the leader's reveal");
    assert_eq!(
        (&seen["subject_type"], seen["subject_id"].as_i64()),
        (&json!("user"), Some(c.owner.id))
    );
    assert_eq!(seen["subject_name"], "王奶奶");
    assert_eq!(seen["detail"]["wish_id"], wish["id"]);
    assert_eq!(seen["actor_name"], "刘网格长");
    let by_wish = app
        .audit(&c.admin, &format!("subject=wish:{}", wish["id"]))
        .await
        .expect(200);
    assert!(kinds(&by_wish).iter().all(|k| k == "contact_view") && !kinds(&by_wish).is_empty());

    // Who is coming: once claimed, the resident sees the volunteer's phone — a reveal too.
    app.act(&c.volunteer, wish["id"].as_i64().unwrap(), "claim", None)
        .await
        .expect(200);
    app.get(&format!("/api/v1/wishes/{}", wish["id"]), &c.owner.token)
        .await
        .expect(200);
    let coming = app.audit(&c.admin, "kind=volunteer_contact_view").await.expect(200);
    let shown = &coming["items"][0];
    assert_eq!(
        (shown["actor_id"].as_i64(), shown["subject_id"].as_i64()),
        (Some(c.owner.id), Some(c.volunteer.id))
    );
    assert_eq!(kinds(&coming), ["volunteer_contact_view"]);

    let grids = app.audit(&c.admin, "kind=grid").await.expect(200);
    assert_eq!(kinds(&grids), ["grid.create", "grid.create"]);
    let mine = app
        .audit(&c.admin, &format!("actor_id={}", c.leader_a.id))
        .await
        .expect(200);
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_id"] == c.leader_a.id)
    );
    let about = app
        .audit(&c.admin, &format!("subject=user:{}", c.volunteer.id))
        .await
        .expect(200);
    assert!(kinds(&about).contains(&"roles.set".to_string()), "{about}");
    assert!(
        about["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["subject_id"] == c.volunteer.id)
    );

    // Time: two days on, one more action; `from` that day finds only it, `to` the day before all else.
    app.clock.advance_ms(2 * DAY);
    app.grid(&c.admin, "第三网格", None).await;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let today = jiff::Timestamp::from_millisecond(app.clock.now_ms())
        .unwrap()
        .to_zoned(tz)
        .date();
    let recent = app.audit(&c.admin, &format!("from={today}")).await.expect(200);
    assert_eq!(kinds(&recent), ["grid.create"]);
    let yesterday = today.yesterday().unwrap();
    let earlier = app
        .audit(&c.admin, &format!("to={yesterday}&limit=500"))
        .await
        .expect(200);
    let all = app.audit_all(&c.admin).await;
    assert_eq!(earlier["items"].as_array().unwrap().len(), all.len() - 1);
    let exact = rfc3339(app.clock.now_ms());
    let until = app
        .audit(&c.admin, &format!("to={}&limit=500", exact.replace('+', "%2B")))
        .await
        .expect(200);
    assert_eq!(
        until["items"].as_array().unwrap().len(),
        all.len() - 1,
        "`to` as a time excludes it"
    );

    // Pages of three walk the whole log once, in order, though most entries share a time.
    let mut walked = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .audit(&c.admin, &format!("limit=3&cursor={cursor}"))
            .await
            .expect(200);
        walked.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(walked, all);
    assert!(all.len() > 10, "a log worth paging: {}", all.len());

    // Admins only; bad filters are named.
    for who in [&c.leader_a, &c.owner, &c.volunteer] {
        app.audit(who, "").await.expect_error(403, "forbidden");
    }
    app.call("GET", "/api/v1/admin/audit", None, None)
        .await
        .expect_error(401, "unauthenticated");
    for bad in [
        "kind=fly",
        "subject=planet:1",
        "from=yesterday",
        "limit=0",
        "limit=501",
        "from=2026-12-02&to=2026-12-01",
    ] {
        app.audit(&c.admin, bad).await.expect_error(422, "invalid_field");
    }
    app.audit(&c.admin, "cursor=abc")
        .await
        .expect_error(422, "invalid_cursor");
}
