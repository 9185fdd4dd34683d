//! A party member's own year: `GET /me/party` — their branch and category, this year's target,
//! what they served by source, and whether they are on track.

use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::party::progress::{self, Progress, Tally};
use microwish_core::party::target;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;

/// Hours rounded to two decimals.
pub(super) fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

/// Hours and services, as a target asks them or as served.
#[derive(Object)]
struct Amount {
    hours: f64,
    services: f64,
}

/// What one source gave.
#[derive(Object)]
struct SourceView {
    hours: f64,
    minutes: i64,
    services: i64,
}

impl From<Tally> for SourceView {
    fn from(t: Tally) -> Self {
        Self {
            hours: hours(t.minutes),
            minutes: t.minutes,
            services: t.services,
        }
    }
}

/// Served by source.
#[derive(Object)]
struct BySource {
    /// Wishes fulfilled (confirmed, or closed automatically).
    wishes: SourceView,
    /// Events attended (organisers' corrections included in the minutes).
    events: SourceView,
    /// Care visits made.
    visits: SourceView,
}

/// The branch a member belongs to.
#[derive(Object)]
struct BranchRef {
    id: i64,
    name: String,
}

/// A member's progress in a calendar year (the community's time zone).
#[derive(Object)]
struct PartyYearView {
    year: i64,
    branch: BranchRef,
    /// community or in_service.
    category: String,
    /// The yearly target (0: that target is off).
    target: Amount,
    /// What the target asks by now (the whole target for a past year).
    expected: Amount,
    /// Hours served in the year.
    hours: f64,
    minutes: i64,
    /// Services: wishes fulfilled, events attended, visits made.
    services: i64,
    by_source: BySource,
    /// Every target that is on met pro rata for the part of the year gone.
    on_track: bool,
    /// The whole yearly target met.
    target_met: bool,
}

impl From<Progress> for PartyYearView {
    fn from(p: Progress) -> Self {
        let (minutes, services) = (p.served.minutes(), p.served.services());
        Self {
            year: i64::from(p.year),
            branch: BranchRef {
                id: p.member.branch_id,
                name: p.branch_name,
            },
            category: p.member.category.to_string(),
            target: Amount {
                hours: f64::from(p.target.hours),
                services: f64::from(p.target.services),
            },
            expected: Amount {
                hours: (p.expected.hours * 100.0).round() / 100.0,
                services: (p.expected.services * 100.0).round() / 100.0,
            },
            hours: hours(minutes),
            minutes,
            services,
            by_source: BySource {
                wishes: p.served.wishes.into(),
                events: p.served.events.into(),
                visits: p.served.visits.into(),
            },
            on_track: p.on_track,
            target_met: target::on_track(p.target, minutes, services, 1.0),
        }
    }
}

pub struct MePartyApi(pub AppState);

#[OpenApi(tag = "Tag::Party")]
impl MePartyApi {
    /// Your year as a party member: target, what you served by source, and whether you are on
    /// track. `year` defaults to this one (2000 up to this year). Not a party member: 404.
    #[oai(path = "/me/party", method = "get")]
    async fn get(&self, auth: BearerAuth, year: Query<Option<i64>>) -> Result<Json<PartyYearView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let now = self.0.clock.now_ms();
        let tz = microwish_core::insight::tz(&self.0.settings);
        let year = target::parse_year(&tz, year.0, now)?;
        let mut conn = self.0.db.pool().acquire().await?;
        let progress = progress::of_year(&mut conn, &self.0.settings, caller.user_id, year, now).await?;
        Ok(Json(progress.into()))
    }
}
