//! Year-end feedback (反馈评价) over HTTP: the community's comment on a party member for a year,
//! the letter to their work unit (a page fit to print), the CSV a unit receives — and each
//! volunteer's yearly certificate of service hours.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Html, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::Lang;
use microwish_core::clock::rfc3339;
use microwish_core::error::CoreError;
use microwish_core::fields::Comment;
use microwish_core::party::feedback::{self, Feedback, Letter};
use microwish_core::party::{progress, target};
use microwish_core::people::{Caller, user};
use microwish_core::printable::{self, Issuer};

use super::Tag;
use super::me_party::hours;
use super::party::admin;
use super::register_csv::Csv;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// The community's comment on a member.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct FeedbackBody {
    /// The calendar year it is about (2000 up to this year).
    year: i64,
    /// 1 to 2,000 characters.
    comment: Text,
}

/// A member's year as the letter tells it.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct FeedbackView {
    user_id: i64,
    display_name: String,
    year: i64,
    branch_id: i64,
    /// community or in_service.
    category: String,
    /// From their approved 双报到 registration.
    work_unit: Option<String>,
    unit_branch: Option<String>,
    hours: f64,
    minutes: i64,
    services: i64,
    /// Residents' ratings of the wishes they fulfilled in the year.
    ratings: i64,
    rating_average: Option<f64>,
    /// The whole yearly target met.
    target_met: bool,
    /// The community's comment, once written.
    comment: Option<String>,
    written_by: Option<i64>,
    updated_at: Option<String>,
}

impl From<Letter> for FeedbackView {
    fn from(l: Letter) -> Self {
        let p = &l.progress;
        let (minutes, services) = (p.served.minutes(), p.served.services());
        let (work_unit, unit_branch) = l.work_unit.clone().unzip();
        Self {
            user_id: p.member.user_id,
            display_name: p.member.display_name.clone(),
            year: i64::from(p.year),
            branch_id: p.member.branch_id,
            category: p.member.category.to_string(),
            work_unit,
            unit_branch,
            hours: hours(minutes),
            minutes,
            services,
            ratings: l.ratings.count,
            rating_average: l.ratings.average.map(|a| (a * 100.0).round() / 100.0),
            target_met: target::on_track(p.target, minutes, services, 1.0),
            comment: l.feedback.as_ref().map(|f| f.comment.clone()),
            written_by: l.feedback.as_ref().map(|f: &Feedback| f.written_by),
            updated_at: l.feedback.as_ref().map(|f| rfc3339(f.updated_at)),
        }
    }
}

#[derive(ApiResponse)]
enum Sheet {
    /// One line a member: name, work unit, unit's party organisation, branch, hours and services
    /// by source, ratings, target met, the community's comment.
    #[oai(status = 200)]
    Csv(Csv),
}

pub struct FeedbackApi(pub AppState);

impl FeedbackApi {
    fn year(&self, year: Option<i64>) -> Result<i16, ApiError> {
        let tz = microwish_core::insight::tz(&self.0.settings);
        Ok(target::parse_year(&tz, year, self.0.clock.now_ms())?)
    }

    fn issuer<'a>(&'a self, lang: Lang, tz: &'a jiff::tz::TimeZone) -> Issuer<'a> {
        Issuer {
            lang,
            community: &self.0.settings.community.name,
            tz,
            now: self.0.clock.now_ms(),
        }
    }

    /// The caller, if they may read `user_id`'s letter or certificate: themselves, an admin, or
    /// (certificates) the leader of their grid.
    async fn reader(&self, auth: &BearerAuth, user_id: i64, leaders_too: bool) -> Result<Caller, ApiError> {
        let caller = self.0.caller(auth).await?;
        if caller.user_id == user_id || caller.is_admin() {
            return Ok(caller);
        }
        if leaders_too {
            let mut conn = self.0.db.pool().acquire().await?;
            let grid = user::get(&mut conn, user_id).await?.grid_id;
            if grid.is_some_and(|g| caller.leads(g)) {
                return Ok(caller);
            }
        }
        Err(CoreError::NotFound("user").into())
    }
}

/// `?lang=` as given (zh-CN or en), else `fallback`.
fn lang_of(lang: Option<&str>, fallback: Lang) -> Result<Lang, ApiError> {
    match lang {
        None | Some("") => Ok(fallback),
        Some(tag) => Lang::parse(tag).ok_or_else(|| ApiError::invalid("invalid_field", "lang: zh-CN or en")),
    }
}

#[OpenApi(tag = "Tag::Party")]
impl FeedbackApi {
    /// Write (or rewrite) the community's year-end comment on a party member (admins).
    #[oai(path = "/party/members/:user_id/feedback", method = "put")]
    async fn write(
        &self,
        auth: BearerAuth,
        user_id: Path<i64>,
        body: Json<FeedbackBody>,
    ) -> Result<Json<FeedbackView>, ApiError> {
        let caller = admin(&self.0, &auth).await?;
        let year = self.year(Some(body.0.year))?;
        let comment = Comment::parse(&body.0.comment)?;
        let now = self.0.clock.now_ms();
        let mut tx = self.0.db.begin_write().await?;
        feedback::write(&mut tx, &caller, user_id.0, year, comment, now).await?;
        let letter = feedback::letter(&mut tx, &self.0.settings, user_id.0, year, now).await?;
        tx.commit().await?;
        Ok(Json(letter.into()))
    }

    /// A party member's year as the letter tells it (the member, admins); `year` defaults to
    /// this one.
    #[oai(path = "/party/members/:user_id/feedback", method = "get")]
    async fn read(
        &self,
        auth: BearerAuth,
        user_id: Path<i64>,
        year: Query<Option<i64>>,
    ) -> Result<Json<FeedbackView>, ApiError> {
        self.reader(&auth, user_id.0, false).await?;
        let year = self.year(year.0)?;
        let mut conn = self.0.db.pool().acquire().await?;
        let letter = feedback::letter(&mut conn, &self.0.settings, user_id.0, year, self.0.clock.now_ms()).await?;
        Ok(Json(letter.into()))
    }

    /// The year-end letter to a member's work unit, as a page fit to print (the member,
    /// admins). `lang`: zh-CN (default) or en.
    #[oai(path = "/party/members/:user_id/letter", method = "get")]
    async fn letter(
        &self,
        auth: BearerAuth,
        user_id: Path<i64>,
        year: Query<Option<i64>>,
        lang: Query<Option<String>>,
    ) -> Result<Html<String>, ApiError> {
        self.reader(&auth, user_id.0, false).await?;
        let (year, lang) = (self.year(year.0)?, lang_of(lang.0.as_deref(), Lang::ZhCn)?);
        let mut conn = self.0.db.pool().acquire().await?;
        let letter = feedback::letter(&mut conn, &self.0.settings, user_id.0, year, self.0.clock.now_ms()).await?;
        let tz = microwish_core::insight::tz(&self.0.settings);
        Ok(Html(printable::letter(&letter, &self.issuer(lang, &tz))?))
    }

    /// Every member's year as a CSV for their units (admins): in-service members, or every
    /// member with `category=all`.
    #[oai(path = "/party/feedback.csv", method = "get")]
    async fn sheet(
        &self,
        auth: BearerAuth,
        year: Query<Option<i64>>,
        category: Query<Option<String>>,
    ) -> Result<Sheet, ApiError> {
        admin(&self.0, &auth).await?;
        let year = self.year(year.0)?;
        let in_service_only = match category.0.as_deref() {
            None | Some("") | Some("in_service") => true,
            Some("all") => false,
            Some(_) => return Err(ApiError::invalid("invalid_field", "category: in_service or all")),
        };
        let mut conn = self.0.db.pool().acquire().await?;
        let now = self.0.clock.now_ms();
        let letters = feedback::letters(&mut conn, &self.0.settings, year, in_service_only, now).await?;
        Ok(Sheet::Csv(Csv(feedback::csv(&letters)?)))
    }

    /// Your certificate of volunteer service hours in `year` (this one by default), as a page fit
    /// to print. `lang`: zh-CN or en (default: your profile's).
    #[oai(path = "/me/certificate", method = "get")]
    async fn my_certificate(
        &self,
        auth: BearerAuth,
        year: Query<Option<i64>>,
        lang: Query<Option<String>>,
    ) -> Result<Html<String>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        self.certificate(caller.user_id, year.0, lang.0).await
    }

    /// A volunteer's certificate of service hours (admins, the leader of their grid).
    #[oai(path = "/users/:id/certificate", method = "get")]
    async fn certificate_of(
        &self,
        auth: BearerAuth,
        id: Path<i64>,
        year: Query<Option<i64>>,
        lang: Query<Option<String>>,
    ) -> Result<Html<String>, ApiError> {
        self.reader(&auth, id.0, true).await?;
        self.certificate(id.0, year.0, lang.0).await
    }
}

impl FeedbackApi {
    async fn certificate(
        &self,
        user_id: i64,
        year: Option<i64>,
        lang: Option<String>,
    ) -> Result<Html<String>, ApiError> {
        let year = self.year(year)?;
        let tz = microwish_core::insight::tz(&self.0.settings);
        let span = target::year_bounds(&tz, year)?;
        let mut conn = self.0.db.pool().acquire().await?;
        let person = user::get(&mut conn, user_id).await?;
        let lang = lang_of(lang.as_deref(), person.language.unwrap_or_default())?;
        let served = progress::served(&mut conn, user_id, span).await?;
        let page = printable::certificate(&person.display_name, year, &served, &self.issuer(lang, &tz))?;
        Ok(Html(page))
    }
}
