//! Links people follow out of a message: the server's public address (the console's pages, the
//! calendar feed) and the mini-program's pages opened from outside WeChat. One place, so an email,
//! a printed sign-in link and a calendar URL all agree on where this installation lives.

use crate::config::Settings;

impl Settings {
    /// The address people reach this server at: `console.public_url`, else `http://{server.bind}`,
    /// without a trailing slash.
    pub fn public_url(&self) -> String {
        match self.console.public_url.trim_end_matches('/') {
            "" => format!("http://{}", self.server.bind),
            url => url.to_string(),
        }
    }
}

/// A wish's page in the web console (grid leaders and admins).
pub fn console_wish(settings: &Settings, wish_id: i64) -> String {
    format!("{}/console/wishes/{wish_id}", settings.public_url())
}

/// The console's queue of what waits for a leader.
pub fn console_queue(settings: &Settings) -> String {
    format!("{}/console/queue", settings.public_url())
}

/// A mini-program page opened from outside WeChat (an email on the phone): WeChat's plain URL
/// scheme, `weixin://dl/business/?appid=…&path=…&query=…` (the page must be allowed for it in the
/// WeChat console). `query` is `key=value&…` of plain values and is percent-encoded here.
pub fn miniprogram(settings: &Settings, path: &str, query: &str) -> String {
    let encoded: String = query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!(
        "weixin://dl/business/?appid={}&path={path}&query={encoded}",
        settings.wechat.appid
    )
}

/// A wish's page in the mini-program, opened from outside WeChat.
pub fn miniprogram_wish(settings: &Settings, wish_id: i64) -> String {
    miniprogram(settings, "pages/wish/detail", &format!("id={wish_id}"))
}
