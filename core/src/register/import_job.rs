//! A household import run as a job, for the console: the upload creates the job and returns at
//! once; the import runs in the background, telling the job how many lines it has read after each
//! committed batch; the job's page shows lines done against the file's lines, then the report.
//! A job that stops moving (the process running it ended) reads as interrupted — what was
//! committed stays, and re-importing the same sheet is safe because imports are idempotent.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::import::{ImportReport, import_tracked, may_import};
use crate::clock::SharedClock;
use crate::db::Db;
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;

/// A running job not heard from for this long is taken for interrupted.
pub const STALE_AFTER_MS: i64 = 10 * 60_000;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Lines are being read and applied.
    Running,
    /// Over: the report is there.
    Done,
    /// The file was refused as a whole (a header without the columns) or the store failed.
    Failed,
    /// Running, but silent for [`STALE_AFTER_MS`]: the process that ran it is gone.
    Interrupted,
}

impl JobStatus {
    /// The name in the store and on the page.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Interrupted => "interrupted",
        }
    }
}

/// An import job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Who uploaded the file.
    pub created_by: i64,
    /// Where it stands.
    pub status: JobStatus,
    /// Lines in the file (the header included).
    pub lines_total: i64,
    /// Lines read and applied so far.
    pub lines_done: i64,
    /// What it did, once done.
    pub report: Option<ImportReport>,
    /// Why it failed.
    pub error: Option<String>,
    /// Uploaded.
    pub created_at: i64,
    /// Last heard of.
    pub updated_at: i64,
}

impl Job {
    /// How far along, 0 to 100 (100 once over).
    pub fn percent(&self) -> i64 {
        match self.status {
            JobStatus::Running | JobStatus::Interrupted if self.lines_total > 0 => {
                (self.lines_done.min(self.lines_total) * 100 / self.lines_total).min(99)
            }
            JobStatus::Running | JobStatus::Interrupted => 0,
            JobStatus::Done | JobStatus::Failed => 100,
        }
    }
}

/// The job's handle inside the import: each committed batch moves it on.
pub struct Progress {
    id: i64,
    clock: SharedClock,
}

impl Progress {
    /// The job's id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// `lines` of the file are read and their batches committed.
    pub(super) async fn advance(&self, db: &Db, lines: u64) -> CoreResult<()> {
        let mut tx = db.begin_write().await?;
        sqlx::query("UPDATE import_jobs SET lines_done = $2, updated_at = $3 WHERE id = $1 AND status = 'running'")
            .bind(self.id)
            .bind(i64::try_from(lines).unwrap_or(i64::MAX))
            .bind(self.clock.now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Lines of a file as a reader counts them (a last line without its newline counts too).
fn lines_of(bytes: &[u8]) -> i64 {
    let newlines = bytes.iter().filter(|b| **b == b'\n').count();
    let open_end = !bytes.is_empty() && !bytes.ends_with(b"\n");
    i64::try_from(newlines + usize::from(open_end)).unwrap_or(i64::MAX)
}

/// Records a job for `bytes` uploaded by `caller` (refused as the import itself refuses).
pub async fn create(db: &Db, caller: &Caller, bytes: &[u8], now: i64) -> CoreResult<i64> {
    may_import(Some(caller))?;
    let mut tx = db.begin_write().await?;
    let id = sqlx::query(
        "INSERT INTO import_jobs (created_by, status, lines_total, lines_done, created_at, updated_at) \
         VALUES ($1, 'running', $2, 0, $3, $3) RETURNING id",
    )
    .bind(caller.user_id)
    .bind(lines_of(bytes))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    tx.commit().await?;
    Ok(id)
}

/// Runs job `id`: the import with `caller`'s authority, then its report or its failure recorded.
/// Meant for a background task: nothing is returned, everything is written to the job.
pub async fn run(db: Db, caller: Caller, id: i64, bytes: Vec<u8>, clock: SharedClock) {
    let progress = Progress {
        id,
        clock: clock.clone(),
    };
    let started = clock.now_ms();
    let outcome = import_tracked(&db, bytes.as_slice(), Some(&caller), Some(&progress), started).await;
    let (status, report, error) = match &outcome {
        Ok(report) => ("done", serde_json::to_string(report).ok(), None),
        Err(err @ (CoreError::Invalid { .. } | CoreError::Forbidden { .. })) => ("failed", None, Some(err.to_string())),
        Err(err) => {
            tracing::error!(job = id, error = %err, "import job failed");
            (
                "failed",
                None,
                Some("the import failed on our side; it has been logged".to_string()),
            )
        }
    };
    let finished = async {
        let mut tx = db.begin_write().await?;
        sqlx::query(
            "UPDATE import_jobs SET status = $2, report = $3, error = $4, lines_done = lines_total, updated_at = $5 \
             WHERE id = $1 AND status = 'running'",
        )
        .bind(id)
        .bind(status)
        .bind(report)
        .bind(error)
        .bind(clock.now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    };
    match finished.await {
        Ok(()) => tracing::info!(job = id, status, ms = clock.now_ms() - started, "import job over"),
        Err(err) => tracing::error!(job = id, error = %err, "import job's outcome not recorded"),
    }
}

fn from_row(r: &AnyRow, now: i64) -> Job {
    let updated_at: i64 = r.get("updated_at");
    let status = match r.get::<String, _>("status").as_str() {
        "done" => JobStatus::Done,
        "failed" => JobStatus::Failed,
        _ if now - updated_at > STALE_AFTER_MS => JobStatus::Interrupted,
        _ => JobStatus::Running,
    };
    let report: Option<String> = r.get("report");
    Job {
        id: r.get("id"),
        created_by: r.get("created_by"),
        status,
        lines_total: r.get("lines_total"),
        lines_done: r.get("lines_done"),
        report: report.and_then(|r| serde_json::from_str(&r).ok()),
        error: r.get("error"),
        created_at: r.get("created_at"),
        updated_at,
    }
}

const SELECT: &str = "SELECT id, created_by, status, lines_total, lines_done, report, error, created_at, \
    updated_at FROM import_jobs";

/// One job, for the person who uploaded it or an admin (404 for anyone else).
pub async fn get(conn: &mut AnyConnection, caller: &Caller, id: i64, now: i64) -> CoreResult<Job> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| from_row(&r, now))
        .filter(|j| caller.is_admin() || j.created_by == caller.user_id);
    row.ok_or(CoreError::NotFound("import"))
}

/// The caller's latest jobs (an admin's: everyone's), newest first.
pub async fn recent(conn: &mut AnyConnection, caller: &Caller, limit: i64, now: i64) -> CoreResult<Vec<Job>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE ($1 = 0 OR created_by = $1) ORDER BY id DESC LIMIT $2"
    )))
    .bind(if caller.is_admin() { 0 } else { caller.user_id })
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(|r| from_row(r, now)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_as_a_reader_counts_them() {
        assert_eq!(lines_of(b""), 0);
        assert_eq!(lines_of(b"a,b\n1,2\n"), 2);
        assert_eq!(lines_of(b"a,b\n1,2"), 2);
    }

    #[test]
    fn progress_stops_short_of_done_until_it_is() {
        let mut job = Job {
            id: 1,
            created_by: 1,
            status: JobStatus::Running,
            lines_total: 200,
            lines_done: 50,
            report: None,
            error: None,
            created_at: 0,
            updated_at: 0,
        };
        assert_eq!(job.percent(), 25);
        job.lines_done = 200;
        assert_eq!(job.percent(), 99);
        job.status = JobStatus::Done;
        assert_eq!(job.percent(), 100);
        job.lines_total = 0;
        job.status = JobStatus::Running;
        assert_eq!(job.percent(), 0);
    }
}
