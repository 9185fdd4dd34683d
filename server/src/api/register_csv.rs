//! The register as a spreadsheet: import (`text/csv`, columns
//! `building,unit,room,name,phone,relation,tags`; idempotent; a per-line report) and export in the
//! same format. Admins only.

use poem::{FromRequest, IntoResponse, Request, RequestBody, Response};
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::MetaSchemaRef;
use poem_openapi::types::Type;
use poem_openapi::{ApiRequest, ApiResponse, Object, OpenApi};

use microwish_core::register::{export, import};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;

/// A CSV document (`text/csv`).
pub(super) struct Csv(pub Vec<u8>);

impl Payload for Csv {
    const CONTENT_TYPE: &'static str = "text/csv; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        essence.eq_ignore_ascii_case("text/csv")
    }

    fn schema_ref() -> MetaSchemaRef {
        String::schema_ref()
    }
}

impl ParsePayload for Csv {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self(Vec::<u8>::from_request(request, body).await?))
    }
}

impl IntoResponse for Csv {
    fn into_response(self) -> Response {
        Response::builder().content_type(Self::CONTENT_TYPE).body(self.0)
    }
}

/// The sheet to import.
#[derive(ApiRequest)]
enum ImportBody {
    /// Header line first; UTF-8 (a BOM is fine); Chinese headers (楼栋,单元,房号,姓名,电话,关系,标签) too.
    Csv(Csv),
}

/// The register of one grid, or all of it.
#[derive(ApiResponse)]
enum Exported {
    /// The people, as CSV in the import's format.
    #[oai(status = 200)]
    Csv(Csv),
}

/// A refused line.
#[derive(Object)]
struct RefusedView {
    /// Line number (the header is line 1).
    line: u64,
    message: String,
}

/// What an import did.
#[derive(Object)]
struct ImportView {
    /// People added.
    created: u64,
    /// People whose phone, relation or tags changed.
    updated: u64,
    /// People already as the sheet says (a re-import of the same sheet changes nothing).
    unchanged: u64,
    /// Rooms added to the register.
    households_created: u64,
    /// The refused lines (the first 1,000), with why; everything else was applied.
    refused: Vec<RefusedView>,
    /// How many lines were refused in all.
    refused_total: u64,
}

pub struct RegisterCsvApi(pub AppState);

#[OpenApi(tag = "Tag::Register", prefix_path = "/admin/households")]
impl RegisterCsvApi {
    /// Import or update the register from CSV (admins; grid leaders for their own grids' buildings,
    /// each line for another grid's building refused in the report). Buildings must exist; a person is
    /// identified by household and name, so re-importing updates instead of duplicating. Bad
    /// lines are refused one by one and reported; a header without the columns refuses the file
    /// (422 `invalid_csv`); a body over `register.import_limit_bytes` gets 413.
    #[oai(path = "/import", method = "post")]
    async fn import(&self, auth: BearerAuth, body: ImportBody) -> Result<Json<ImportView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let ImportBody::Csv(Csv(bytes)) = body;
        let report = import::import_as(&self.0.db, bytes.as_slice(), Some(&caller), self.0.clock.now_ms()).await?;
        tracing::info!(
            by = caller.user_id,
            created = report.created,
            updated = report.updated,
            refused = report.refused_total,
            "register imported"
        );
        Ok(Json(ImportView {
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            households_created: report.households_created,
            refused: report
                .refused
                .into_iter()
                .map(|r| RefusedView {
                    line: r.line,
                    message: r.message,
                })
                .collect(),
            refused_total: report.refused_total,
        }))
    }

    /// Export the register as CSV (admins), of one grid or all.
    #[oai(path = "/export", method = "get")]
    async fn export(&self, auth: BearerAuth, grid_id: Query<Option<i64>>) -> Result<Exported, ApiError> {
        let caller = self.0.caller(&auth).await?;
        if !caller.is_admin() {
            return Err(ApiError::forbidden("admins only"));
        }
        let mut out = Vec::new();
        let mut conn = self.0.db.pool().acquire().await?;
        export::export(&mut conn, grid_id.0, &mut out).await?;
        Ok(Exported::Csv(Csv(out)))
    }
}
