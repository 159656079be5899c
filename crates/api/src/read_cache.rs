//! The process's cache of public listing reads: the serialized body and ETag of detail,
//! list and search responses as anonymous visitors and members see them (stewards, who may
//! see drafts, bypass it; nothing personal is ever put in it), keyed by the full query.
//!
//! **Invalidated through the database.** Every write to a table a view reads moves the
//! read version (`commissary_db::read_version`, triggers in the writing transaction). A
//! request is answered from the cache only after a read of that version that *started
//! after the request arrived*: when it differs from the version the entries were computed
//! under, they are all dropped first. So anything committed before a request arrived
//! (by this process, another replica's indexer, a keeper, a steward's edit) is in its
//! answer — no replica ever serves a view older than the database's, and no timer is
//! involved.
//!
//! **One version read for many requests.** The read runs on a thread with a connection of
//! its own. Requests that arrive while one is in flight wait for the next one, which
//! starts as soon as the current one returns, and no sooner than `READ_SPACING` after
//! it started: every request costs at most two version reads' latency (one primary-key
//! row) plus that spacing, but under load one read serves all requests that arrived
//! during the previous interval, so its cost is shared by dozens of them.
//! Notifications (`LISTEN`) cannot give this guarantee: they arrive after the commit, so a
//! replica could answer in between with the old view even though the new one is already
//! visible elsewhere.
//!
//! **One computation per entry.** After a write, every concurrent request for a key waits
//! for the first one's queries instead of running its own (no stampede on the pool).
//! Entries computed under an older version are never inserted into a newer cache, and
//! the cache is emptied when it holds more than [`MAX_ENTRIES`] or [`MAX_BYTES`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use tokio::sync::{OnceCell, watch};

use commissary_db::Db;

use crate::conditional::Rendered;
use crate::error::ApiResult;

/// At most this many entries (list queries are chosen by clients; the bound keeps odd
/// queries from growing the cache without end).
pub const MAX_ENTRIES: usize = 10_000;
/// At most this many bytes of bodies and tags.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// What a read produced: the response body, or that there is nothing to show (a missing
/// listing, a draft to a non-steward), which is public knowledge too.
#[derive(Debug)]
pub enum Cached {
    Found(Rendered),
    Missing,
}

impl Cached {
    fn size(&self) -> usize {
        match self {
            Self::Found(rendered) => rendered.size(),
            Self::Missing => 0,
        }
    }
}

/// Cache hits, misses and bypasses for the metrics.
fn count(outcome: &'static str) {
    metrics::counter!("commissary_read_cache_total", "outcome" => outcome).increment(1);
}

/// The result of one version read: its sequence number (reads are numbered in the order
/// they started) and the version, `None` when the read failed.
#[derive(Debug, Clone, Copy)]
struct Checked {
    seq: u64,
    version: Option<i64>,
}

#[derive(Debug, Default)]
struct Demand {
    /// Reads started so far.
    started: u64,
    /// The highest read number a waiting request needs.
    wanted: u64,
    stop: bool,
}

type Cell = Arc<OnceCell<Arc<Cached>>>;

#[derive(Default)]
struct Entries {
    /// The read whose version the entries belong to (the newest applied).
    seq: u64,
    version: Option<i64>,
    /// Counts emptyings, so a computation finished after one is not accounted.
    generation: u64,
    bytes: usize,
    map: HashMap<String, Cell>,
}

impl Entries {
    fn empty(&mut self) {
        self.map.clear();
        self.bytes = 0;
        self.generation += 1;
    }
}

pub struct ReadCache {
    demand: Arc<(Mutex<Demand>, Condvar)>,
    checked: watch::Receiver<Checked>,
    entries: Mutex<Entries>,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache").finish_non_exhaustive()
    }
}

impl Drop for ReadCache {
    fn drop(&mut self) {
        let (lock, wake) = &*self.demand;
        lock.lock().unwrap_or_else(PoisonError::into_inner).stop = true;
        wake.notify_one();
    }
}

impl ReadCache {
    /// A cache reading `db`'s version on a thread of its own. If that thread cannot be
    /// started, every read goes to the database (as without a cache).
    pub fn start(db: Db) -> Self {
        let demand = Arc::new((Mutex::new(Demand::default()), Condvar::new()));
        let (sender, checked) = watch::channel(Checked { seq: 0, version: None });
        let thread_demand = demand.clone();
        let spawned = std::thread::Builder::new()
            .name("read-version".into())
            .spawn(move || read_versions(&db, &thread_demand, &sender));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "read cache: cannot start the version reader; reads bypass the cache");
        }
        Self { demand, checked, entries: Mutex::new(Entries::default()) }
    }

    /// The version as of a read that started after this call: `(read number, version)`,
    /// or `None` when the database could not say.
    async fn validate(&self) -> Option<(u64, i64)> {
        let target = {
            let (lock, wake) = &*self.demand;
            let mut demand = lock.lock().unwrap_or_else(PoisonError::into_inner);
            let target = demand.started + 1;
            if demand.wanted < target {
                demand.wanted = target;
                wake.notify_one();
            }
            target
        };
        let mut checked = self.checked.clone();
        let result = *checked.wait_for(|c| c.seq >= target).await.ok()?;
        result.version.map(|v| (result.seq, v))
    }

    /// The entry for `key`, computed by `compute` when the cache does not hold it for the
    /// database's current version. Errors are returned, never kept.
    pub async fn get_or_compute<F, Fut>(&self, key: String, compute: F) -> ApiResult<Arc<Cached>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Cached>>,
    {
        let Some((seq, version)) = self.validate().await else {
            count("bypass");
            return compute().await.map(Arc::new);
        };
        let (cell, generation) = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            // A read that started later than the one the entries belong to: apply it. An
            // earlier one (its waiter woke late) changes nothing, since the entries are at
            // least as new as what it asks for.
            if seq > entries.seq {
                entries.seq = seq;
                if entries.version != Some(version) {
                    entries.version = Some(version);
                    entries.empty();
                }
            }
            if entries.map.len() >= MAX_ENTRIES && !entries.map.contains_key(&key) {
                entries.empty();
            }
            (entries.map.entry(key).or_default().clone(), entries.generation)
        };
        if let Some(hit) = cell.get() {
            count("hit");
            return Ok(hit.clone());
        }
        let value = cell
            .get_or_try_init(|| async {
                count("miss");
                let value = Arc::new(compute().await?);
                let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
                if entries.generation == generation {
                    entries.bytes += value.size();
                    if entries.bytes > MAX_BYTES {
                        entries.empty();
                    }
                }
                Ok::<_, crate::error::ApiError>(value)
            })
            .await?;
        Ok(value.clone())
    }

    /// Entries held now (for tests and metrics).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).map.values().filter(|c| c.initialized()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The least time between the starts of two version reads. Under load, reads back to
/// back would each serve the one or two requests that arrived during the previous one,
/// and the reader thread with its wake-ups took an eighth of the server's CPU (SQLite,
/// 50k cached reads a second); spaced, one read serves every request of its interval,
/// for at most this much more latency. Staleness is unaffected: a request still waits
/// for a read that started after it arrived.
const READ_SPACING: std::time::Duration = std::time::Duration::from_micros(100);

/// The version reader's loop: one read per round of demand, on its own connection
/// (reconnected after an error); ends when the cache is dropped.
fn read_versions(db: &Db, demand: &(Mutex<Demand>, Condvar), sender: &watch::Sender<Checked>) {
    let mut reader = None;
    let mut last_start: Option<std::time::Instant> = None;
    loop {
        if let Some(wait) = last_start.and_then(|t| READ_SPACING.checked_sub(t.elapsed())) {
            std::thread::sleep(wait);
        }
        let seq = {
            let (lock, wake) = demand;
            let mut state = lock.lock().unwrap_or_else(PoisonError::into_inner);
            while state.wanted <= state.started && !state.stop {
                state = wake.wait(state).unwrap_or_else(PoisonError::into_inner);
            }
            if state.stop {
                return;
            }
            state.started += 1;
            state.started
        };
        last_start = Some(std::time::Instant::now());
        if reader.is_none() {
            match db.version_reader() {
                Ok(r) => reader = Some(r),
                Err(e) => tracing::warn!(error = %e, "read cache: cannot connect to read the version"),
            }
        }
        let version = match reader.as_mut().map(|r| r.read()) {
            Some(Ok(version)) => Some(version),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "read cache: reading the version failed; reconnecting");
                reader = None;
                None
            }
            None => None,
        };
        sender.send_replace(Checked { seq, version });
    }
}
