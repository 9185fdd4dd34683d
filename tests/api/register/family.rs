//! Residents without a smartphone and their families: registered by the leader, linked by a
//! one-time code, wishes posted on their behalf, news copied to the family or — with nobody
//! linked — a phone call for the leader.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

async fn outbox_rows(app: &TestApp, wish_id: i64) -> Vec<(String, i64, serde_json::Value)> {
    let mut conn = app.db.pool().acquire().await.unwrap();
    microwish_core::outbox::for_subject(&mut conn, "wish", wish_id)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.kind.to_string(), n.recipient_id, n.payload))
        .collect()
}

async fn a_family_member_posts_for_an_offline_resident(app: TestApp) {
    let c = Community::seed(&app).await;
    let body = json!({ "grid_id": c.grid_a, "name": "1号楼" });
    let b1 = app
        .post("/api/v1/admin/buildings", &c.admin.token, body)
        .await
        .expect(201)["id"]
        .as_i64()
        .unwrap();

    // The leader registers 王奶奶, who has no WeChat.
    let grandma =
        json!({ "display_name": "王奶奶", "phone": "13800001234", "building_id": b1, "unit": "1单元", "room": "101" });
    app.post("/api/v1/residents", &c.leader_b.token, grandma.clone())
        .await
        .expect_error(403, "not_permitted");
    let mut bad = grandma.clone();
    bad["phone"] = json!("12345");
    app.post("/api/v1/residents", &c.leader_a.token, bad)
        .await
        .expect_error(422, "invalid_field");
    let grandma = app
        .post("/api/v1/residents", &c.leader_a.token, grandma)
        .await
        .expect(201);
    assert_eq!(
        (grandma["grid_id"].as_i64(), grandma["residence_verified"].as_bool()),
        (Some(c.grid_a), Some(true))
    );
    let grandma_id = grandma["id"].as_i64().unwrap();

    // A one-time code, from her leader only, for her grandson.
    let codes = format!("/api/v1/residents/{grandma_id}/family-codes");
    app.call("POST", &codes, Some(&c.leader_b.token), None)
        .await
        .expect_error(404, "not_found");
    app.call("POST", &codes, Some(&c.owner.token), None)
        .await
        .expect_error(404, "not_found");
    let code = app
        .call("POST", &codes, Some(&c.leader_a.token), None)
        .await
        .expect(201)["code"]
        .clone();
    let grandson = app.login("grandson").await;
    app.post("/api/v1/me/family", &grandson.token, json!({ "code": "NOPE2345" }))
        .await
        .expect_error(422, "invalid_code");
    let link = app
        .post("/api/v1/me/family", &grandson.token, json!({ "code": code }))
        .await
        .expect(200);
    assert_eq!(
        (link["resident_id"].as_i64(), link["resident_name"].as_str()),
        (Some(grandma_id), Some("王奶奶"))
    );
    let stranger = app.login("stranger").await;
    app.post("/api/v1/me/family", &stranger.token, json!({ "code": code }))
        .await
        .expect_error(422, "invalid_code");

    // He posts for her (with consent), as staff would; a stranger may not.
    let wish =
        json!({ "title": "帮奶奶买药", "description": "降压药", "category": "errand", "on_behalf_of": grandma_id });
    app.post("/api/v1/wishes", &grandson.token, wish.clone())
        .await
        .expect_error(422, "consent_required");
    let mut with_consent = wish.clone();
    with_consent["consent_note"] = json!("电话里奶奶同意了");
    app.post("/api/v1/wishes", &stranger.token, with_consent.clone())
        .await
        .expect_error(403, "not_permitted");
    let posted = app
        .post("/api/v1/wishes", &grandson.token, with_consent.clone())
        .await
        .expect(201);
    assert_eq!(
        (posted["status"].as_str(), posted["grid_id"].as_i64()),
        (Some("open"), Some(c.grid_a))
    );
    assert_eq!(posted["resident"]["id"], grandma_id);
    let wish_id = posted["id"].as_i64().unwrap();

    // A volunteer claims it: the grandson gets the claim, worded for his grandmother.
    app.act(&c.volunteer, wish_id, "claim", None).await.expect(200);
    let rows = outbox_rows(&app, wish_id).await;
    let copy = rows
        .iter()
        .find(|(k, r, _)| k == "wish_claimed" && *r == grandson.id)
        .expect("a copy for the family");
    assert_eq!(copy.2["for_resident_name"], "王奶奶");
    assert!(rows.iter().any(|(k, r, _)| k == "wish_claimed" && *r == grandma_id));
    assert_eq!(
        app.count("alerts").await,
        0,
        "with family linked, no phone call is needed"
    );

    // Once unlinked (either side may), her news becomes a phone call for the leader.
    let path = format!("/api/v1/family-links/{grandma_id}/{}", grandson.id);
    app.call("DELETE", &path, Some(&stranger.token), None)
        .await
        .expect_error(404, "not_found");
    app.call("DELETE", &path, Some(&grandson.token), None).await.expect(204);
    app.call("DELETE", &path, Some(&grandson.token), None)
        .await
        .expect_error(404, "not_found");
    app.post("/api/v1/wishes", &grandson.token, with_consent.clone())
        .await
        .expect_error(403, "not_permitted");
    let by_leader = app
        .post("/api/v1/wishes", &c.leader_a.token, with_consent)
        .await
        .expect(201);
    let by_leader = by_leader["id"].as_i64().unwrap();
    app.act(&c.volunteer2, by_leader, "claim", None).await.expect(200);
    let alerts = app.get("/api/v1/alerts", &c.leader_a.token).await.expect(200);
    let call = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "phone_call")
        .expect("a phone-call task");
    assert_eq!(call["wish_id"], by_leader);
    assert!(call["summary"].as_str().unwrap().contains("王奶奶"), "{call}");
    let theirs = app.get("/api/v1/alerts", &c.leader_b.token).await.expect(200);
    assert!(
        theirs.as_array().unwrap().iter().all(|a| a["kind"] != "phone_call"),
        "another grid's leader sees none of it"
    );
}
both_engines!(
    a_family_member_posts_for_an_offline_resident_,
    a_family_member_posts_for_an_offline_resident
);

async fn a_residents_own_code_links_their_family(app: TestApp) {
    let c = Community::seed(&app).await;
    let code = app
        .call("POST", "/api/v1/me/family-codes", Some(&c.owner.token), None)
        .await
        .expect(201)["code"]
        .clone();
    app.post("/api/v1/me/family", &c.owner.token, json!({ "code": code }))
        .await
        .expect_error(422, "invalid_code");
    let code = app
        .call("POST", "/api/v1/me/family-codes", Some(&c.owner.token), None)
        .await
        .expect(201)["code"]
        .clone();
    let daughter = app.login("daughter").await;
    app.post("/api/v1/me/family", &daughter.token, json!({ "code": code }))
        .await
        .expect(200);
    let mine = app.get("/api/v1/me/family", &c.owner.token).await.expect(200);
    assert_eq!(mine["items"][0]["family_id"], daughter.id);
    // A leader cannot make codes for a resident who has WeChat.
    let path = format!("/api/v1/residents/{}/family-codes", c.owner.id);
    app.call("POST", &path, Some(&c.leader_a.token), None)
        .await
        .expect_error(409, "resident_has_wechat");

    let wish = app.wish(&c.owner, "修灯").await["id"].as_i64().unwrap();
    app.act(&c.volunteer, wish, "claim", None).await.expect(200);
    app.act(&c.volunteer, wish, "release", Some(json!({ "reason": "临时有事" })))
        .await
        .expect(200);
    let rows = outbox_rows(&app, wish).await;
    let to_daughter: Vec<&str> = rows
        .iter()
        .filter(|(_, r, _)| *r == daughter.id)
        .map(|(k, _, _)| k.as_str())
        .collect();
    assert_eq!(
        to_daughter,
        vec!["wish_claimed"],
        "claims and fulfilments, not every step"
    );
}
both_engines!(
    a_residents_own_code_links_their_family_,
    a_residents_own_code_links_their_family
);
