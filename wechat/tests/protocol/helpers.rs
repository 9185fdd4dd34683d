//! A running stub with clients pointed at it, one per test.

use microwish_wechat::{MiniProgram, WechatConfig, WechatStub, WecomRobot};

pub const APPID: &str = "wx-test-appid";
pub const SECRET: &str = "test-secret";

/// A fresh stub and the clients under test, all talking over real HTTP.
pub struct TestApp {
    pub stub: WechatStub,
    pub mini: MiniProgram,
    pub robot: WecomRobot,
}

/// Starts a stub on a free port; call from inside a Tokio runtime.
pub fn spawn_app() -> TestApp {
    let stub = WechatStub::start(APPID, SECRET).expect("stub starts");
    let mini = MiniProgram::new(config(&stub, SECRET)).expect("client builds");
    let robot = WecomRobot::new(stub.base_url()).expect("robot builds");
    TestApp { stub, mini, robot }
}

/// A client configuration for `stub` with the given secret.
pub fn config(stub: &WechatStub, secret: &str) -> WechatConfig {
    WechatConfig {
        api_base: stub.base_url(),
        appid: APPID.to_owned(),
        secret: secret.to_owned(),
    }
}

/// Logs `openid` in so the stub knows it, as a user opening the mini-program would.
pub async fn log_in(app: &TestApp, openid: &str) {
    let code = app.stub.issue_login_code(openid);
    app.mini.code2session(&code).await.expect("login works");
}
