//! Sessions end when asked: sign out, sign out everywhere, an admin's revocation, a role taken
//! away; expired sessions are swept by the scheduler.

use serde_json::json;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

const DAY: i64 = 86_400_000;

both_engines!(sessions_end_when_asked, sessions_end);
async fn sessions_end(app: TestApp) {
    let c = Community::seed(&app).await;
    let phone = app.login("traveller").await;
    let tablet = app.login("traveller").await;
    app.call("POST", "/api/v1/auth/logout", Some(&phone.token), None)
        .await
        .expect(204);
    app.get("/api/v1/me", &phone.token)
        .await
        .expect_error(401, "unauthenticated");
    app.get("/api/v1/me", &tablet.token).await.expect(200);
    let desk = app.login("traveller").await;
    app.call("DELETE", "/api/v1/me/sessions", Some(&tablet.token), None)
        .await
        .expect(204);
    for gone in [&tablet, &desk] {
        app.get("/api/v1/me", &gone.token)
            .await
            .expect_error(401, "unauthenticated");
    }

    // An admin ends someone's sessions; nobody else may, and an unknown id is 404.
    let again = app.login("traveller").await;
    let path = format!("/api/v1/admin/users/{}/sessions", again.id);
    app.call("DELETE", &path, Some(&c.leader_a.token), None)
        .await
        .expect_error(403, "forbidden");
    let revoked = app.call("DELETE", &path, Some(&c.admin.token), None).await.expect(200);
    assert_eq!(revoked["revoked"], 1);
    app.get("/api/v1/me", &again.token)
        .await
        .expect_error(401, "unauthenticated");
    app.call(
        "DELETE",
        "/api/v1/admin/users/999999/sessions",
        Some(&c.admin.token),
        None,
    )
    .await
    .expect_error(404, "not_found");

    // Granting a role keeps the sessions; taking one away ends them.
    app.set_roles(&c.admin, &c.volunteer, &["volunteer", "grid_leader"])
        .await;
    app.get("/api/v1/me", &c.volunteer.token).await.expect(200);
    app.put(
        &format!("/api/v1/admin/users/{}/roles", c.volunteer.id),
        &c.admin.token,
        json!({ "roles": ["grid_leader"] }),
    )
    .await
    .expect(200);
    app.get("/api/v1/me", &c.volunteer.token)
        .await
        .expect_error(401, "unauthenticated");
    app.get("/api/v1/me", &c.volunteer2.token).await.expect(200);
}

both_engines!(expired_sessions_are_swept, sweep);
async fn sweep(app: TestApp) {
    use microwish_core::Clock;
    app.login("old").await;
    app.login("older").await;
    let before = app.count("sessions").await;
    app.clock.advance_ms(29 * DAY);
    let fresh = app.login("fresh").await;
    app.clock.advance_ms(2 * DAY);
    microwish_core::schedule::scan(&app.db, &app.state().settings, app.clock.now_ms())
        .await
        .expect("scan");
    assert_eq!(
        app.count("sessions").await,
        1,
        "{before} before; only the fresh one is left"
    );
    app.get("/api/v1/me", &fresh.token).await.expect(200);
}
