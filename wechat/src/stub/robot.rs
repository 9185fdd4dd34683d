//! The stub's WeCom group robot: key check, the sliding 20-per-window limit and content limits.

use std::collections::VecDeque;
use std::time::Instant;

use serde_json::{Value, json};

use super::state::{Outcome, StubState, refuse};
use crate::{MARKDOWN_MAX_BYTES, TEXT_MAX_BYTES};

/// WeCom lets a robot post this many messages per window (60 s unless a test shortens it).
const MESSAGES_PER_WINDOW: usize = 20;

/// One registered robot: when it last posted, and what.
#[derive(Default)]
pub(crate) struct Robot {
    sent: VecDeque<Instant>,
    pub(crate) messages: Vec<Value>,
}

impl StubState {
    pub(crate) fn robot_send(&mut self, key: &str, body: &Value) -> Outcome {
        let window = self.robot_window;
        let Some(robot) = self.robots.get_mut(key) else {
            return Err(refuse(93000, "invalid webhook url"));
        };
        while robot.sent.front().is_some_and(|at| at.elapsed() >= window) {
            robot.sent.pop_front();
        }
        if robot.sent.len() >= MESSAGES_PER_WINDOW {
            return Err(refuse(45009, "api freq out of limit"));
        }
        check_message(body)?;
        robot.sent.push_back(Instant::now());
        robot.messages.push(body.clone());
        Ok(json!({ "errcode": 0, "errmsg": "ok" }))
    }
}

/// Validates the message by type, naming the offending field as WeCom does.
fn check_message(body: &Value) -> Result<(), super::state::Refusal> {
    let msgtype = body.get("msgtype").and_then(Value::as_str).unwrap_or("");
    let content_limit = match msgtype {
        "text" => TEXT_MAX_BYTES,
        "markdown" => MARKDOWN_MAX_BYTES,
        "news" => {
            let count = body
                .pointer("/news/articles")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if !(1..=8).contains(&count) {
                return Err(refuse(40058, "news.articles must hold 1 to 8 articles"));
            }
            return Ok(());
        }
        _ => return Err(refuse(40008, "invalid message type")),
    };
    let pointer = format!("/{msgtype}/content");
    let content = body.pointer(&pointer).and_then(Value::as_str).unwrap_or("");
    if content.is_empty() {
        return Err(refuse(44004, format!("{msgtype}.content is empty")));
    }
    if content.len() > content_limit {
        let msg = format!("{msgtype}.content exceed max length {content_limit}");
        return Err(refuse(40058, msg));
    }
    Ok(())
}
