//! What a person served in a year, read from the hours ledger (`volunteer_hours`): minutes and
//! services by source — wishes fulfilled, events attended (organisers' corrections counted in
//! their minutes, never as services), care visits made — and a member's progress against their
//! yearly target. Entries count in the year they were credited, in the community's time zone.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use super::member::{self, Category, Member};
use super::target::{self, Expected};
use crate::config::{Settings, Target};
use crate::error::{CoreError, CoreResult};

/// Minutes and services from one source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Minutes credited.
    pub minutes: i64,
    /// Services: one per credit (a wish, an event, a visit).
    pub services: i64,
}

/// What a person served, by source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Served {
    /// Wishes fulfilled (confirmed, or closed automatically).
    pub wishes: Tally,
    /// Events attended, with their corrections.
    pub events: Tally,
    /// Care visits made.
    pub visits: Tally,
}

impl Served {
    /// Every source's minutes.
    pub fn minutes(&self) -> i64 {
        self.wishes.minutes + self.events.minutes + self.visits.minutes
    }

    /// Every source's services.
    pub fn services(&self) -> i64 {
        self.wishes.services + self.events.services + self.visits.services
    }

    /// Adds one row of the grouped ledger read: a source's minutes and credits.
    fn add(&mut self, source: &str, minutes: i64, credits: i64) {
        let (tally, services) = match source {
            "wish" => (&mut self.wishes, credits),
            "visit" => (&mut self.visits, credits),
            "event" => (&mut self.events, credits),
            // A correction changes an attendance's minutes; it is no service of its own.
            _ => (&mut self.events, 0),
        };
        tally.minutes += minutes;
        tally.services += services;
    }
}

/// The ledger grouped by person and source over `[from, to)`; `$1`, `$2` are the span, and
/// `filter` (a fixed condition on `h`) picks whose entries.
async fn grouped(
    conn: &mut AnyConnection,
    filter: &str,
    span: (i64, i64),
    who: Option<i64>,
) -> CoreResult<BTreeMap<i64, Served>> {
    let sql = format!(
        "SELECT h.user_id, h.source, CAST(SUM(h.minutes) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM volunteer_hours h \
         WHERE h.created_at >= $1 AND h.created_at < $2 AND {filter} GROUP BY h.user_id, h.source"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(span.0)
        .bind(span.1)
        .bind(who)
        .fetch_all(&mut *conn)
        .await?;
    let mut served: BTreeMap<i64, Served> = BTreeMap::new();
    for r in &rows {
        let source: String = r.get(1);
        served.entry(r.get(0)).or_default().add(&source, r.get(2), r.get(3));
    }
    Ok(served)
}

/// What `user_id` served over `[from, to)`.
pub async fn served(conn: &mut AnyConnection, user_id: i64, span: (i64, i64)) -> CoreResult<Served> {
    let mut all = grouped(conn, "h.user_id = $3", span, Some(user_id)).await?;
    Ok(all.remove(&user_id).unwrap_or_default())
}

/// One party member and what they served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberService {
    /// The member.
    pub user_id: i64,
    /// Their category.
    pub category: Category,
    /// Their home grid.
    pub grid_id: Option<i64>,
    /// What they served in the span.
    pub served: Served,
}

/// Every party member (by user id) and what each served over `[from, to)`, members who served
/// nothing included.
pub async fn of_members(conn: &mut AnyConnection, span: (i64, i64)) -> CoreResult<Vec<MemberService>> {
    let members = sqlx::query(
        "SELECT m.user_id, m.category, u.grid_id FROM party_members m JOIN users u ON u.id = m.user_id ORDER BY m.user_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let filter = "$3 IS NULL AND h.user_id IN (SELECT user_id FROM party_members)";
    let mut served = grouped(conn, filter, span, None).await?;
    members
        .iter()
        .map(|r| {
            let user_id: i64 = r.get(0);
            Ok(MemberService {
                user_id,
                category: r.get::<String, _>(1).parse()?,
                grid_id: r.get(2),
                served: served.remove(&user_id).unwrap_or_default(),
            })
        })
        .collect()
}

/// A member's year so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The calendar year.
    pub year: i16,
    /// The membership.
    pub member: Member,
    /// Their branch's name.
    pub branch_name: String,
    /// Their yearly target.
    pub target: Target,
    /// What the target asks by now (by year end, for a past year).
    pub expected: Expected,
    /// What they served in the year.
    pub served: Served,
    /// Whether they are on track (pro rata); for a past year, whether they met the target.
    pub on_track: bool,
}

/// `user_id`'s progress in `year` as of `now`; not a party member: not found.
pub async fn of_year(
    conn: &mut AnyConnection,
    settings: &Settings,
    user_id: i64,
    year: i16,
    now: i64,
) -> CoreResult<Progress> {
    let member = member::of_user(conn, user_id)
        .await?
        .ok_or(CoreError::NotFound("party membership"))?;
    let branch_name = super::branch::get(conn, member.branch_id).await?.name;
    let tz = crate::insight::tz(settings);
    let span = target::year_bounds(&tz, year)?;
    let served = served(conn, user_id, span).await?;
    let target = settings.party.target(member.category.as_str());
    let share = target::share_gone(span.0, span.1, now);
    Ok(Progress {
        year,
        on_track: target::on_track(target, served.minutes(), served.services(), share),
        expected: target::expected(target, share),
        member,
        branch_name,
        target,
        served,
    })
}
