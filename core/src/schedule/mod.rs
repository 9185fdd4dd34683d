//! The scheduler's rules, one room each: wishes that wait too long (`wishes`), recurring wishes
//! whose date has come (`repeats`), the digests (`digests`) and the events' reminders (`events`). A rule reads the store as of `now` and says
//! what to do about each subject it found ([`Act`]); one skeleton applies every act in its own
//! short transaction and counts it. Everything is idempotent — every alert and reminder carries a
//! unique key for its subject and period, every occurrence of a recurring wish its (series,
//! occurrence) — so several schedulers scanning at once still create each exactly once.

mod digest_lists;
mod digests;
pub mod events;
mod repeats;
mod wishes;

use crate::alert::NewAlert;
use crate::alert::store as alerts;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{CoreError, CoreResult};
use crate::outbox::{self, NewNotification};
use crate::wish::{Action, store as wish_store};

/// What one scan did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    /// Alerts raised.
    pub alerts: usize,
    /// Reminders and digests recorded.
    pub messages: usize,
    /// Wishes closed automatically.
    pub auto_closed: usize,
    /// Occurrences of recurring wishes opened on schedule (those opened by a close are not
    /// counted here).
    pub repeats_opened: usize,
}

/// One thing a rule decided to do about one subject.
#[derive(Debug)]
pub enum Act {
    /// Raise an alert (once per its key) and notify who must hear of it.
    Raise {
        /// The alert.
        alert: NewAlert,
        /// Urgent alerts ignore quiet hours.
        urgent: bool,
        /// The wish's title, for the notification.
        title: String,
    },
    /// Record a reminder or a digest (once per its dedupe key).
    Send(NewNotification),
    /// Close a fulfilled wish nobody confirmed in time.
    AutoClose(i64),
    /// Open the next occurrence of the recurring wish with this id (its series' latest).
    OpenNext(i64),
}

/// Runs every rule once. Each rule runs even if an earlier one failed — one broken rule must not
/// silence the rest; the first failure is returned after all have run (the scheduler logs it).
pub async fn scan(db: &Db, settings: &Settings, now: i64) -> CoreResult<ScanReport> {
    let mut report = ScanReport::default();
    let mut first_error = None;
    let mut note = |result: CoreResult<()>| {
        if let Err(err) = result {
            tracing::warn!(error = %err, "a scheduler rule failed");
            first_error.get_or_insert(err);
        }
    };
    // Each rule finds its acts, then the skeleton applies them. In this order: a rule sees what
    // the rules before it did in the same scan.
    macro_rules! rule {
        ($find:expr) => {
            note(apply_all(db, settings, now, $find.await, &mut report).await)
        };
    }
    rule!(wishes::unclaimed(db, settings, now));
    rule!(wishes::escalate_unclaimed(db, settings, now));
    rule!(wishes::overdue_claims(db, settings, now));
    rule!(wishes::unconfirmed(db, settings, now));
    rule!(wishes::overdue_callbacks(db, now));
    // After auto-closing: an occurrence closed in this scan has already opened its next.
    rule!(repeats::due(db, now));
    rule!(digests::daily(db, settings, now));
    rule!(digests::weekly(db, settings, now));
    rule!(crate::register::care_due::due(db, settings, now));
    rule!(crate::party::reminder::midyear(db, settings, now));
    // Event reminders go out in batches per event, and the rule also finishes past events and
    // credits hours: it records its own rows.
    note(events::scan(db, settings, now).await.map(|n| report.messages += n));
    // Last month's indicators are kept as computed once it has ended.
    note(crate::insight::close_last_month(db, settings, now).await.map(drop));
    // Housekeeping: expired sessions, and rate windows that ended over a day ago.
    note(crate::people::session::sweep(db, now).await.map(drop));
    note(crate::rate::sweep(db, now - 86_400_000).await.map(drop));
    match first_error {
        Some(err) => Err(err),
        None => Ok(report),
    }
}

/// Applies a rule's acts, each in its own transaction, counting what was new.
async fn apply_all(
    db: &Db,
    settings: &Settings,
    now: i64,
    acts: CoreResult<Vec<Act>>,
    report: &mut ScanReport,
) -> CoreResult<()> {
    for act in acts? {
        let mut tx = db.begin_write().await?;
        match act {
            Act::Raise { alert, urgent, title } => {
                let raised = alerts::raise(&mut tx, &alert, urgent, &title, now).await?;
                report.alerts += usize::from(raised.is_some());
            }
            Act::Send(n) => report.messages += usize::from(outbox::record(&mut tx, &n, now).await?),
            Act::AutoClose(id) => {
                // Another scheduler may have closed it a moment ago: its guarded update then refuses ours.
                match wish_store::apply(&mut tx, None, id, Action::AutoClose, Default::default(), settings, now).await {
                    Ok(_) => report.auto_closed += 1,
                    Err(CoreError::Conflict { .. }) => continue,
                    Err(other) => return Err(other),
                }
            }
            Act::OpenNext(id) => {
                let current = wish_store::load(&mut tx, id).await?;
                let opened = crate::wish::series::open_next(&mut tx, &current, settings, now).await?;
                report.repeats_opened += usize::from(opened.is_some());
            }
        }
        tx.commit().await?;
    }
    Ok(())
}
