//! Which subscribe-message templates the mini-program should ask a person to accept next: those
//! of the news their state makes likely soon — an open wish will be claimed, a claimed one
//! fulfilled, a held claim may run late, a registered event will remind and may change, a
//! leader will be alerted — least quota first, at most three (WeChat's dialog takes three ids).
//! Each "accept" is one later send (`subscription`), so asking for the right ones at the right
//! time is what keeps news arriving by WeChat rather than falling back.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use super::{Caller, Role};
use crate::config::{Settings, WechatTemplates};
use crate::error::CoreResult;
use crate::notify::NotificationKind::{self, *};

/// WeChat's `wx.requestSubscribeMessage` takes at most this many template ids at once.
pub const MAX_ASKED: usize = 3;

/// What a person's state says about the news coming their way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outlook {
    /// Their own wish waits for review.
    pub in_review: bool,
    /// Their own wish is open: someone will claim it.
    pub open: bool,
    /// Their own wish is claimed or fulfilled: it will be done, then want confirming.
    pub in_hand: bool,
    /// They hold a claim on someone's wish: it may run late or be released.
    pub holding: bool,
    /// They registered (or wait) for an event still to come.
    pub event: bool,
    /// They lead a grid: alerts, reviews, digests.
    pub leader: bool,
    /// They visit someone under care.
    pub visitor: bool,
    /// A volunteer who asked for the weekly digest.
    pub weekly: bool,
}

/// The kinds to be ready for, most imminent first, each with why.
pub fn likely(o: &Outlook) -> Vec<(NotificationKind, &'static str)> {
    let candidates = [
        (
            o.in_hand,
            WishFulfilled,
            "your wish is being done: you will be asked to confirm",
        ),
        (
            o.open,
            WishClaimed,
            "your wish is open: you will hear when someone claims it",
        ),
        (
            o.in_review,
            WishApproved,
            "your wish awaits review: you will hear the result",
        ),
        (
            o.holding,
            WishOverdue,
            "you hold a claim: you will be reminded if it runs late",
        ),
        (
            o.holding,
            WishCancelled,
            "you hold a claim: you will hear if it is cancelled",
        ),
        (
            o.event,
            EventReminder,
            "you registered for an event: it will remind you",
        ),
        (
            o.event,
            EventUpdate,
            "you registered for an event: you will hear if it changes",
        ),
        (o.leader, Alert, "you lead a grid: alerts and reviews come to you"),
        (
            o.visitor,
            VisitDue,
            "you visit someone under care: you will be reminded",
        ),
        (o.leader, Digest, "you lead a grid: its daily digest"),
        (o.weekly, WeeklyDigest, "you asked for the weekly digest"),
    ];
    candidates
        .into_iter()
        .filter(|(yes, ..)| *yes)
        .map(|(_, k, why)| (k, why))
        .collect()
}

/// One template to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The template id to pass to `wx.requestSubscribeMessage`.
    pub template_id: String,
    /// The news it is asked for.
    pub kind: NotificationKind,
    /// Why, in a few words.
    pub reason: &'static str,
    /// Sends of it the person already has.
    pub remaining: i64,
}

/// The templates to ask for: each likely kind's configured template once (kinds may share one),
/// those the person has least of first (none, then one, then more), then the most imminent; at
/// most [`MAX_ASKED`]. Templates tracked without quota (long-term subscriptions) are never asked.
pub fn suggest(
    likely: &[(NotificationKind, &'static str)],
    templates: &WechatTemplates,
    long_term: &[String],
    quota: &HashMap<String, i64>,
) -> Vec<Suggestion> {
    let mut seen = Vec::new();
    let mut out: Vec<Suggestion> = Vec::new();
    for (kind, reason) in likely {
        let Some(template) = templates.for_kind(*kind) else {
            continue;
        };
        if seen.contains(&template.id) || long_term.contains(&template.id) {
            continue;
        }
        seen.push(template.id.clone());
        out.push(Suggestion {
            template_id: template.id.clone(),
            kind: *kind,
            reason,
            remaining: quota.get(&template.id).copied().unwrap_or(0),
        });
    }
    // Stable: within the same stock, the most imminent first.
    out.sort_by_key(|s| s.remaining.clamp(0, 2));
    out.truncate(MAX_ASKED);
    out
}

/// What to ask a person for, and what they have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// The templates to ask for, in order.
    pub suggested: Vec<Suggestion>,
    /// Sends left per template.
    pub remaining: HashMap<String, i64>,
}

/// The advice for `caller` at `now`, with the installation's templates.
pub async fn advise(conn: &mut AnyConnection, caller: &Caller, settings: &Settings, now: i64) -> CoreResult<Advice> {
    let outlook = outlook(conn, caller, now).await?;
    let remaining: HashMap<String, i64> = super::subscription::remaining(conn, caller.user_id)
        .await?
        .into_iter()
        .collect();
    let wechat = &settings.wechat;
    let suggested = suggest(
        &likely(&outlook),
        &wechat.templates,
        &wechat.long_term_templates,
        &remaining,
    );
    Ok(Advice { suggested, remaining })
}

/// Reads the person's outlook at `now`.
pub async fn outlook(conn: &mut AnyConnection, caller: &Caller, now: i64) -> CoreResult<Outlook> {
    let id = caller.user_id;
    let own = sqlx::query("SELECT status, COUNT(*) FROM wishes WHERE resident_id = $1 GROUP BY status")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let has = |status: &str| {
        own.iter()
            .any(|r| r.get::<String, _>(0) == status && r.get::<i64, _>(1) > 0)
    };
    let any = |sql: &'static str| sqlx::query(sql).bind(id);
    let some = |row: sqlx::any::AnyRow| row.get::<i64, _>(0) > 0;
    let holding = some(
        any(
            "SELECT COUNT(*) FROM wishes w WHERE w.status IN ('open', 'claimed') AND (w.volunteer_id = $1 \
             OR EXISTS (SELECT 1 FROM wish_holders h WHERE h.wish_id = w.id AND h.volunteer_id = $1))",
        )
        .fetch_one(&mut *conn)
        .await?,
    );
    let event = some(
        any(
            "SELECT COUNT(*) FROM event_invitations i JOIN events e ON e.id = i.event_id WHERE i.user_id = $1 \
             AND i.response IN ('registered', 'waitlisted') AND e.status = 'published' AND e.ends_at > $2",
        )
        .bind(now)
        .fetch_one(&mut *conn)
        .await?,
    );
    let visitor = some(
        any("SELECT COUNT(*) FROM care_visitors WHERE visitor_id = $1")
            .fetch_one(&mut *conn)
            .await?,
    );
    let weekly = some(
        any("SELECT COUNT(*) FROM users WHERE id = $1 AND weekly_digest = 1")
            .fetch_one(&mut *conn)
            .await?,
    );
    Ok(Outlook {
        in_review: has("pending_review"),
        open: has("open"),
        in_hand: has("claimed") || has("fulfilled"),
        holding,
        event,
        leader: caller.has(Role::GridLeader) && !caller.led_grids.is_empty(),
        visitor,
        weekly: weekly && caller.has(Role::Volunteer),
    })
}

#[cfg(test)]
#[path = "subscribe_next_tests.rs"]
mod tests;
