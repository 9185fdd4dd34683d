//! Signing in to the console and out again: the QR ticket approved over the API, the one-time
//! link, cookie flags, CSRF on the sign-in forms, expiry, single use, roles re-checked.

use super::{Browser, approve_ticket, signed_in, ticket_of};
use crate::both_engines;
use crate::helpers::{Community, TestApp};

both_engines!(qr_ticket_signs_in_the_browser_that_showed_it, qr_ticket_flow);
async fn qr_ticket_flow(app: TestApp) {
    let c = Community::seed(&app).await;
    let mut browser = Browser::new(&app);
    browser.get("/console/queue").await.expect_redirect("/console/login");
    browser.get("/console/").await.expect_redirect("/console/login");

    let login = browser.get("/console/login").await.expect(200);
    assert!(login.text.contains("<svg"), "a QR code is drawn");
    for cookie in &login.set_cookies {
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "plain HTTP gets no Secure flag: {cookie}");
    }
    let ticket = ticket_of(&login);
    // A reload while pending shows the same code.
    assert_eq!(ticket_of(&browser.get("/console/login").await), ticket);
    assert!(browser.get("/console/login/status").await.text.contains("pending"));

    // Pressing on before the phone approved does not sign in.
    browser
        .post("/console/login", &[("csrf", &login.csrf())])
        .await
        .expect(409);
    // Residents and volunteers are not who the console is for.
    approve_ticket(&app, &c.owner, &ticket)
        .await
        .expect_error(403, "not_permitted");
    approve_ticket(&app, &c.volunteer, &ticket)
        .await
        .expect_error(403, "not_permitted");
    approve_ticket(&app, &c.leader_a, "00ff")
        .await
        .expect_error(404, "not_found");

    approve_ticket(&app, &c.leader_a, &ticket).await.expect(200);
    approve_ticket(&app, &c.leader_b, &ticket)
        .await
        .expect_error(409, "ticket_used");
    assert!(browser.get("/console/login/status").await.text.contains("approved"));

    // Another browser cannot redeem the ticket it never held, even with a stolen form token.
    let mut other = Browser::new(&app);
    other.set_cookie("mw_pre", &login.csrf());
    other
        .post("/console/login", &[("csrf", &login.csrf())])
        .await
        .expect_redirect("/console/login?expired=1");
    assert!(other.cookie("mw_console").is_none());

    // The form's CSRF token must match the sign-in cookie.
    browser.post("/console/login", &[("csrf", "forged")]).await.expect(403);
    let done = browser.post("/console/login", &[("csrf", &login.csrf())]).await;
    let done = done.expect_redirect("/console/queue");
    let session = done
        .set_cookies
        .iter()
        .find(|c| c.starts_with("mw_console="))
        .expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/console"));

    let queue = browser.get("/console/queue").await.expect(200);
    assert!(queue.text.contains("刘网格长"), "the leader's name is shown");
    // The session cookie is no API token.
    let token = browser.cookie("mw_console").unwrap().clone();
    app.get("/api/v1/me", &token).await.expect_error(401, "unauthenticated");

    // Spent: a second redemption of the same ticket fails.
    let mut again = Browser::new(&app);
    again.set_cookie("mw_ticket", &ticket);
    again.set_cookie("mw_pre", &login.csrf());
    again
        .post("/console/login", &[("csrf", &login.csrf())])
        .await
        .expect_redirect("/console/login?expired=1");
}

both_engines!(qr_tickets_expire, qr_ticket_expiry);
async fn qr_ticket_expiry(app: TestApp) {
    let c = Community::seed(&app).await;
    let mut browser = Browser::new(&app);
    let login = browser.get("/console/login").await.expect(200);
    app.clock.advance_ms(5 * 60_000);
    approve_ticket(&app, &c.leader_a, &ticket_of(&login))
        .await
        .expect_error(404, "not_found");
    assert!(browser.get("/console/login/status").await.text.contains("expired"));
    // The page then shows a fresh code.
    assert_ne!(ticket_of(&browser.get("/console/login").await), ticket_of(&login));
}

both_engines!(one_time_links_sign_in_once, one_time_link);
async fn one_time_link(app: TestApp) {
    let c = Community::seed(&app).await;
    let settings = app.state().settings.clone();
    let link = microwish::admin::console_link(&app.db, &settings, &c.leader_a.openid)
        .await
        .unwrap();
    let path = &link[link.find("/console/link/").expect("a console link")..];
    assert!(
        microwish::admin::console_link(&app.db, &settings, &c.owner.openid)
            .await
            .is_err()
    );
    assert!(
        microwish::admin::console_link(&app.db, &settings, "nobody")
            .await
            .is_err()
    );

    // Behind a TLS proxy, cookies are Secure.
    let mut browser = Browser::new(&app).with_header("x-forwarded-proto", "https");
    // Looking at the link (a chat preview does) does not spend it.
    browser.get(path).await.expect(200);
    let page = browser.get(path).await.expect(200);
    browser.post(path, &[("csrf", "forged")]).await.expect(403);
    let done = browser
        .post(path, &[("csrf", &page.csrf())])
        .await
        .expect_redirect("/console/queue");
    assert!(
        done.set_cookies.iter().all(|c| c.contains("; Secure")),
        "{:?}",
        done.set_cookies
    );
    browser.get("/console/queue").await.expect(200);

    let mut second = Browser::new(&app);
    let page = second.get(path).await.expect(200);
    second.post(path, &[("csrf", &page.csrf())]).await.expect(410);

    app.clock.advance_ms(12 * 3_600_000);
    browser.get("/console/queue").await.expect_redirect("/console/login");
}

both_engines!(signing_out_and_losing_the_role_end_the_session, sign_out);
async fn sign_out(app: TestApp) {
    let c = Community::seed(&app).await;
    let mut browser = signed_in(&app, &c.leader_a).await;
    let queue = browser.get("/console/queue").await.expect(200);
    let old_cookie = browser.cookie("mw_console").unwrap().clone();
    browser.post("/console/logout", &[("csrf", "forged")]).await.expect(403);
    browser.get("/console/queue").await.expect(200);
    browser
        .post("/console/logout", &[("csrf", &queue.csrf())])
        .await
        .expect_redirect("/console/login");
    let mut replay = Browser::new(&app);
    replay.set_cookie("mw_console", &old_cookie);
    replay.get("/console/queue").await.expect_redirect("/console/login");

    // "Sign out everywhere" in the mini-program, and an admin's revocation, end console sessions too.
    let mut browser = signed_in(&app, &c.leader_a).await;
    app.call("DELETE", "/api/v1/me/sessions", Some(&c.leader_a.token), None)
        .await
        .expect(204);
    browser.get("/console/queue").await.expect_redirect("/console/login");
    let leader_a = app.login("leader-a").await;
    let mut browser = signed_in(&app, &leader_a).await;
    let path = format!("/api/v1/admin/users/{}/sessions", leader_a.id);
    let revoked = app.call("DELETE", &path, Some(&c.admin.token), None).await.expect(200);
    assert_eq!(revoked["revoked"], 2, "the API token and the console session");
    browser.get("/console/queue").await.expect_redirect("/console/login");

    // A leader whose role is taken away is out at the next page.
    let mut browser = signed_in(&app, &c.leader_b).await;
    app.set_roles(&c.admin, &c.leader_b, &[]).await;
    browser.get("/console/queue").await.expect_redirect("/console/login");
}

both_engines!(the_language_switch_keeps_the_page, language_switch);
async fn language_switch(app: TestApp) {
    let c = Community::seed(&app).await;
    let mut browser = signed_in(&app, &c.leader_a).await;
    let zh = browser.get("/console/queue").await.expect(200);
    assert!(zh.text.contains("<html lang=\"zh-CN\">") && zh.text.contains("待审核的心愿"));
    browser
        .get("/console/lang/en?back=%2Fconsole%2Fqueue")
        .await
        .expect_redirect("/console/queue");
    let en = browser.get("/console/queue").await.expect(200);
    assert!(en.text.contains("<html lang=\"en\">") && en.text.contains("Wishes to review"));
    // Never a way off the site.
    for back in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example",
        "%2Fapi%2Fv1%2Fme",
    ] {
        browser
            .get(&format!("/console/lang/zh-CN?back={back}"))
            .await
            .expect_redirect("/console/");
    }
}
