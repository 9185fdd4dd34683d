//! The stub's memory, and the login and access-token behaviour of WeChat.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

use super::robot::Robot;

/// A WeChat refusal: the `errcode` and the `errmsg` before its `rid:` suffix.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) errcode: i64,
    pub(crate) errmsg: String,
}

/// What a stub route answers: the success body or a refusal.
pub(crate) type Outcome = Result<Value, Refusal>;

/// Builds a refusal.
pub(crate) fn refuse(errcode: i64, errmsg: impl Into<String>) -> Refusal {
    Refusal {
        errcode,
        errmsg: errmsg.into(),
    }
}

/// A random alphanumeric string, for codes, tokens, keys and rids.
pub(crate) fn random_id(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub(crate) struct LoginCode {
    openid: String,
    issued: Instant,
    used: bool,
    /// An injected failure answered once, before the code behaves normally.
    fail_with: Option<i64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenState {
    Valid,
    Expired,
    Revoked,
}

/// Everything the stub remembers; one instance behind a mutex per stub.
pub(crate) struct StubState {
    pub(crate) appid: String,
    pub(crate) secret: String,
    pub(crate) login_codes: HashMap<String, LoginCode>,
    pub(crate) code_ttl: Duration,
    /// Openids that have logged in or been granted a subscription; others get 40003.
    pub(crate) known_openids: HashSet<String>,
    pub(crate) tokens: HashMap<String, TokenState>,
    pub(crate) stable_token: Option<String>,
    pub(crate) token_fetches: u64,
    pub(crate) token_delay: Duration,
    pub(crate) risky_words: Vec<String>,
    pub(crate) review_words: Vec<String>,
    pub(crate) sec_check_calls: u64,
    /// Phone code to phone number; removed on use.
    pub(crate) phone_codes: HashMap<String, String>,
    pub(crate) templates: HashMap<String, Vec<String>>,
    pub(crate) quotas: HashMap<(String, String), u32>,
    /// How many upcoming sends fail, and with which errcode.
    pub(crate) failing_sends: (u32, i64),
    pub(crate) subscribe_log: Vec<Value>,
    pub(crate) next_msgid: i64,
    pub(crate) robots: HashMap<String, Robot>,
    pub(crate) robot_window: Duration,
}

impl StubState {
    pub(crate) fn new(appid: &str, secret: &str) -> Self {
        let words = |list: &[&str]| list.iter().map(|w| (*w).to_owned()).collect();
        Self {
            appid: appid.to_owned(),
            secret: secret.to_owned(),
            login_codes: HashMap::new(),
            code_ttl: Duration::from_secs(300),
            known_openids: HashSet::new(),
            tokens: HashMap::new(),
            stable_token: None,
            token_fetches: 0,
            token_delay: Duration::ZERO,
            risky_words: words(&["RISKY-WORD", "违禁词"]),
            review_words: words(&["REVIEW-WORD", "待审词"]),
            sec_check_calls: 0,
            phone_codes: HashMap::new(),
            templates: HashMap::new(),
            quotas: HashMap::new(),
            failing_sends: (0, 0),
            subscribe_log: Vec::new(),
            next_msgid: 1_000_000,
            robots: HashMap::new(),
            robot_window: Duration::from_secs(60),
        }
    }

    pub(crate) fn issue_login_code(&mut self, openid: &str, fail_with: Option<i64>) -> String {
        let code = random_id(32);
        self.known_openids.insert(openid.to_owned());
        let entry = LoginCode {
            openid: openid.to_owned(),
            issued: Instant::now(),
            used: false,
            fail_with,
        };
        self.login_codes.insert(code.clone(), entry);
        code
    }

    pub(crate) fn code2session(&mut self, query: &HashMap<String, String>) -> Outcome {
        let param = |name: &str| query.get(name).map(String::as_str).unwrap_or("");
        if param("appid") != self.appid {
            return Err(refuse(40029, "invalid code, appid mismatch"));
        }
        if param("secret") != self.secret {
            return Err(refuse(40125, "invalid appsecret"));
        }
        if param("grant_type") != "authorization_code" {
            return Err(refuse(40002, "invalid grant_type"));
        }
        let ttl = self.code_ttl;
        let Some(code) = self.login_codes.get_mut(param("js_code")) else {
            return Err(refuse(40029, "invalid code"));
        };
        if let Some(errcode) = code.fail_with.take() {
            return Err(refuse(errcode, "injected failure"));
        }
        if code.used {
            return Err(refuse(40163, "code been used"));
        }
        if code.issued.elapsed() > ttl {
            return Err(refuse(40029, "invalid code, expired"));
        }
        code.used = true;
        Ok(json!({ "openid": code.openid, "session_key": random_id(24) }))
    }

    /// Serves both token routes; the stable token is reused until it expires or is revoked.
    pub(crate) fn issue_token(&mut self, params: &Value, stable: bool) -> Outcome {
        let param = |name: &str| params.get(name).and_then(Value::as_str).unwrap_or("");
        if param("grant_type") != "client_credential" {
            return Err(refuse(40002, "invalid grant_type"));
        }
        if param("appid").is_empty() {
            return Err(refuse(41002, "appid missing"));
        }
        if param("appid") != self.appid {
            return Err(refuse(40013, "invalid appid"));
        }
        if param("secret") != self.secret {
            return Err(refuse(40125, "invalid appsecret"));
        }
        self.token_fetches += 1;
        let current = self
            .stable_token
            .clone()
            .filter(|t| stable && self.tokens.get(t) == Some(&TokenState::Valid));
        let token = current.unwrap_or_else(|| {
            let token = random_id(64);
            self.tokens.insert(token.clone(), TokenState::Valid);
            token
        });
        if stable {
            self.stable_token = Some(token.clone());
        }
        Ok(json!({ "access_token": token, "expires_in": 7200 }))
    }

    pub(crate) fn check_token(&self, token: Option<&str>) -> Result<(), Refusal> {
        match token.filter(|t| !t.is_empty()) {
            None => Err(refuse(41001, "access_token missing")),
            Some(token) => match self.tokens.get(token) {
                Some(TokenState::Valid) => Ok(()),
                Some(TokenState::Expired) => Err(refuse(42001, "access_token expired")),
                Some(TokenState::Revoked) | None => Err(refuse(
                    40001,
                    "invalid credential, access_token is invalid or not latest",
                )),
            },
        }
    }

    /// Moves every valid token to `to`, as when WeChat expires or revokes them.
    pub(crate) fn age_tokens(&mut self, to: TokenState) {
        for state in self.tokens.values_mut() {
            if *state == TokenState::Valid {
                *state = to;
            }
        }
    }
}
