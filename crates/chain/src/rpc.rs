//! JSON-RPC access: one provider per configured URL (no fillers: the sender fills and
//! signs itself), used in turn when the current one keeps failing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alloy::eips::BlockNumberOrTag;
use alloy::network::BlockResponse;
use alloy::primitives::B256;
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::client::RpcClient;
use alloy::transports::http::reqwest;

use commissary_db::chain::indexer::BlockRef;

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
    pub async fn block_by_number(&self, number: u64) -> ChainResult<Option<BlockRef>> {
        let block = self.get().get_block_by_number(BlockNumberOrTag::Number(number)).await?;
        block.map(|b| block_ref(b.header())).transpose()
    }

    pub async fn block_by_hash(&self, hash: B256) -> ChainResult<Option<BlockRef>> {
        let block = self.get().get_block_by_hash(hash).await?;
        block.map(|b| block_ref(b.header())).transpose()
    }

    pub async fn latest_block(&self) -> ChainResult<BlockRef> {
        let block = self.get().get_block_by_number(BlockNumberOrTag::Latest).await?;
        let block = block.ok_or_else(|| ChainError::Inconsistent("no latest block".into()))?;
        block_ref(block.header())
    }
}

fn block_ref<H: alloy::consensus::BlockHeader + alloy::network::primitives::HeaderResponse>(
    header: &H,
) -> ChainResult<BlockRef> {
    let int = |v: u64| i64::try_from(v).map_err(|_| ChainError::Inconsistent(format!("value {v} out of range")));
    Ok(BlockRef {
        block_number: int(header.number())?,
        block_hash: hex32(&header.hash()),
        parent_hash: hex32(&header.parent_hash()),
        block_time: int(header.timestamp())?,
    })
}

/// Lowercase `0x`-hex of a 32-byte value (hashes as stored).
pub fn hex32(value: &B256) -> String {
    format!("{value:#x}")
}

/// Lowercase `0x`-hex of an address (as stored).
pub fn hex_address(value: &alloy::primitives::Address) -> String {
    format!("{value:#x}")
}

// Keep the trait in scope for `header()` on generic block responses.
#[allow(dead_code)]
fn _assert_block_response<B: BlockResponse>(_: &B) {}

impl Rpc {
    pub async fn get_receipt(&self, hash: B256) -> ChainResult<Option<alloy::rpc::types::TransactionReceipt>> {
        Ok(self.get().get_transaction_receipt(hash).await?)
    }
}
