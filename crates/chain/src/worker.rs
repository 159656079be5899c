//! The chain worker: while it holds the database lease it runs the indexer, the sender,
//! the job runner and the keeper; without it, it waits to take over.

use std::sync::Arc;

use alloy::primitives::Address;
use alloy::providers::Provider;
use chrono::Utc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use commissary_db::Db;
use commissary_db::chain::{jobs as job_store, lease};

use crate::component::{Component, run};
use crate::config::ChainConfig;
use crate::context::{Ctx, Wake};
use crate::error::{ChainError, ChainResult};
use crate::indexer::Indexer;
use crate::jobs::JobRunner;
use crate::keeper::Keeper;
use crate::max_bidder::MaxBidder;
use crate::relay_tracker::RelayTracker;
use crate::rpc::Rpc;
use crate::sender::{Sender, SenderRole};
use crate::signer::Account;

/// Runs the chain side of the service. See the crate documentation.
pub struct ChainWorker {
    ctx: Arc<Ctx>,
}

impl std::fmt::Debug for ChainWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainWorker")
            .field("worker_id", &self.ctx.worker_id)
            .field("operator", &self.ctx.operator.address)
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
        Ok(Self {
            ctx: Arc::new(Ctx {
                scope: config.scope(),
                operator: Account::new(signer),
                relayer: None,
                relay_budget: crate::config::RelayConfig::default().budget(),
                rpc,
                db,
                worker_id,
                config,
                wake: Wake::default(),
            }),
        })
    }

    /// Also relays members' signed bids, from `relayer`'s own account (its own sender and
    /// nonce stream next to the operator's). Call before [`ChainWorker::run`].
    /// Its re-bids under members' maximum bids count against `budget` like relayed bids.
    pub fn with_relayer(
        mut self,
        relayer: alloy::signers::local::PrivateKeySigner,
        budget: commissary_domain::relay::Budget,
    ) -> Self {
        if let Some(ctx) = Arc::get_mut(&mut self.ctx) {
            ctx.relayer = Some(Account::new(relayer));
            ctx.relay_budget = budget;
        }
        self
    }

    /// Wakes the relayer's sender (the API calls it after recording a relay).
    pub fn relay_wake(&self) -> Arc<tokio::sync::Notify> {
        self.ctx.wake.relay_sender.clone()
    }

    /// The operator's address (needs LISTER_ROLE and gas).
    pub fn operator(&self) -> Address {
        self.ctx.operator.address
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
    spawn(&mut tasks, ctx, Indexer, &session);
    spawn(
        &mut tasks,
        ctx,
        Sender { account: ctx.operator.clone(), lease: held.clone(), role: SenderRole::Operator },
        &session,
    );
    if let Some(relayer) = &ctx.relayer {
        let sender = Sender { account: relayer.clone(), lease: held.clone(), role: SenderRole::Relayer };
        spawn(&mut tasks, ctx, sender, &session);
        spawn(&mut tasks, ctx, RelayTracker { relayer: relayer.clone() }, &session);
        match MaxBidder::new(ctx, relayer) {
            Ok(bidder) => spawn(&mut tasks, ctx, bidder, &session),
            Err(error) => tracing::warn!(%error, "maximum bids are not defended: no relay client"),
        }
    }
    spawn(&mut tasks, ctx, JobRunner, &session);
    spawn(&mut tasks, ctx, Keeper, &session);
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

fn spawn<C: Component>(tasks: &mut JoinSet<()>, ctx: &Arc<Ctx>, component: C, session: &CancellationToken) {
    tasks.spawn(run(ctx.clone(), component, session.clone()));
}
