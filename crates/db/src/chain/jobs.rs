//! Durable jobs: enqueue idempotently on a dedupe key, claim with a visibility timeout,
//! then complete, reschedule (waiting on something, not a failure) or fail (with backoff,
//! counted in `attempts`, or permanently).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::chain_jobs;
use super::{corrupt, naive};
use crate::{DbConnection, DbError, DbResult};

pub const KIND_PUBLISH_LISTING: &str = "publish_listing";
pub const KIND_CANCEL_LISTING: &str = "cancel_listing";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Pending,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Running, Self::Done, Self::Failed].into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = chain_jobs)]
struct JobRow {
    id: String,
    kind: String,
    dedupe_key: String,
    subject: Option<String>,
    payload: String,
    status: String,
    attempts: i32,
    run_after: NaiveDateTime,
    locked_by: Option<String>,
    locked_until: Option<NaiveDateTime>,
    last_error: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub dedupe_key: String,
    /// The listing id for listing jobs (taken from `payload.listing_id`).
    pub subject: Option<String>,
    pub payload: serde_json::Value,
    pub status: JobStatus,
    /// Failed runs so far (a reschedule is not a failure).
    pub attempts: i32,
    pub run_after: DateTime<Utc>,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl TryFrom<JobRow> for Job {
    type Error = DbError;
    fn try_from(row: JobRow) -> DbResult<Self> {
        Ok(Self {
            payload: serde_json::from_str(&row.payload).map_err(|_| corrupt("chain_jobs", "payload", &row.payload))?,
            status: JobStatus::parse(&row.status).ok_or_else(|| corrupt("chain_jobs", "status", &row.status))?,
            id: row.id,
            kind: row.kind,
            dedupe_key: row.dedupe_key,
            subject: row.subject,
            attempts: row.attempts,
            run_after: row.run_after.and_utc(),
            locked_by: row.locked_by,
            locked_until: row.locked_until.map(|t| t.and_utc()),
            last_error: row.last_error,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            finished_at: row.finished_at.map(|t| t.and_utc()),
        })
    }
}

/// Records a job, once per `dedupe_key`: enqueueing again returns the existing job's id.
/// A job that had *failed* permanently is revived (pending again, with the new payload,
/// attempts reset), so re-publishing a listing whose publication failed works; pending,
/// running and done jobs are left as they are.
pub fn enqueue(
    conn: &mut DbConnection,
    kind: &str,
    dedupe_key: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> DbResult<String> {
    let now = naive(now);
    let payload_text = payload.to_string();
    let subject = payload.get("listing_id").and_then(|v| v.as_str()).map(str::to_owned);
    conn.transaction(|conn| {
        let existing: Option<(String, String)> = chain_jobs::table
            .filter(chain_jobs::dedupe_key.eq(dedupe_key))
            .select((chain_jobs::id, chain_jobs::status))
            .first(conn)
            .optional()?;
        if let Some((id, status)) = existing {
            if status == JobStatus::Failed.as_str() {
                diesel::update(chain_jobs::table.find(&id))
                    .set((
                        chain_jobs::status.eq(JobStatus::Pending.as_str()),
                        chain_jobs::payload.eq(&payload_text),
                        chain_jobs::subject.eq(&subject),
                        chain_jobs::attempts.eq(0),
                        chain_jobs::run_after.eq(now),
                        chain_jobs::locked_by.eq(None::<String>),
                        chain_jobs::locked_until.eq(None::<NaiveDateTime>),
                        chain_jobs::finished_at.eq(None::<NaiveDateTime>),
                        chain_jobs::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            return Ok(id);
        }
        let id = uuid::Uuid::now_v7().to_string();
        diesel::insert_into(chain_jobs::table)
            .values(JobRow {
                id: id.clone(),
                kind: kind.to_owned(),
                dedupe_key: dedupe_key.to_owned(),
                subject,
                payload: payload_text,
                status: JobStatus::Pending.as_str().to_owned(),
                attempts: 0,
                run_after: now,
                locked_by: None,
                locked_until: None,
                last_error: None,
                created_at: now,
                updated_at: now,
                finished_at: None,
            })
            .execute(conn)?;
        Ok(id)
    })
}

pub fn get(conn: &mut DbConnection, id: &str) -> DbResult<Job> {
    chain_jobs::table.find(id).select(JobRow::as_select()).first(conn)?.try_into()
}

/// Jobs about one subject (a listing id), oldest first.
pub fn for_subject(conn: &mut DbConnection, subject: &str) -> DbResult<Vec<Job>> {
    chain_jobs::table
        .filter(chain_jobs::subject.eq(subject))
        .order(chain_jobs::created_at.asc())
        .select(JobRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Job::try_from)
        .collect()
}

/// Claims up to `limit` due jobs for `worker` until `now + visibility`: pending jobs whose
/// `run_after` has come, and running jobs whose claim expired (their runner died). Each
/// claim is a guarded update, so two runners never hold the same job.
pub fn claim_due(
    conn: &mut DbConnection,
    worker: &str,
    now: DateTime<Utc>,
    visibility: Duration,
    limit: i64,
) -> DbResult<Vec<Job>> {
    let now_n = naive(now);
    let until = naive(now + visibility);
    let candidates: Vec<(String, String, Option<NaiveDateTime>)> = chain_jobs::table
        .filter(
            chain_jobs::status
                .eq(JobStatus::Pending.as_str())
                .and(chain_jobs::run_after.le(now_n))
                .or(chain_jobs::status.eq(JobStatus::Running.as_str()).and(chain_jobs::locked_until.lt(now_n))),
        )
        .order(chain_jobs::run_after.asc())
        .limit(limit)
        .select((chain_jobs::id, chain_jobs::status, chain_jobs::locked_until))
        .load(conn)?;
    let mut claimed = Vec::new();
    for (id, status, locked_until) in candidates {
        let target = chain_jobs::table.filter(chain_jobs::id.eq(&id)).filter(chain_jobs::status.eq(&status));
        let set = (
            chain_jobs::status.eq(JobStatus::Running.as_str()),
            chain_jobs::locked_by.eq(worker),
            chain_jobs::locked_until.eq(until),
            chain_jobs::updated_at.eq(now_n),
        );
        let updated = match locked_until {
            Some(previous) => {
                diesel::update(target.filter(chain_jobs::locked_until.eq(previous))).set(set).execute(conn)?
            }
            None => diesel::update(target.filter(chain_jobs::locked_until.is_null())).set(set).execute(conn)?,
        };
        if updated == 1 {
            claimed.push(get(conn, &id)?);
        }
    }
    Ok(claimed)
}

#[allow(clippy::too_many_arguments)]
fn release(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    set_status: JobStatus,
    run_after: Option<DateTime<Utc>>,
    error: Option<&str>,
    failed: bool,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let now_n = naive(now);
    let finished = matches!(set_status, JobStatus::Done | JobStatus::Failed).then_some(now_n);
    let target = chain_jobs::table
        .filter(chain_jobs::id.eq(id))
        .filter(chain_jobs::status.eq(JobStatus::Running.as_str()))
        .filter(chain_jobs::locked_by.eq(worker));
    let attempts_inc = i32::from(failed);
    let updated = diesel::update(target)
        .set((
            chain_jobs::status.eq(set_status.as_str()),
            chain_jobs::run_after.eq(run_after.map_or(now_n, naive)),
            chain_jobs::locked_by.eq(None::<String>),
            chain_jobs::locked_until.eq(None::<NaiveDateTime>),
            chain_jobs::attempts.eq(chain_jobs::attempts + attempts_inc),
            chain_jobs::finished_at.eq(finished),
            chain_jobs::updated_at.eq(now_n),
        ))
        .execute(conn)?;
    if updated == 1
        && let Some(error) = error
    {
        diesel::update(chain_jobs::table.find(id)).set(chain_jobs::last_error.eq(error)).execute(conn)?;
    }
    Ok(updated == 1)
}

/// Marks a claimed job done. Returns false if `worker` no longer held the claim.
pub fn complete(conn: &mut DbConnection, id: &str, worker: &str, now: DateTime<Utc>) -> DbResult<bool> {
    release(conn, id, worker, JobStatus::Done, None, None, false, now)
}

/// Puts a claimed job back to run again at `run_after` without counting a failure
/// (it is waiting for a transaction or the indexer).
pub fn reschedule(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    run_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    release(conn, id, worker, JobStatus::Pending, Some(run_after), None, false, now)
}

/// Records a failed run: retried at `retry_at` (backoff chosen by the caller), or, with
/// `retry_at = None`, failed for good.
pub fn fail(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    match retry_at {
        Some(at) => release(conn, id, worker, JobStatus::Pending, Some(at), Some(error), true, now),
        None => release(conn, id, worker, JobStatus::Failed, None, Some(error), true, now),
    }
}

/// Makes the jobs of `kind` for `subject` that are done run again (after a reorg removed
/// what they achieved). Returns how many were revived.
pub fn revive_done(conn: &mut DbConnection, kind: &str, subject: &str, now: DateTime<Utc>) -> DbResult<usize> {
    let now = naive(now);
    Ok(diesel::update(
        chain_jobs::table
            .filter(chain_jobs::kind.eq(kind))
            .filter(chain_jobs::subject.eq(subject))
            .filter(chain_jobs::status.eq(JobStatus::Done.as_str())),
    )
    .set((
        chain_jobs::status.eq(JobStatus::Pending.as_str()),
        chain_jobs::run_after.eq(now),
        chain_jobs::finished_at.eq(None::<NaiveDateTime>),
        chain_jobs::updated_at.eq(now),
    ))
    .execute(conn)?)
}

/// Returns jobs claimed by other workers to the queue at once. Called by a new leader:
/// only the leader runs jobs, so such claims belong to a deposed or dead one (whose
/// chain writes the lease fences off). Returns how many were released.
pub fn release_others(conn: &mut DbConnection, worker: &str, now: DateTime<Utc>) -> DbResult<usize> {
    let now = naive(now);
    Ok(diesel::update(
        chain_jobs::table
            .filter(chain_jobs::status.eq(JobStatus::Running.as_str()))
            .filter(chain_jobs::locked_by.ne(worker)),
    )
    .set((
        chain_jobs::status.eq(JobStatus::Pending.as_str()),
        chain_jobs::run_after.eq(now),
        chain_jobs::locked_by.eq(None::<String>),
        chain_jobs::locked_until.eq(None::<NaiveDateTime>),
        chain_jobs::updated_at.eq(now),
    ))
    .execute(conn)?)
}

/// The earliest time a pending job becomes due, if any (lets the runner sleep until then).
pub fn next_due(conn: &mut DbConnection) -> DbResult<Option<DateTime<Utc>>> {
    let next: Option<NaiveDateTime> = chain_jobs::table
        .filter(chain_jobs::status.eq(JobStatus::Pending.as_str()))
        .select(diesel::dsl::min(chain_jobs::run_after))
        .first(conn)?;
    Ok(next.map(|t| t.and_utc()))
}
