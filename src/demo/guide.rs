//! What `microwish demo` prints: the walkthrough with ready-made commands, the console's
//! one-time links, and a live view of what every channel delivered.

use std::sync::Arc;

use microwish_core::{Clock, Db, Settings, SystemClock};
use microwish_testkit::smtp::SmtpCapture;
use microwish_wechat::WechatStub;

use super::CLAIM_TEMPLATE;

/// The printed sign-in, as shell commands: a `wx.login` code from the stub, exchanged for a
/// session token. Public so a test runs exactly what the demo prints.
pub fn sign_in_commands(api: &str, stub: &str) -> [String; 2] {
    [
        format!(
            "CODE=$(curl -s -X POST {stub}/__stub/login_code -H 'content-type: application/json' -d '{{\"openid\":\"someone-new\"}}' | sed 's/.*\"code\":\"\\([^\"]*\\)\".*/\\1/')"
        ),
        format!(
            "curl -s -X POST {api}/api/v1/auth/wechat -H 'content-type: application/json' -d \"{{\\\"code\\\":\\\"$CODE\\\"}}\""
        ),
    ]
}

pub(super) fn print_walkthrough(api: &str, stub: &str, tokens: &[(&str, &str, String)]) {
    let token = |openid: &str| {
        tokens
            .iter()
            .find(|t| t.0 == openid)
            .map(|t| t.2.clone())
            .unwrap_or_default()
    };
    println!("\n=== microwish demo — a seeded community is running ===\n");
    println!("API:         {api}/api/v1    Swagger UI: {api}/docs    OpenAPI: {api}/openapi.json");
    println!("WeChat stub: {stub}   (also serves the WeCom robot API)\n");
    println!("Signed-in people (token valid 7 days):");
    for (openid, name, t) in tokens {
        println!("  {name:<12} {openid:<18} {t}");
    }
    let v1 = token("demo-volunteer-1");
    let r1 = token("demo-resident-1");
    let l1 = token("demo-leader-1");
    println!("\nTry it:");
    println!("  # a volunteer browses open wishes: phone numbers are masked, addresses hidden");
    println!("  curl -s '{api}/api/v1/wishes?status=open' -H 'Authorization: Bearer {v1}'");
    println!("  # ... claims one (run it twice: the second answers 409 claim_lost)");
    println!("  curl -s -X POST {api}/api/v1/wishes/2/claim -H 'Authorization: Bearer {v1}'");
    println!("  # ... and now sees 王奶奶's phone and address; then reports it done");
    println!(
        "  curl -s -X POST {api}/api/v1/wishes/2/fulfil -H 'Authorization: Bearer {v1}' -H 'content-type: application/json' -d '{{\"note\":\"换好了新灯泡\"}}'"
    );
    println!("  # the resident confirms and rates");
    println!(
        "  curl -s -X POST {api}/api/v1/wishes/2/confirm -H 'Authorization: Bearer {r1}' -H 'content-type: application/json' -d '{{\"rating\":5,\"comment\":\"谢谢小王！\"}}'"
    );
    println!("  curl -s {api}/api/v1/wishes/2/timeline -H 'Authorization: Bearer {r1}'");
    println!("  # the grid leader sees everything in their grid, full contact details included");
    println!("  curl -s '{api}/api/v1/wishes?grid_id=1' -H 'Authorization: Bearer {l1}'");
    println!("  # post a new wish as a resident");
    println!(
        "  curl -s -X POST {api}/api/v1/wishes -H 'Authorization: Bearer {r1}' -H 'content-type: application/json' -d '{{\"title\":\"帮忙取快递\",\"description\":\"驿站的快递太重了\",\"category\":\"errand\"}}'"
    );
    println!("  # sign in as anyone through the stub, the way the mini-program does with wx.login");
    for line in sign_in_commands(api, stub) {
        println!("  {line}");
    }
    println!("  # what each channel received: emails and WeChat messages are printed below as they arrive;");
    println!("  # the stub also lists them (subscribe messages and robot posts):");
    println!("  curl -s {stub}/__stub/messages");
    println!(
        "  # grant 王奶奶 one subscribe-message send (as wx.requestSubscribeMessage would) to see WeChat win over email"
    );
    println!(
        "  curl -s -X POST {api}/api/v1/me/subscriptions -H 'Authorization: Bearer {r1}' -H 'content-type: application/json' -d '{{\"results\":{{\"{CLAIM_TEMPLATE}\":\"accept\"}}}}'"
    );
    println!(
        "  curl -s -X POST {stub}/__stub/grant -H 'content-type: application/json' -d '{{\"openid\":\"demo-resident-1\",\"template_id\":\"{CLAIM_TEMPLATE}\",\"count\":1}}'"
    );
    println!("  # which templates to ask her to accept next: what her wishes and events make likely soon");
    println!("  curl -s {api}/api/v1/me/subscriptions -H 'Authorization: Bearer {r1}'");
    println!("  # her messages and the API's error messages in English");
    println!(
        "  curl -s -X PUT {api}/api/v1/me -H 'Authorization: Bearer {r1}' -H 'content-type: application/json' -d '{{\"language\":\"en\"}}'"
    );
    println!("  # upcoming events, and a personal calendar feed (webcal://) of those she registered for");
    println!("  curl -s '{api}/api/v1/events?scope=upcoming' -H 'Authorization: Bearer {r1}'");
    println!("  curl -s -X POST {api}/api/v1/me/calendar -H 'Authorization: Bearer {r1}'");
    println!("\nCtrl-C stops the demo and removes its temporary database.\n");
}

/// Prints one-time sign-in links to the web console for a grid leader and the admin.
pub(super) async fn print_console_links(db: &Db, settings: &Settings, api: &str) -> anyhow::Result<()> {
    let ttl = settings.console.link_ttl.as_millis_i64();
    println!("Web console: {api}/console/ (the QR sign-in needs the mini-program; these one-time links do not):");
    for (who, openid) in [("grid leader 1", "demo-leader-1"), ("admin", "demo-admin")] {
        let mut tx = db.begin_write().await?;
        let token = microwish_core::console::signin::issue_link(&mut tx, openid, SystemClock.now_ms(), ttl).await?;
        tx.commit().await?;
        println!("  {who:<14} {api}/console/link/{token}");
    }
    println!();
    Ok(())
}

/// Prints each email the local SMTP capture receives and each WeChat/robot message the stub
/// receives, as they arrive, so a newcomer sees what every channel delivered.
pub(super) async fn show_deliveries(smtp: SmtpCapture, stub: Arc<WechatStub>) {
    let (mut mails, mut chats) = (0, 0);
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        for mail in smtp.messages().iter().skip(mails) {
            let subject = mail.subject().unwrap_or_else(|| "?".into());
            println!("[email → {}] {subject}", mail.to.join(", "));
        }
        mails = smtp.messages().len();
        let sent = stub.subscribe_messages();
        for msg in sent.iter().skip(chats) {
            println!("[WeChat subscribe message → {}] {}", msg["touser"], msg["data"]);
        }
        chats = sent.len();
    }
}
