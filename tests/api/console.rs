//! The web console over HTTP, as a browser uses it: cookies, forms, redirects. Sign-in by QR
//! ticket (approved over the API) and by one-time link; the cookie flags; CSRF refusal on every
//! kind of form; the grid leader's queue and its actions; the same authorization as the API;
//! the language switch. `browser` drives the same flows in headless Chromium.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, TestUser};

mod audit;
mod browser;
mod dashboard;
mod event_edit;
mod events;
mod exports;
mod imports;
mod party;
mod queue;
mod queue_pages;
mod register;
mod signin;
mod webdriver;

/// A page as a browser got it.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub text: String,
}

impl Page {
    /// Asserts the status, returns the page.
    #[track_caller]
    pub fn expect(self, status: u16) -> Page {
        assert_eq!(self.status.as_u16(), status, "unexpected status; page: {}", self.text);
        self
    }

    /// Asserts a 303 to `to`.
    #[track_caller]
    pub fn expect_redirect(self, to: &str) -> Page {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "not a redirect; page: {}",
            self.text
        );
        assert_eq!(self.location.as_deref(), Some(to));
        self
    }

    /// The value of the first form field called `csrf` on the page.
    pub fn csrf(&self) -> String {
        attribute_after(&self.text, "name=\"csrf\" value=\"").expect("a form with a CSRF token")
    }
}

/// The text between `marker` and the next `"`.
pub fn attribute_after(text: &str, marker: &str) -> Option<String> {
    let start = text.find(marker)? + marker.len();
    let end = text[start..].find('"')? + start;
    Some(text[start..end].to_string())
}

/// A browser: a cookie jar and a client that does not follow redirects.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    jar: BTreeMap<String, String>,
    headers: Vec<(&'static str, String)>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            base: app.base.clone(),
            client,
            jar: BTreeMap::new(),
            headers: Vec::new(),
        }
    }

    /// Sends this header with every request from now on.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Browser {
        self.headers.push((name, value.to_string()));
        self
    }

    pub fn cookie(&self, name: &str) -> Option<&String> {
        self.jar.get(name)
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.jar.insert(name.into(), value.into());
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let cookies: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut req = req.header("cookie", cookies.join("; "));
        for (name, value) in &self.headers {
            req = req.header(*name, value);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let location = resp.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &set_cookies {
            let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_string(), value.to_string());
            }
        }
        let text = resp.text().await.unwrap_or_default();
        Page {
            status,
            location,
            set_cookies,
            text,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"));
        self.send(req).await
    }
}

impl Browser {
    /// Posts a `multipart/form-data` form with text fields and one file, as a browser uploads it.
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Page {
        const BOUNDARY: &str = "----microwish-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            let part = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
            body.extend_from_slice(part.as_bytes());
        }
        let head = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: text/csv\r\n\r\n",
            file.0
        );
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(body);
        self.send(req).await
    }
}

/// Form encoding (`application/x-www-form-urlencoded`), as a browser sends it.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The ticket the sign-in page shows (also the text of its QR code, after `mwconsole:`).
pub fn ticket_of(page: &Page) -> String {
    attribute_after(&page.text, "data-ticket=\"").expect("a ticket on the sign-in page")
}

/// Approves a console ticket from the mini-program, as `who`.
pub async fn approve_ticket(app: &TestApp, who: &TestUser, ticket: &str) -> crate::helpers::Answer {
    let path = format!("/api/v1/console/tickets/{ticket}/approve");
    app.call("POST", &path, Some(&who.token), Some(json!({}))).await
}

/// A browser signed in as `who` through the QR flow; returns it on the queue page.
pub async fn signed_in(app: &TestApp, who: &TestUser) -> Browser {
    let mut browser = Browser::new(app);
    let login = browser.get("/console/login").await.expect(200);
    approve_ticket(app, who, &ticket_of(&login)).await.expect(200);
    browser
        .post("/console/login", &[("csrf", &login.csrf())])
        .await
        .expect_redirect("/console/queue");
    browser
}
