//! The test harness: `TestApp::spawn(engine)` starts the whole server on port 0 with its own
//! database (a fresh SQLite file, or a fresh PostgreSQL database) and its own WeChat stub;
//! `TestApp` has one method per endpoint. `both_engines!` turns one test body into two tests.

#![allow(dead_code)] // A shared harness: not every test uses every helper.

mod cobuild;
mod party;

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};

use microwish::startup::{self, RunningServer};
use microwish_core::people::Role;
use microwish_core::{Clock, Db, ManualClock, Settings, SystemClock};
use microwish_testkit::ThrowawayDb;
use microwish_wechat::WechatStub;

pub const APPID: &str = "wxtest0000000000";
pub const SECRET: &str = "test-secret";

/// Which database engine a test runs on.
pub use microwish_core::Engine;

/// Runs one async test body on both engines, as two separate tests.
#[macro_export]
macro_rules! both_engines {
    ($name:ident, $body:ident) => {
        $crate::both_engines!($name, $body, |_settings| {});
    };
    ($name:ident, $body:ident, $configure:expr) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn_with($crate::helpers::Engine::Sqlite, $configure).await;
                super::$body(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::helpers::TestApp::spawn_with($crate::helpers::Engine::Postgres, $configure).await;
                super::$body(app).await;
            }
        }
    };
}

/// A running microwish with its own database and WeChat stub.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub stub: WechatStub,
    pub db: Db,
    pub clock: Arc<ManualClock>,
    pub engine: Engine,
    /// The first admin's token, once `admin()` made one: `profile()` approves residences with it.
    admin_token: std::sync::Mutex<Option<String>>,
    server: Option<RunningServer>,
    cleanup: Option<ThrowawayDb>,
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub token: String,
    pub openid: String,
}

/// An answer: status and JSON body (Null when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        self.body
    }

    /// Asserts a JSON error with this status and code.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        assert_eq!(self.body["code"], code, "unexpected code; body: {}", self.text);
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "no message: {}",
            self.text
        );
    }
}

/// The embedded default configuration, pointed at a test database and stub.
pub fn test_settings(database_url: &str, stub: &WechatStub) -> Settings {
    let mut s = microwish::config::load(None).expect("default config");
    s.server.bind = "127.0.0.1:0".into();
    s.database.url = database_url.into();
    s.database.max_connections = 8;
    s.wechat.api_base = stub.base_url();
    s.wechat.appid = APPID.into();
    s.wechat.secret = SECRET.into();
    s.wecom.api_base = stub.base_url();
    s.notifier.enabled = false;
    // Limits would slow or fail unrelated tests; the tests of the limits switch them back on.
    s.limits.enabled = false;
    // Each app keeps its photos in a directory of its own (named after its database).
    let name: String = database_url.chars().filter(char::is_ascii_alphanumeric).collect();
    let photos = std::env::temp_dir().join("microwish-test-photos").join(name);
    s.photos.store = format!("file://{}", photos.display());
    s
}

impl TestApp {
    /// Starts the app on `engine` with the default configuration.
    pub async fn spawn(engine: Engine) -> TestApp {
        Self::spawn_with(engine, |_| {}).await
    }

    /// Starts the app on `engine` after `configure` has adjusted the settings.
    pub async fn spawn_with(engine: Engine, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let stub = WechatStub::start(APPID, SECRET).expect("stub");
        let throwaway = ThrowawayDb::create(engine, "mw_test", "MICROWISH_TEST_POSTGRES_URL")
            .await
            .unwrap_or_else(|e| panic!("a throwaway database: {e}"));
        let mut settings = test_settings(&throwaway.url, &stub);
        configure(&mut settings);
        settings.validate().expect("valid test settings");
        let db = startup::open_database(&settings).await.expect("database");
        let clock = Arc::new(ManualClock::at(SystemClock.now_ms()));
        let server = startup::start_server(Arc::new(settings), db.clone(), clock.clone())
            .await
            .expect("server");
        let base = format!("http://{}", server.addr);
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        TestApp {
            base,
            client,
            stub,
            db,
            clock,
            engine,
            admin_token: std::sync::Mutex::new(None),
            server: Some(server),
            cleanup: Some(throwaway),
        }
    }

    /// The running server's shared state (settings, WeChat client, metrics).
    pub fn state(&self) -> &microwish_server::AppState {
        &self.server.as_ref().expect("running").state
    }

    /// Sends a request; `body` None sends no body.
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        self.send(req).await
    }

    /// Sends a prepared request.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, body, text }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call("POST", path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call("PUT", path, Some(token), Some(body)).await
    }

    /// Signs in through the real flow: a code from the stub, exchanged at `/auth/wechat`.
    pub async fn login(&self, openid: &str) -> TestUser {
        let code = self.stub.issue_login_code(openid);
        let body = self
            .call("POST", "/api/v1/auth/wechat", None, Some(json!({ "code": code })))
            .await
            .expect(200);
        TestUser {
            id: body["user"]["id"].as_i64().unwrap(),
            token: body["token"].as_str().unwrap().to_string(),
            openid: openid.to_string(),
        }
    }

    /// Makes the first admin the way an operator does, with `microwish admin grant`'s code path.
    pub async fn admin(&self, openid: &str) -> TestUser {
        microwish::admin::grant(&self.db, openid, Role::Admin, None)
            .await
            .unwrap();
        let admin = self.login(openid).await;
        self.admin_token.lock().unwrap().get_or_insert(admin.token.clone());
        admin
    }

    /// Creates a grid (as `admin`) led by `leader`.
    pub async fn grid(&self, admin: &TestUser, name: &str, leader: Option<&TestUser>) -> i64 {
        let body = json!({ "name": name, "leader_user_id": leader.map(|l| l.id) });
        self.post("/api/v1/admin/grids", &admin.token, body).await.expect(201)["id"]
            .as_i64()
            .unwrap()
    }

    /// Sets roles (as `admin`).
    pub async fn set_roles(&self, admin: &TestUser, user: &TestUser, roles: &[&str]) {
        self.put(
            &format!("/api/v1/admin/users/{}/roles", user.id),
            &admin.token,
            json!({ "roles": roles }),
        )
        .await
        .expect(200);
    }

    /// Fills in a profile: name, phone, grid, building and address. The grid is a residence
    /// request; unless it was verified at once, the first admin approves it, as staff would.
    pub async fn profile(&self, user: &TestUser, name: &str, phone: &str, grid_id: i64) {
        let body = json!({
            "display_name": name, "phone": phone, "grid_id": grid_id,
            "building": "3号楼", "address": format!("3号楼2单元{}室", user.id),
        });
        let me = self.put("/api/v1/me", &user.token, body).await.expect(200);
        if let Some(request) = me["pending_residence_request_id"].as_i64() {
            let admin = self.admin_token.lock().unwrap().clone();
            let admin = admin.expect("profile() needs an admin (app.admin) to approve the residence");
            let path = format!("/api/v1/residence-requests/{request}/approve");
            self.call("POST", &path, Some(&admin), None).await.expect(200);
        }
        let me = self.get("/api/v1/me", &user.token).await.expect(200);
        assert_eq!(me["grid_id"], grid_id, "residence verified: {me}");
        assert_eq!(me["residence_verified"], true);
    }

    /// Posts a wish and returns it.
    pub async fn wish(&self, user: &TestUser, title: &str) -> Value {
        let body = json!({ "title": title, "description": "请帮帮忙", "category": "errand" });
        self.post("/api/v1/wishes", &user.token, body).await.expect(201)
    }

    /// Takes a wish through an action with an optional body.
    pub async fn act(&self, user: &TestUser, wish_id: i64, action: &str, body: Option<Value>) -> Answer {
        self.call(
            "POST",
            &format!("/api/v1/wishes/{wish_id}/{action}"),
            Some(&user.token),
            body,
        )
        .await
    }

    /// Edits a wish (`PUT /wishes/{id}`).
    pub async fn edit_wish(&self, user: &TestUser, wish_id: i64, body: Value) -> Answer {
        self.call(
            "PUT",
            &format!("/api/v1/wishes/{wish_id}"),
            Some(&user.token),
            Some(body),
        )
        .await
    }

    /// A wish's timeline as `user` sees it.
    pub async fn timeline(&self, user: &TestUser, wish_id: i64) -> Vec<Value> {
        let body = self
            .get(&format!("/api/v1/wishes/{wish_id}/timeline"), &user.token)
            .await;
        body.expect(200).as_array().cloned().unwrap_or_default()
    }

    /// Links `family` to `resident` through a one-time family code.
    pub async fn link_family(&self, resident: &TestUser, family: &TestUser) {
        let answer = self
            .call("POST", "/api/v1/me/family-codes", Some(&resident.token), None)
            .await;
        let code = answer.expect(201)["code"].clone();
        self.post("/api/v1/me/family", &family.token, json!({ "code": code }))
            .await
            .expect(200);
    }

    /// A page of the audit log, as `admin` reads it (`query`: the query string after `?`).
    pub async fn audit(&self, admin: &TestUser, query: &str) -> Answer {
        self.get(&format!("/api/v1/admin/audit?{query}"), &admin.token).await
    }

    /// The kinds of the audit entries a query finds, newest first.
    pub async fn audit_kinds(&self, admin: &TestUser, query: &str) -> Vec<String> {
        let page = self.audit(admin, query).await.expect(200);
        let items = page["items"].as_array().expect("items");
        items.iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
    }

    /// Every entry of the audit log (at most 500), newest first.
    pub async fn audit_all(&self, admin: &TestUser) -> Vec<Value> {
        let page = self.audit(admin, "limit=500").await.expect(200);
        page["items"].as_array().expect("items").clone()
    }

    /// Uploads a photo to a wish with this content type.
    pub async fn upload_photo(&self, user: &TestUser, wish_id: i64, content_type: &str, bytes: Vec<u8>) -> Answer {
        let url = format!("{}/api/v1/wishes/{wish_id}/photos", self.base);
        let req = self
            .client
            .post(url)
            .bearer_auth(&user.token)
            .header("content-type", content_type);
        self.send(req.body(bytes)).await
    }

    /// Fetches a photo's bytes: status, content type, body.
    pub async fn photo(&self, user: &TestUser, photo_id: i64) -> (u16, String, Vec<u8>) {
        let url = format!("{}/api/v1/photos/{photo_id}", self.base);
        let resp = self
            .client
            .get(url)
            .bearer_auth(&user.token)
            .send()
            .await
            .expect("sent");
        let status = resp.status().as_u16();
        let kind = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or("").to_string());
        (status, kind.unwrap_or_default(), resp.bytes().await.unwrap().to_vec())
    }

    /// Outbox rows recorded for a wish: (kind, recipient) in order.
    pub async fn outbox(&self, wish_id: i64) -> Vec<(String, i64)> {
        let mut conn = self.db.pool().acquire().await.unwrap();
        microwish_core::outbox::for_subject(&mut conn, "wish", wish_id)
            .await
            .unwrap()
            .into_iter()
            .map(|n| (n.kind.to_string(), n.recipient_id))
            .collect()
    }

    /// Rows of an audit table (`contact_views`, `volunteer_contact_views`) for a viewer and wish.
    pub async fn audit_rows(&self, table: &str, viewer: &TestUser, wish_id: i64) -> i64 {
        use sqlx::Row;
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE viewer_id = $1 AND wish_id = $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(viewer.id)
            .bind(wish_id)
            .fetch_one(self.db.pool())
            .await
            .unwrap()
            .get(0)
    }

    /// Counts rows of a table (for "nothing half-written" checks).
    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(self.db.pool())
            .await
            .unwrap()
            .get(0)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let server = self.server.take();
        let cleanup = self.cleanup.take();
        let db = self.db.clone();
        // Async clean-up from a destructor: on a thread of its own, with a runtime of its own.
        let handle = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                drop(server);
                db.close().await;
                if let Some(throwaway) = cleanup {
                    throwaway.drop_now().await;
                }
            });
        });
        let _ = handle.join();
    }
}

/// A small community: an admin, two grids with leaders, residents and volunteers, all signed in
/// with complete profiles. Grid A holds the owner, the other resident and both volunteers.
pub struct Community {
    pub admin: TestUser,
    pub grid_a: i64,
    pub grid_b: i64,
    pub leader_a: TestUser,
    pub leader_b: TestUser,
    pub owner: TestUser,
    pub other_resident: TestUser,
    pub volunteer: TestUser,
    pub volunteer2: TestUser,
}

/// Phone numbers of the community, to search responses for.
pub const OWNER_PHONE: &str = "13812345678";

impl Community {
    pub async fn seed(app: &TestApp) -> Community {
        let admin = app.admin("admin-openid").await;
        let leader_a = app.login("leader-a").await;
        let leader_b = app.login("leader-b").await;
        let grid_a = app.grid(&admin, "第一网格", Some(&leader_a)).await;
        let grid_b = app.grid(&admin, "第二网格", Some(&leader_b)).await;
        let owner = app.login("owner").await;
        let other_resident = app.login("other-resident").await;
        let volunteer = app.login("volunteer-1").await;
        let volunteer2 = app.login("volunteer-2").await;
        app.set_roles(&admin, &volunteer, &["volunteer"]).await;
        app.set_roles(&admin, &volunteer2, &["volunteer"]).await;
        app.profile(&owner, "王奶奶", OWNER_PHONE, grid_a).await;
        app.profile(&other_resident, "李大爷", "13900001111", grid_a).await;
        app.profile(&volunteer, "小王", "13700002222", grid_a).await;
        app.profile(&volunteer2, "小李", "13700003333", grid_a).await;
        app.profile(&leader_a, "刘网格长", "13600004444", grid_a).await;
        app.profile(&leader_b, "赵网格长", "13600005555", grid_b).await;
        Community {
            admin,
            grid_a,
            grid_b,
            leader_a,
            leader_b,
            owner,
            other_resident,
            volunteer,
            volunteer2,
        }
    }
}

impl TestApp {
    /// How many notifications have this status.
    pub async fn get_status_count(&self, status: &str) -> i64 {
        use sqlx::Row;
        sqlx::query("SELECT COUNT(*) FROM notifications WHERE status = $1")
            .bind(status)
            .fetch_one(self.db.pool())
            .await
            .unwrap()
            .get(0)
    }
}
