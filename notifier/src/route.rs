//! Routing, pure: for one notification and its recipient, the channels to try in order — a
//! subscribe message where a template and quota exist, the grid's WeCom robot for leaders'
//! alerts, email where an address exists — minus what the user switched off (urgent alerts
//! always keep at least one channel) and minus channels that already failed for good.

use microwish_core::NotificationKind;
use microwish_core::notify::{Audience, TemplateMapping};

use microwish_core::notify::Recipient;

/// A delivery channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// WeChat subscribe message.
    Wechat,
    /// WeCom group robot of the grid the recipient leads.
    Robot,
    /// Email over SMTP.
    Email,
    /// Discards the message (benchmarks of the queue machinery only).
    Noop,
}

impl Channel {
    /// The name stored on the row and used in preferences and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Wechat => "wechat",
            Channel::Robot => "robot",
            Channel::Email => "email",
            Channel::Noop => "noop",
        }
    }
}

/// Installation-wide facts the router needs.
#[derive(Debug, Clone, Default)]
pub struct RouteContext {
    /// The kind's subscribe-message template, if WeChat is configured for it.
    pub template: Option<TemplateMapping>,
    /// Whether quota is tracked for that template (false for long-term subscriptions).
    pub quota_tracked: bool,
    /// Whether the email channel is configured.
    pub email: bool,
    /// Deliver everything to the no-op channel (benchmarks).
    pub noop: bool,
}

/// The channels to try, in order, or why there are none.
pub fn chain(
    kind: NotificationKind,
    urgent: bool,
    r: &Recipient,
    ctx: &RouteContext,
    failed: &[String],
) -> Result<Vec<Channel>, String> {
    if ctx.noop {
        return Ok(vec![Channel::Noop]);
    }
    // Work-group kinds go to the WeCom robot of the grids the recipient leads, and only there. An
    // alert is recorded twice for a leader (`grid_alert` for the work group, `alert` for the
    // leader's own channels) so each reaches its audience with its own retries.
    if kind.audience() == Audience::WorkGroup {
        let usable = !r.robot_keys.is_empty() && !failed.iter().any(|f| f == "robot");
        return if usable {
            Ok(vec![Channel::Robot])
        } else {
            Err("the grid has no WeCom robot".into())
        };
    }
    let mut possible = Vec::new();
    let mut why = Vec::new();
    match &ctx.template {
        None => why.push("no WeChat template for this kind"),
        Some(template) => {
            let quota = r.quota.get(&template.id).copied().unwrap_or(0);
            if r.openid.is_empty() {
                why.push("no openid");
            } else if ctx.quota_tracked && quota <= 0 {
                why.push("no subscribe-message quota");
            } else {
                possible.push(Channel::Wechat);
            }
        }
    }
    match (&r.email, ctx.email) {
        (Some(_), true) => possible.push(Channel::Email),
        (None, _) => why.push("no email address"),
        (Some(_), false) => why.push("email not configured"),
    }
    let wanted: Vec<Channel> = possible
        .iter()
        .copied()
        .filter(|c| !r.has_disabled(kind, c.as_str()))
        .collect();
    // Urgent messages ignore preferences that would silence them completely.
    let chosen = if wanted.is_empty() && urgent { possible } else { wanted };
    let remaining: Vec<Channel> = chosen
        .into_iter()
        .filter(|c| !failed.iter().any(|f| f == c.as_str()))
        .collect();
    if remaining.is_empty() {
        if !failed.is_empty() {
            return Err(format!("every channel failed: {}", failed.join(", ")));
        }
        if why.is_empty() {
            why.push("all channels switched off");
        }
        return Err(format!("no usable channel ({})", why.join("; ")));
    }
    Ok(remaining)
}

#[cfg(test)]
mod tests {
    use super::*;
    use microwish_core::NotificationKind::*;

    fn resident() -> Recipient {
        Recipient {
            id: 1,
            openid: "o1".into(),
            email: Some("a@example.com".into()),
            ..Default::default()
        }
    }

    fn ctx() -> RouteContext {
        RouteContext {
            template: Some("T".into()),
            quota_tracked: true,
            email: true,
            noop: false,
        }
    }

    #[test]
    fn quota_decides_between_wechat_and_email() {
        let mut r = resident();
        assert_eq!(chain(WishClaimed, false, &r, &ctx(), &[]), Ok(vec![Channel::Email]));
        r.quota.insert("T".into(), 1);
        assert_eq!(
            chain(WishClaimed, false, &r, &ctx(), &[]),
            Ok(vec![Channel::Wechat, Channel::Email])
        );
        let untracked = RouteContext {
            quota_tracked: false,
            ..ctx()
        };
        r.quota.clear();
        assert_eq!(
            chain(WishClaimed, false, &r, &untracked, &[]).unwrap()[0],
            Channel::Wechat
        );
    }

    #[test]
    fn failed_channels_are_not_tried_again() {
        let mut r = resident();
        r.quota.insert("T".into(), 1);
        assert_eq!(
            chain(WishClaimed, false, &r, &ctx(), &["wechat".into()]),
            Ok(vec![Channel::Email])
        );
        let err = chain(WishClaimed, false, &r, &ctx(), &["wechat".into(), "email".into()]).unwrap_err();
        assert!(err.contains("every channel failed"), "{err}");
    }

    #[test]
    fn grid_alerts_go_to_the_robot_and_alerts_to_the_leader() {
        let mut r = resident();
        r.robot_keys.push("KEY".into());
        assert_eq!(chain(GridAlert, true, &r, &ctx(), &[]), Ok(vec![Channel::Robot]));
        assert_eq!(chain(Alert, true, &r, &ctx(), &[]), Ok(vec![Channel::Email]));
        assert_eq!(chain(WishClaimed, false, &r, &ctx(), &[]), Ok(vec![Channel::Email]));
        assert!(
            chain(GridAlert, true, &resident(), &ctx(), &[]).is_err(),
            "no robot, no grid alert"
        );
    }

    #[test]
    fn preferences_apply_but_never_silence_urgent_alerts() {
        let mut r = resident();
        r.disabled.push(("wish_claimed".into(), "email".into()));
        let err = chain(WishClaimed, false, &r, &ctx(), &[]).unwrap_err();
        assert!(err.contains("no usable channel"), "{err}");
        r.disabled.push(("alert".into(), "email".into()));
        assert_eq!(chain(Alert, true, &r, &ctx(), &[]), Ok(vec![Channel::Email]));
    }

    #[test]
    fn nobody_reachable_is_a_reason_not_a_failure() {
        let r = Recipient {
            id: 1,
            ..Default::default()
        };
        let none = RouteContext {
            template: None,
            quota_tracked: true,
            email: false,
            noop: false,
        };
        let err = chain(WishClaimed, false, &r, &none, &[]).unwrap_err();
        assert!(
            err.contains("no WeChat template") && err.contains("no email address"),
            "{err}"
        );
    }
}
