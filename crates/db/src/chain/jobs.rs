//! Durable jobs: a typed [`Job`] enqueued idempotently on its dedupe key, claimed with a
//! visibility timeout, then completed, rescheduled (waiting on something, not a failure)
//! or failed (with backoff, counted in `attempts`, or permanently).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use commissary_domain::ListingId;

use super::schema::chain_jobs;
use super::{corrupt, naive};
use crate::{DbConnection, DbError, DbResult};

/// The background work there is, one variant per kind. Stored as the `kind` column plus
/// the variant's fields as a JSON payload; a new job is a new variant (and its runner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Create the listing's auction on chain (`createAuction`).
    PublishListing { listing_id: ListingId },
    /// Cancel the listing's auction on chain.
    CancelListing { listing_id: ListingId },
}

impl Job {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PublishListing { .. } => "publish_listing",
            Self::CancelListing { .. } => "cancel_listing",
        }
    }

    /// The same work enqueued twice is one job.
    pub fn dedupe_key(&self) -> String {
        match self {
            Self::PublishListing { listing_id } => format!("publish:{listing_id}"),
            Self::CancelListing { listing_id } => format!("cancel:{listing_id}"),
        }
    }

    /// What the job is about, for looking jobs up (a listing id).
    pub fn subject(&self) -> Option<String> {
        match self {
            Self::PublishListing { listing_id } | Self::CancelListing { listing_id } => Some(listing_id.to_string()),
        }
    }

    fn payload(&self) -> DbResult<String> {
        serde_json::to_string(self).map_err(|e| DbError::Corrupt(e.to_string()))
    }

    /// The job of a stored row. Rows written before payloads carried their kind hold only
    /// the fields, so the `kind` column is authoritative.
    fn decode(kind: &str, payload: &str) -> Option<Self> {
        let mut value: serde_json::Value = serde_json::from_str(payload).ok()?;
        value.as_object_mut()?.insert("kind".into(), serde_json::Value::String(kind.to_owned()));
        serde_json::from_value(value).ok()
    }
}

commissary_domain::string_enum!(
    /// Where a job is in its life.
    pub JobStatus {
        Pending => "pending",
        Running => "running",
        Done => "done",
        Failed => "failed",
    }
);

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
pub struct QueuedJob {
    pub id: String,
    pub kind: String,
    pub dedupe_key: String,
    /// What the job is about ([`Job::subject`]).
    pub subject: Option<String>,
    /// The work; `None` for a kind this version does not know (it is failed on claim).
    pub job: Option<Job>,
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

impl TryFrom<JobRow> for QueuedJob {
    type Error = DbError;
    fn try_from(row: JobRow) -> DbResult<Self> {
        Ok(Self {
            job: Job::decode(&row.kind, &row.payload),
            status: row.status.parse::<JobStatus>().map_err(|_| corrupt("chain_jobs", "status", &row.status))?,
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

/// Records a job, once per [`Job::dedupe_key`]: enqueueing again returns the existing job's id.
/// A job that had *failed* permanently is revived (pending again, with the new payload,
/// attempts reset), so re-publishing a listing whose publication failed works; pending,
/// running and done jobs are left as they are.
pub fn enqueue(conn: &mut DbConnection, job: &Job, now: DateTime<Utc>) -> DbResult<String> {
    let now = naive(now);
    let payload_text = job.payload()?;
    let subject = job.subject();
    let dedupe_key = job.dedupe_key();
    crate::connection::transaction(conn, |conn| {
        let existing: Option<(String, String)> = chain_jobs::table
            .filter(chain_jobs::dedupe_key.eq(&dedupe_key))
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
                kind: job.kind().to_owned(),
                dedupe_key,
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

pub fn get(conn: &mut DbConnection, id: &str) -> DbResult<QueuedJob> {
    chain_jobs::table.find(id).select(JobRow::as_select()).first(conn)?.try_into()
}

/// Jobs about one subject (a listing id), oldest first.
pub fn for_subject(conn: &mut DbConnection, subject: &str) -> DbResult<Vec<QueuedJob>> {
    chain_jobs::table
        .filter(chain_jobs::subject.eq(subject))
        .order(chain_jobs::created_at.asc())
        .select(JobRow::as_select())
        .load(conn)?
        .into_iter()
        .map(QueuedJob::try_from)
        .collect()
}

/// Claims up to `limit` due jobs for `worker` until `now + visibility`: pending jobs whose
/// `run_after` has come, and running jobs whose claim expired (their runner died). Each
/// claim is a guarded update, so two runners never hold the same job. A job of a kind
/// this version does not know is failed at once instead of being handed out.
pub fn claim_due(
    conn: &mut DbConnection,
    worker: &str,
    now: DateTime<Utc>,
    visibility: Duration,
    limit: i64,
) -> DbResult<Vec<(QueuedJob, Job)>> {
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
            let queued = get(conn, &id)?;
            match queued.job.clone() {
                Some(job) => claimed.push((queued, job)),
                None => {
                    let error = format!("unknown job kind {:?}", queued.kind);
                    fail(conn, &id, worker, &error, None, now)?;
                }
            }
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

/// Makes `job` run again if it is done (after a reorg removed what it achieved). Returns
/// how many were revived.
pub fn revive_done(conn: &mut DbConnection, job: &Job, now: DateTime<Utc>) -> DbResult<usize> {
    let now = naive(now);
    Ok(diesel::update(
        chain_jobs::table
            .filter(chain_jobs::dedupe_key.eq(job.dedupe_key()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_stored_with_their_kind_and_read_back() {
        let listing_id: ListingId = "0192e5b0-0000-7000-8000-000000000001".parse().expect("id");
        let job = Job::PublishListing { listing_id };
        let payload = job.payload().expect("json");
        assert_eq!(payload, r#"{"kind":"publish_listing","listing_id":"0192e5b0-0000-7000-8000-000000000001"}"#);
        assert_eq!(Job::decode(job.kind(), &payload), Some(job.clone()));
        // Rows from before typed jobs carry only the fields.
        let old = r#"{"listing_id":"0192e5b0-0000-7000-8000-000000000001"}"#;
        assert_eq!(Job::decode("cancel_listing", old), Some(Job::CancelListing { listing_id }));
        assert_eq!(Job::decode("mint_nft", old), None, "unknown kinds are not guessed");
        assert_eq!(job.dedupe_key(), "publish:0192e5b0-0000-7000-8000-000000000001");
    }
}
