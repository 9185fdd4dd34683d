//! A volunteer's order of open wishes (`order=for_me`), on both engines: their grid and skills
//! first, then the soonest due (the resident's date or the unclaimed limit, whichever comes
//! first); their own wishes left out; two volunteers asking the same thing get their own orders
//! (never a kept page); the cursor pages through the order; bad combinations are 422s.

use serde_json::{Value, json};

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};
use microwish_core::Clock;
use microwish_core::clock::rfc3339;

const HOUR: i64 = 3_600_000;

/// Posts a wish of `category`, wanted within `due_in` ms when given; its id.
async fn post(app: &TestApp, who: &TestUser, title: &str, category: &str, due_in: Option<i64>) -> i64 {
    let mut body = json!({ "title": title, "description": "请帮帮忙", "category": category });
    if let Some(ms) = due_in {
        body["due_at"] = json!(rfc3339(app.clock.now_ms() + ms));
    }
    app.post("/api/v1/wishes", &who.token, body).await.expect(201)["id"]
        .as_i64()
        .unwrap()
}

fn ids(page: &Value) -> Vec<i64> {
    let items = page["items"].as_array().expect("items");
    items.iter().map(|w| w["id"].as_i64().unwrap()).collect()
}

/// Every page of `query` for `who`, `limit` at a time, following `next_cursor`.
async fn all_pages(app: &TestApp, who: &TestUser, query: &str, limit: usize) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let path = format!("/api/v1/wishes?{query}&limit={limit}{after}");
        let page = app.get(&path, &who.token).await.expect(200);
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return seen,
        }
    }
}

both_engines!(open_wishes_in_a_volunteers_order, for_me);
async fn for_me(app: TestApp) {
    let c = Community::seed(&app).await;
    let neighbour = app.login("neighbour-b").await;
    app.profile(&neighbour, "陈阿姨", "13900002222", c.grid_b).await;
    let skills = json!({ "skills": ["medicine"] });
    app.put("/api/v1/me", &c.volunteer.token, skills).await.expect(200);

    // medicine waits 4h before it alerts, errands 24h (config/default.toml).
    let errand_here = post(&app, &c.owner, "买菜", "errand", None).await;
    let medicine_here = post(&app, &c.owner, "取药", "medicine", None).await;
    let medicine_there = post(&app, &neighbour, "买药", "medicine", None).await;
    let errand_there = post(&app, &neighbour, "寄快递", "errand", None).await;
    let errand_here_soon = post(&app, &c.other_resident, "修灯前买灯泡", "errand", Some(2 * HOUR)).await;
    let own = post(&app, &c.volunteer, "我自己的心愿", "medicine", None).await;
    let claimed = post(&app, &c.other_resident, "已被认领", "medicine", None).await;
    app.act(&c.volunteer2, claimed, "claim", None).await.expect(200);

    // Their grid and skills, their grid (soonest first), their skills, the rest; not their own.
    let mine_first = vec![
        medicine_here,
        errand_here_soon,
        errand_here,
        medicine_there,
        errand_there,
    ];
    let page = app
        .get("/api/v1/wishes?status=open&order=for_me", &c.volunteer.token)
        .await
        .expect(200);
    assert_eq!(ids(&page), mine_first, "{page}");
    assert!(!ids(&page).contains(&own) && !ids(&page).contains(&claimed));
    assert!(page.get("next_cursor").is_none(), "{page}");

    // Another volunteer of the same grid without skills: grid first, then due soonest. The
    // public page of open wishes (kept, shared) is asked in between and stays newest first.
    let wall = app
        .get("/api/v1/wishes?status=open", &c.volunteer2.token)
        .await
        .expect(200);
    assert_eq!(ids(&wall)[0], own, "newest first");
    let theirs = app
        .get("/api/v1/wishes?order=for_me", &c.volunteer2.token)
        .await
        .expect(200);
    assert_eq!(
        ids(&theirs),
        [
            errand_here_soon,
            own,
            medicine_here,
            errand_here,
            medicine_there,
            errand_there
        ],
        "{theirs}: the 4h medicine tie newest first"
    );
    let again = app
        .get("/api/v1/wishes?status=open&order=for_me", &c.volunteer.token)
        .await
        .expect(200);
    assert_eq!(ids(&again), mine_first, "not the other volunteer's page");

    // Two at a time, the cursor walks the same order; filters narrow it.
    assert_eq!(all_pages(&app, &c.volunteer, "order=for_me", 2).await, mine_first);
    assert_eq!(all_pages(&app, &c.volunteer, "order=for_me", 1).await, mine_first);
    let here = format!("order=for_me&grid_id={}", c.grid_a);
    assert_eq!(
        all_pages(&app, &c.volunteer, &here, 2).await,
        [medicine_here, errand_here_soon, errand_here]
    );
    let medicine = all_pages(&app, &c.volunteer, "order=for_me&category=medicine", 5).await;
    assert_eq!(medicine, [medicine_here, medicine_there]);

    // A day later a new medicine wish of their grid: its deadline is its own, so it joins the
    // first group after the older one (a due time is a moment, not an age).
    app.clock.advance_ms(25 * HOUR);
    let later = post(&app, &c.owner, "新的取药", "medicine", None).await;
    let page = app
        .get("/api/v1/wishes?order=for_me", &c.volunteer.token)
        .await
        .expect(200);
    assert_eq!(
        ids(&page)[..4],
        [medicine_here, later, errand_here_soon, errand_here],
        "{page}"
    );

    // Bad combinations and cursors: a clear 422 each.
    for (query, code) in [
        ("order=oldest", "invalid_field"),
        ("order=for_me&status=claimed", "invalid_field"),
        ("order=for_me&mine=true", "invalid_field"),
        ("order=for_me&cursor=12", "invalid_cursor"),
        ("order=for_me&cursor=0.1.x", "invalid_cursor"),
        ("order=for_me&cursor=9.1.1", "invalid_cursor"),
    ] {
        let path = format!("/api/v1/wishes?{query}");
        app.get(&path, &c.volunteer.token).await.expect_error(422, code);
    }

    // The OpenAPI document names both views.
    let doc = app.call("GET", "/openapi.json", None, None).await.text;
    assert!(
        doc.contains("\\\"mine\\\" view") && doc.contains("order=for_me"),
        "documented"
    );
}
