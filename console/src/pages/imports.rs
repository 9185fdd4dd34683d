//! Household imports from the console: a sheet is uploaded (a plain multipart form), becomes an
//! import job that runs in the background with the uploader's authority — a leader's lines for
//! other grids refused, as over the API — and the job's page shows lines done against the file's
//! lines, refreshing itself (a `<meta refresh>`, no script) until the report is there.

use poem::http::StatusCode;
use poem::web::{Data, Multipart, Path};
use poem::{Request, Response, handler};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use microwish_core::register::import_job::{self, Job, JobStatus};
use microwish_core::{CoreError, Settings};

use super::local_time;
use crate::guard::{self, Signed};
use crate::{ConsoleState, render};

/// Seconds between the job page's refreshes while it runs.
const REFRESH_SECONDS: u64 = 2;

fn job_view(settings: &Settings, job: &Job) -> Value {
    let report = job.report.as_ref().map(|r| {
        json!({
            "created": r.created, "updated": r.updated, "unchanged": r.unchanged,
            "households_created": r.households_created, "refused_total": r.refused_total,
            "refused": r.refused.iter().map(|x| json!({ "line": x.line, "message": x.message })).collect::<Vec<_>>(),
        })
    });
    json!({
        "id": job.id, "status": job.status.as_str(), "percent": job.percent(),
        "lines_done": job.lines_done.min(job.lines_total), "lines_total": job.lines_total,
        "started": local_time(settings, job.created_at), "report": report, "error": job.error,
    })
}

/// GET /console/register/imports: the upload form and one's latest imports.
#[handler]
pub async fn list(req: &Request, state: Data<&ConsoleState>, signed: Signed) -> Response {
    let state = *state;
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        import_job::recent(&mut conn, &signed.caller, 20, state.now()).await
    }
    .await;
    let jobs = match loaded {
        Ok(jobs) => jobs,
        Err(err) => return render::internal(state, req, err),
    };
    let data = json!({
        "jobs": jobs.iter().map(|j| job_view(&state.settings, j)).collect::<Vec<_>>(),
        "limit_mib": state.settings.register.import_limit_bytes.div_ceil(1024 * 1024),
    });
    render::page(state, req, Some(&signed), "imports.html", data, StatusCode::OK)
}

/// The form's CSRF token and the file, read up to the import's size limit.
async fn read_form(mut form: Multipart, limit: usize) -> Result<(String, Vec<u8>), CoreError> {
    let (mut csrf, mut file) = (String::new(), None);
    let bad = |what: &str| CoreError::invalid("invalid_field", format!("file: {what}"));
    while let Some(field) = form.next_field().await.map_err(|_| bad("the upload was cut off"))? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|_| bad("the upload was cut off"))?,
            Some("file") => {
                let mut bytes = Vec::new();
                let mut reader = field.into_async_read().take(limit as u64 + 1);
                reader
                    .read_to_end(&mut bytes)
                    .await
                    .map_err(|_| bad("the upload was cut off"))?;
                if bytes.len() > limit {
                    return Err(bad(&format!("over {} MiB", limit.div_ceil(1024 * 1024))));
                }
                file = Some(bytes);
            }
            _ => {}
        }
    }
    match file.filter(|f| !f.is_empty()) {
        Some(file) => Ok((csrf, file)),
        None => Err(bad("choose a CSV sheet")),
    }
}

/// POST /console/register/imports: starts the job, then shows its page.
#[handler]
pub async fn upload(req: &Request, state: Data<&ConsoleState>, signed: Signed, form: Multipart) -> Response {
    let state = *state;
    let (csrf, bytes) = match read_form(form, state.settings.register.import_limit_bytes).await {
        Ok(read) => read,
        Err(err) => return render::core_error(state, req, err),
    };
    if !guard::same(&signed.csrf, &csrf) {
        return guard::csrf_refused(state, req);
    }
    let id = match import_job::create(&state.db, &signed.caller, &bytes, state.now()).await {
        Ok(id) => id,
        Err(err) => return render::core_error(state, req, err),
    };
    tracing::info!(
        job = id,
        by = signed.caller.user_id,
        bytes = bytes.len(),
        "import job started"
    );
    let (db, caller, clock) = (state.db.clone(), signed.caller.clone(), state.clock.clone());
    tokio::spawn(import_job::run(db, caller, id, bytes, clock));
    render::redirect(&format!("/console/register/imports/{id}"))
}

/// GET /console/register/imports/{id}: progress while it runs, then the report.
#[handler]
pub async fn one(req: &Request, state: Data<&ConsoleState>, signed: Signed, id: Path<i64>) -> Response {
    let state = *state;
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        import_job::get(&mut conn, &signed.caller, id.0, state.now()).await
    }
    .await;
    let job = match loaded {
        Ok(job) => job,
        Err(err) => return render::core_error(state, req, err),
    };
    let running = job.status == JobStatus::Running;
    let data = json!({
        "job": job_view(&state.settings, &job),
        "refresh": running.then_some(REFRESH_SECONDS),
    });
    render::page(state, req, Some(&signed), "import.html", data, StatusCode::OK)
}
