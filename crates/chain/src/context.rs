//! What the components of a leading worker share: configuration, database, RPC, the
//! operator's account, the wake-ups between components and the backoff rule.

use std::time::Duration;

use tokio::sync::Notify;

use commissary_db::Db;
use commissary_db::chain::indexer as cursor_store;

use crate::config::ChainConfig;
use crate::error::ChainResult;
use crate::rpc::Rpc;
use crate::signer::Account;

/// Wake-ups between the components (in-process; all of them run in the leader).
#[derive(Debug, Default)]
pub(crate) struct Wake {
    pub keeper: Notify,
    pub sender: Notify,
    pub jobs: Notify,
    /// The relayer's sender: also woken by the API when it records a relay (`Arc`: the
    /// service hands it to the API).
    pub relay_sender: std::sync::Arc<Notify>,
    pub relay_tracker: Notify,
    /// The maximum-bid worker: woken by the indexer when auctions changed.
    pub max_bidder: Notify,
}

pub(crate) struct Ctx {
    pub config: ChainConfig,
    pub db: Db,
    pub rpc: Rpc,
    /// The account holding LISTER_ROLE: creates, cancels and settles auctions.
    pub operator: Account,
    /// The relayer's own account (its own nonce stream), when a relayer key is configured.
    pub relayer: Option<Account>,
    /// The relay's limits, which the maximum-bid worker's re-bids count against.
    pub relay_budget: commissary_domain::relay::Budget,
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

    /// The last block the indexer applied, if any.
    pub async fn indexed_block(&self) -> ChainResult<Option<i64>> {
        let scope = self.scope.clone();
        Ok(self.db.run(move |c| cursor_store::cursor(c, &scope)).await?.map(|c| c.block_number))
    }
}
