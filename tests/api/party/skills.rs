//! Skills over HTTP, on both engines: a person keeps their own as wish category codes
//! (`PUT /me {"skills"}`), the profile shows them, unknown codes and overlong lists are refused
//! naming the problem and change nothing; the store's readers (one person, many, the volunteers
//! of a grid with a skill) see exactly what was set.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};
use microwish_core::people::skills;

both_engines!(skills_are_kept_on_the_profile, skills_body);

async fn skills_body(app: TestApp) {
    let c = Community::seed(&app).await;
    let me = app.get("/api/v1/me", &c.volunteer.token).await.expect(200);
    assert_eq!(me["skills"], json!([]), "nobody has skills at first");

    let set = app
        .set_skills(&c.volunteer, &["repair", " errand", "repair"])
        .await
        .expect(200);
    assert_eq!(set["skills"], json!(["errand", "repair"]), "known, once, sorted");
    let me = app.get("/api/v1/me", &c.volunteer.token).await.expect(200);
    assert_eq!(me["skills"], json!(["errand", "repair"]));
    app.set_skills(&c.volunteer2, &["repair"]).await.expect(200);
    app.set_skills(&c.owner, &["repair", "medicine"]).await.expect(200);

    // Bad input is refused by name and leaves the old list in place.
    let refused = app.set_skills(&c.volunteer, &["errand", "juggling"]).await;
    assert!(refused.text.contains("juggling"), "{}", refused.text);
    refused.expect_error(422, "unknown_skill");
    app.set_skills(&c.volunteer, &["errand"; 21])
        .await
        .expect_error(422, "invalid_field");
    app.put("/api/v1/me", &c.volunteer.token, json!({ "skills": [5] }))
        .await
        .expect_error(400, "malformed");
    let me = app.get("/api/v1/me", &c.volunteer.token).await.expect(200);
    assert_eq!(me["skills"], json!(["errand", "repair"]));

    // Other profile changes leave skills alone; an empty list clears them.
    app.put("/api/v1/me", &c.owner.token, json!({ "display_name": "王阿姨" }))
        .await
        .expect(200);
    let owner = app.get("/api/v1/me", &c.owner.token).await.expect(200);
    assert_eq!(owner["skills"], json!(["medicine", "repair"]));

    let mut conn = app.db.pool().acquire().await.unwrap();
    // Only volunteers count: the owner has the skill but not the role; grid B has nobody.
    let repairers = skills::volunteers_with(&mut conn, c.grid_a, "repair").await.unwrap();
    let mut expected = vec![c.volunteer.id, c.volunteer2.id];
    expected.sort_unstable();
    assert_eq!(repairers, expected);
    assert!(
        skills::volunteers_with(&mut conn, c.grid_b, "repair")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        skills::volunteers_with(&mut conn, c.grid_a, "medicine")
            .await
            .unwrap()
            .is_empty()
    );
    let many = skills::of_many(&mut conn, &[c.volunteer.id, c.owner.id, c.admin.id])
        .await
        .unwrap();
    assert_eq!(many.len(), 2, "the admin has none: {many:?}");
    assert_eq!(many[&c.owner.id], ["medicine", "repair"]);
    drop(conn);

    app.set_skills(&c.owner, &[]).await.expect(200);
    let owner = app.get("/api/v1/me", &c.owner.token).await.expect(200);
    assert_eq!(owner["skills"], json!([]));
}
