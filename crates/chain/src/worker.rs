//! The chain worker: while it holds the database lease it runs the indexer, the sender,
//! the job runner and the keeper; without it, it waits to take over.

use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::Address;
use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use chrono::Utc;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use commissary_db::Db;
use commissary_db::chain::{jobs as job_store, lease};

use crate::config::ChainConfig;
use crate::error::{ChainError, ChainResult};
use crate::rpc::{Rpc, hex_address};
use crate::{indexer, jobs, keeper, sender};

/// Wake-ups between the components (in-process; all of them run in the leader).
#[derive(Debug, Default)]
pub(crate) struct Wake {
    pub keeper: Notify,
    pub sender: Notify,
    pub jobs: Notify,
}

pub(crate) struct Ctx {
    pub config: ChainConfig,
    pub db: Db,
    pub rpc: Rpc,
    pub signer: PrivateKeySigner,
    pub operator: Address,
    pub operator_hex: String,
    pub worker_id: String,
    /// Lease and cursor name: chain id and contract.
    pub scope: String,
    pub wake: Wake,
}

impl Ctx {
    /// Exponential backoff from `poll_interval`, capped at `max_backoff`.
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 1u32 << failures.min(16);
        (self.config.poll_interval * factor).min(self.config.max_backoff)
    }
}

/// Runs the chain side of the service. See the crate documentation.
pub struct ChainWorker {
    ctx: Arc<Ctx>,
}

impl std::fmt::Debug for ChainWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainWorker")
            .field("worker_id", &self.ctx.worker_id)
            .field("operator", &self.ctx.operator)
            .field("scope", &self.ctx.scope)
            .finish_non_exhaustive()
    }
}

impl ChainWorker {
    /// Checks the configuration and loads the operator key; does not touch the node.
    pub fn new(config: ChainConfig, db: Db, worker_id: String) -> ChainResult<Self> {
        config.validate()?;
        let signer = config.operator_signer()?;
        let urls: Vec<String> =
            std::iter::once(config.rpc_url.clone()).chain(config.fallback_rpc_urls.iter().cloned()).collect();
        let rpc = Rpc::new(&urls, config.rpc_timeout)?;
        let operator = signer.address();
        Ok(Self {
            ctx: Arc::new(Ctx {
                scope: config.scope(),
                operator_hex: hex_address(&operator),
                operator,
                signer,
                rpc,
                db,
                worker_id,
                config,
                wake: Wake::default(),
            }),
        })
    }

    /// The operator's address (needs LISTER_ROLE and gas).
    pub fn operator(&self) -> Address {
        self.ctx.operator
    }

    /// Runs until `shutdown` is cancelled. Transient failures (RPC or database outages)
    /// are retried with backoff; only a node on the wrong chain ends it with an error.
    #[tracing::instrument(skip_all, name = "chain_worker", fields(worker = %self.ctx.worker_id))]
    pub async fn run(self, shutdown: CancellationToken) -> ChainResult<()> {
        let ctx = self.ctx;
        let ttl = chrono::Duration::from_std(ctx.config.lease_ttl).unwrap_or(chrono::Duration::seconds(15));
        let retry = ctx.config.lease_ttl / 3;
        let mut chain_checked = false;
        while !shutdown.is_cancelled() {
            if !chain_checked {
                match ctx.rpc.get().get_chain_id().await {
                    Ok(id) if id == ctx.config.chain_id => chain_checked = true,
                    Ok(actual) => return Err(ChainError::WrongChain { expected: ctx.config.chain_id, actual }),
                    Err(error) => tracing::warn!(%error, "node unreachable; retrying"),
                }
            }
            if chain_checked {
                let (scope, worker) = (ctx.scope.clone(), ctx.worker_id.clone());
                match ctx.db.run(move |c| lease::try_acquire(c, &scope, &worker, ttl, Utc::now())).await {
                    Ok(Some(held)) => lead(&ctx, held, &shutdown).await,
                    Ok(None) => {}
                    Err(error) => tracing::warn!(%error, "cannot reach the lease"),
                }
            }
            tokio::select! {
                () = tokio::time::sleep(retry) => {}
                () = shutdown.cancelled() => {}
            }
        }
        Ok(())
    }
}

/// Works as the leader until the lease is lost or shutdown; dropping this future (the
/// process dying) aborts every component with it.
async fn lead(ctx: &Arc<Ctx>, held: lease::Lease, shutdown: &CancellationToken) {
    tracing::info!(epoch = held.epoch, "leader lease acquired");
    let worker = ctx.worker_id.clone();
    match ctx.db.run(move |c| job_store::release_others(c, &worker, Utc::now())).await {
        Ok(0) => {}
        Ok(released) => tracing::info!(released, "took over jobs claimed by the previous leader"),
        Err(error) => tracing::warn!(%error, "cannot release the previous leader's jobs"),
    }
    let session = shutdown.child_token();
    let mut tasks = JoinSet::new();
    tasks.spawn(indexer_loop(ctx.clone(), session.clone()));
    tasks.spawn(sender_loop(ctx.clone(), held.clone(), session.clone()));
    tasks.spawn(jobs_loop(ctx.clone(), session.clone()));
    tasks.spawn(keeper_loop(ctx.clone(), session.clone()));
    let ttl = chrono::Duration::from_std(ctx.config.lease_ttl).unwrap_or(chrono::Duration::seconds(15));
    let mut renewed = Utc::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep(ctx.config.lease_ttl / 3) => {}
            () = session.cancelled() => break,
            Some(_) = tasks.join_next() => {
                tracing::warn!("a component stopped (lease lost); stepping down");
                break;
            }
        }
        let (current, now) = (held.clone(), Utc::now());
        match ctx.db.run(move |c| lease::renew(c, &current, ttl, now)).await {
            Ok(true) => renewed = now,
            Ok(false) => {
                tracing::warn!("leader lease lost; stepping down");
                break;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot renew the leader lease");
                // Step down before the lease can expire under us.
                if Utc::now() - renewed > ttl * 2 / 3 {
                    break;
                }
            }
        }
    }
    session.cancel();
    while tasks.join_next().await.is_some() {}
    if shutdown.is_cancelled() {
        let current = held.clone();
        if let Err(error) = ctx.db.run(move |c| lease::release(c, &current, Utc::now())).await {
            tracing::warn!(%error, "cannot release the leader lease");
        }
    }
    tracing::info!(epoch = held.epoch, "leadership ended");
}

async fn pause(delay: Duration, stop: &CancellationToken, wake: Option<&Notify>) -> bool {
    match wake {
        Some(notify) => tokio::select! {
            () = tokio::time::sleep(delay) => true,
            () = notify.notified() => true,
            () = stop.cancelled() => false,
        },
        None => tokio::select! {
            () = tokio::time::sleep(delay) => true,
            () = stop.cancelled() => false,
        },
    }
}

fn note_failure(ctx: &Ctx, component: &str, error: &ChainError, failures: &mut u32) -> Duration {
    *failures += 1;
    if matches!(error, ChainError::Rpc(_)) {
        ctx.rpc.failed();
    }
    if *failures <= 3 || (*failures).is_multiple_of(20) {
        tracing::warn!(component, %error, failures = *failures, "retrying");
    }
    ctx.backoff(*failures)
}

async fn indexer_loop(ctx: Arc<Ctx>, stop: CancellationToken) {
    let mut failures = 0;
    loop {
        let result = tokio::select! {
            r = indexer::tick(&ctx) => r,
            () = stop.cancelled() => return,
        };
        let delay = match result {
            Ok(pass) => {
                failures = 0;
                if !pass.applied.auctions_changed.is_empty() || pass.reorged {
                    ctx.wake.keeper.notify_one();
                    ctx.wake.jobs.notify_one();
                }
                if pass.reorged {
                    ctx.wake.sender.notify_one();
                }
                if pass.caught_up { ctx.config.poll_interval } else { Duration::ZERO }
            }
            Err(error) => note_failure(&ctx, "indexer", &error, &mut failures),
        };
        if !pause(delay, &stop, None).await {
            return;
        }
    }
}

async fn sender_loop(ctx: Arc<Ctx>, held: lease::Lease, stop: CancellationToken) {
    let mut failures = 0;
    loop {
        let result = tokio::select! {
            r = sender::tick(&ctx, &held) => r,
            () = stop.cancelled() => return,
        };
        let delay = match result {
            Ok(pass) => {
                failures = 0;
                if pass.finished > 0 {
                    ctx.wake.keeper.notify_one();
                    ctx.wake.jobs.notify_one();
                }
                sender::pause(&pass, ctx.config.poll_interval)
            }
            Err(ChainError::LeaseLost) => {
                tracing::warn!("sender fenced off: lease lost");
                return;
            }
            Err(error) => note_failure(&ctx, "sender", &error, &mut failures),
        };
        if !pause(delay, &stop, Some(&ctx.wake.sender)).await {
            return;
        }
    }
}

async fn jobs_loop(ctx: Arc<Ctx>, stop: CancellationToken) {
    let mut failures = 0;
    loop {
        let result = tokio::select! {
            r = jobs::tick(&ctx) => r,
            () = stop.cancelled() => return,
        };
        let delay = match result {
            Ok(ran) => {
                failures = 0;
                if ran > 0 {
                    Duration::ZERO
                } else {
                    let next = ctx.db.run(job_store::next_due).await.ok().flatten();
                    let until =
                        next.map_or(ctx.config.poll_interval * 10, |at| (at - Utc::now()).to_std().unwrap_or_default());
                    until.min(ctx.config.poll_interval * 10)
                }
            }
            Err(ChainError::LeaseLost) => return,
            Err(error) => note_failure(&ctx, "jobs", &error, &mut failures),
        };
        if !pause(delay, &stop, Some(&ctx.wake.jobs)).await {
            return;
        }
    }
}

async fn keeper_loop(ctx: Arc<Ctx>, stop: CancellationToken) {
    let mut failures = 0;
    loop {
        let result = tokio::select! {
            r = keeper::tick(&ctx) => r,
            () = stop.cancelled() => return,
        };
        let delay = match result {
            Ok(pass) => {
                failures = 0;
                keeper::pause(&pass, ctx.config.poll_interval)
            }
            Err(error) => note_failure(&ctx, "keeper", &error, &mut failures),
        };
        if !pause(delay, &stop, Some(&ctx.wake.keeper)).await {
            return;
        }
    }
}
