//! WeCom group robots: a text message to the work group of the grid a leader runs, naming the
//! leader. Each robot takes 20 messages a minute: a local window holds back the excess so we
//! rarely hit WeCom's 45009, and a 45009 anyway waits for the window instead of retrying hot.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use microwish_wechat::WecomRobot;

use microwish_core::notify::Notification;

use super::{Deliver, Job};
use crate::delivery::{Failure, FailureClass};
use crate::render::{self, Lang};

/// Messages per robot per window.
pub const PER_WINDOW: usize = 20;

/// A robot client with a per-key sliding window.
pub struct RobotChannel {
    client: WecomRobot,
    window: Duration,
    sent: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RobotChannel {
    /// A channel over `client` with WeCom's one-minute window.
    pub fn new(client: WecomRobot) -> Self {
        Self::with_window(client, Duration::from_secs(60))
    }

    /// A channel with a custom window (tests).
    pub fn with_window(client: WecomRobot, window: Duration) -> Self {
        Self {
            client,
            window,
            sent: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a place in `key`'s window, or says how long until one frees up.
    fn reserve(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        let times = sent.entry(key.to_string()).or_default();
        while times.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            times.pop_front();
        }
        if times.len() >= PER_WINDOW {
            let oldest = *times.front().unwrap_or(&now);
            return Err(self.window.saturating_sub(now.duration_since(oldest)) + Duration::from_millis(50));
        }
        times.push_back(now);
        Ok(())
    }

    /// Sends `content` to the robot `key`, mentioning these mobile numbers.
    pub async fn send(&self, key: &str, content: &str, mention: &[String]) -> Result<(), Failure> {
        if let Err(wait) = self.reserve(key) {
            return Err(Failure {
                class: FailureClass::RateLimited,
                reason: "robot window full (20 a minute)".into(),
                retry_after: Some(wait),
            });
        }
        self.client
            .send_text_mentioning_mobiles(key, content, mention)
            .await
            .map_err(|e| {
                let mut f = super::wechat_failure(&e);
                if f.class == FailureClass::RateLimited {
                    f.retry_after = Some(self.window);
                }
                f
            })
    }
}

impl Deliver for RobotChannel {
    /// Posts to the robot of every grid the recipient leads, mentioning them by mobile.
    async fn deliver(&self, job: &Job<'_>) -> Result<(), Failure> {
        let content = content(job.community, job.n, &job.to.display_name);
        let mention: Vec<String> = job.to.phone.iter().cloned().collect();
        for key in &job.to.robot_keys {
            self.send(key, &content, &mention).await?;
        }
        Ok(())
    }
}

/// The work-group message for a notification, naming the person who should act (a grid's leader,
/// a unit's contact): an event's time and place, a proposed project, or what is wrong with a wish.
pub fn content(community: &str, n: &Notification, leader: &str) -> String {
    let text = render::short_text(n.kind, Lang::ZhCn, &n.payload);
    let field = |k: &str| n.payload.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let title = field("title");
    if n.subject_type == "project" {
        let wishes = n.payload.get("wishes").and_then(|v| v.as_i64()).unwrap_or(0);
        return format!(
            "【{community}】{text}：「{}」\n{}提出，服务{wishes}个心愿，使用资源「{}」\n请 @{leader} 查收邮件并回复（项目编号 {}）",
            field("project_title"),
            field("grid_name"),
            field("resource_title"),
            n.subject_id
        );
    }
    if n.subject_type == "event" {
        return format!(
            "【{community}】{text}：「{title}」\n时间：{}\n地点：{}\n请 @{leader} 组织网格居民报名",
            field("local_time"),
            field("location")
        );
    }
    let what = microwish_core::alert::summary::of_payload(&n.payload, Lang::ZhCn);
    let what = what.unwrap_or_else(|| format!("{text}：「{title}」"));
    format!("【{community}】{what}\n@{leader} 请处理（心愿编号 {}）", n.subject_id)
}
