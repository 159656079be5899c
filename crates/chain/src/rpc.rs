//! JSON-RPC access: one provider per configured URL (no fillers: the sender fills and
//! signs itself), used in turn when the current one keeps failing, and the contract's
//! event lookups. Everything here speaks chain types; the components translate.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::{Address, B256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::client::RpcClient;
use alloy::rpc::types::{Filter, Log, TransactionReceipt};
use alloy::sol_types::SolEvent;
use alloy::transports::http::reqwest;

use crate::bindings::CommissaryAuction::{
    AuctionCancelled, AuctionCreated, AuctionSettled, BidPlaced, MaxBidRevoked, MaxBidUsed, RefundCredited, Withdrawn,
};
use crate::error::{ChainError, ChainResult};

/// A provider without fillers for `url`, with a request timeout.
pub fn provider(url: &str, timeout: Duration) -> ChainResult<DynProvider> {
    let url: reqwest::Url = url.parse().map_err(|_| ChainError::Config(format!("rpc url {url:?} is not a URL")))?;
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .build()
        .map_err(|e| ChainError::Config(format!("http client: {e}")))?;
    let client = RpcClient::new_http_with_client(http, url);
    Ok(ProviderBuilder::new().disable_recommended_fillers().connect_client(client).erased())
}

/// A block header as far as the service cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub number: u64,
    pub hash: B256,
    pub parent_hash: B256,
    /// Unix seconds.
    pub timestamp: u64,
}

/// The configured endpoints; `get` returns the current one, `failed` moves on to the next.
#[derive(Clone)]
pub struct Rpc {
    providers: Arc<Vec<DynProvider>>,
    current: Arc<AtomicUsize>,
}

impl std::fmt::Debug for Rpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // URLs may embed API keys, so only their number is shown.
        f.debug_struct("Rpc").field("endpoints", &self.providers.len()).finish()
    }
}

fn header(block: &alloy::rpc::types::Block) -> Block {
    let h = &block.header;
    Block { number: h.number, hash: h.hash, parent_hash: h.parent_hash, timestamp: h.timestamp }
}

impl Rpc {
    pub fn new(urls: &[String], timeout: Duration) -> ChainResult<Self> {
        let providers = urls.iter().map(|u| provider(u, timeout)).collect::<ChainResult<Vec<_>>>()?;
        if providers.is_empty() {
            return Err(ChainError::Config("no rpc url".into()));
        }
        Ok(Self { providers: Arc::new(providers), current: Arc::new(AtomicUsize::new(0)) })
    }

    pub fn get(&self) -> &DynProvider {
        let i = self.current.load(Ordering::Relaxed) % self.providers.len();
        &self.providers[i]
    }

    /// Switches to the next endpoint (after a transport failure).
    pub fn failed(&self) {
        if self.providers.len() > 1 {
            self.current.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The header of block `number`, `None` beyond the head.
    pub async fn block_by_number(&self, number: u64) -> ChainResult<Option<Block>> {
        Ok(self.get().get_block_by_number(BlockNumberOrTag::Number(number)).await?.map(|b| header(&b)))
    }

    pub async fn block_by_hash(&self, hash: B256) -> ChainResult<Option<Block>> {
        Ok(self.get().get_block_by_hash(hash).await?.map(|b| header(&b)))
    }

    pub async fn latest_block(&self) -> ChainResult<Block> {
        let block = self.get().get_block_by_number(BlockNumberOrTag::Latest).await?;
        block.map(|b| header(&b)).ok_or_else(|| ChainError::Inconsistent("no latest block".into()))
    }

    pub async fn receipt(&self, hash: B256) -> ChainResult<Option<TransactionReceipt>> {
        Ok(self.get().get_transaction_receipt(hash).await?)
    }

    /// The auction contract's events that the projection folds (all four kinds) in
    /// `from..=to`. Its other events (`RefundCredited`, `Withdrawn`, `NonceInvalidated`,
    /// `TreasuryUpdated`, `Paused`, ...) are not fetched, so new contract events never stop
    /// the indexer.
    pub async fn auction_logs(&self, auction: Address, from: u64, to: u64) -> ChainResult<Vec<Log>> {
        let filter = Filter::new()
            .address(auction)
            .event_signature(vec![
                AuctionCreated::SIGNATURE_HASH,
                BidPlaced::SIGNATURE_HASH,
                AuctionSettled::SIGNATURE_HASH,
                AuctionCancelled::SIGNATURE_HASH,
                RefundCredited::SIGNATURE_HASH,
                Withdrawn::SIGNATURE_HASH,
                MaxBidUsed::SIGNATURE_HASH,
                MaxBidRevoked::SIGNATURE_HASH,
            ])
            .from_block(from)
            .to_block(to);
        Ok(self.get().get_logs(&filter).await?)
    }

    /// Searches blocks `from..=head` (in ranges of `range` blocks) for the `AuctionCreated`
    /// of `listing_hash`; returns its auction id.
    pub async fn find_created(
        &self,
        auction: Address,
        listing_hash: B256,
        from: u64,
        range: u64,
    ) -> ChainResult<Option<u64>> {
        let head = self.get().get_block_number().await?;
        let mut start = from;
        while start <= head {
            let end = head.min(start + range.max(1) - 1);
            let filter = Filter::new()
                .address(auction)
                .event_signature(AuctionCreated::SIGNATURE_HASH)
                .topic2(listing_hash)
                .from_block(start)
                .to_block(end);
            if let Some(log) = self.get().get_logs(&filter).await?.into_iter().find(|l| !l.removed) {
                let event = log.log_decode::<AuctionCreated>().map_err(|e| ChainError::Inconsistent(e.to_string()))?;
                return Ok(Some(event.inner.data.auctionId.to::<u64>()));
            }
            start = end + 1;
        }
        Ok(None)
    }
}

/// Lowercase `0x`-hex of a 32-byte value (hashes as stored).
pub fn hex32(value: &B256) -> String {
    format!("{value:#x}")
}

/// Lowercase `0x`-hex of an address (as stored).
pub fn hex_address(value: &Address) -> String {
    format!("{value:#x}")
}
