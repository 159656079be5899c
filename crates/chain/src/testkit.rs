//! Test support (cargo feature `testkit`): an anvil process, bidding from anvil's
//! accounts and chain manipulation (time, snapshots, reorgs). Fresh test databases are
//! `commissary_db::testkit::TestDb`.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use alloy::primitives::{Address, U256};
use alloy::providers::Provider;
use serde_json::{Value, json};

use commissary_domain::Secret;

use crate::bindings::{AmpledToken, CommissaryAuction};
use crate::config::ChainConfig;
use crate::deploy::{self, Deployment, wallet_provider};
use crate::error::{ChainError, ChainResult};

pub use crate::deploy::ANVIL_DEV_KEYS as ANVIL_KEYS;

pub fn address_of(key: &str) -> Address {
    deploy::signer(key).unwrap().address()
}

/// The anvil binary: `$ANVIL_BIN`, else the npm-installed one in the repository's
/// `node_modules`, else `anvil` on the PATH.
pub fn anvil_binary() -> PathBuf {
    if let Ok(path) = std::env::var("ANVIL_BIN") {
        return PathBuf::from(path);
    }
    let mut dir = Some(Path::new(env!("CARGO_MANIFEST_DIR")));
    while let Some(d) = dir {
        let foundry = d.join("node_modules").join("@foundry-rs");
        if let Ok(entries) = std::fs::read_dir(&foundry) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let candidate = entry.path().join("bin").join("anvil");
                if name.starts_with("anvil-") && candidate.is_file() {
                    return candidate;
                }
            }
        }
        dir = d.parent();
    }
    PathBuf::from("anvil")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// How to start anvil.
#[derive(Debug, Clone, Default)]
pub struct AnvilOptions {
    /// `--block-time` in seconds (interval mining); `None` mines a block per transaction.
    pub block_time: Option<u64>,
    pub port: Option<u16>,
}

/// An anvil process on a free port, killed on drop. `stop`/`restart` keep the chain
/// (state dumped with `anvil_dumpState`, loaded with `--load-state`) and the port.
pub struct Anvil {
    child: Option<Child>,
    port: u16,
    options: AnvilOptions,
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for Anvil {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Anvil").field("port", &self.port).field("running", &self.child.is_some()).finish()
    }
}

impl Anvil {
    pub async fn spawn() -> Self {
        Self::spawn_with(AnvilOptions::default()).await
    }

    pub async fn spawn_with(options: AnvilOptions) -> Self {
        let port = options.port.unwrap_or_else(free_port);
        let mut anvil = Self { child: None, port, options, dir: tempfile::tempdir().unwrap() };
        anvil.start(None).await;
        anvil
    }

    async fn start(&mut self, load_state: Option<&Path>) {
        let mut command = Command::new(anvil_binary());
        command
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string(), "--chain-id", "31337", "--accounts", "10"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(seconds) = self.options.block_time {
            command.args(["--block-time", &seconds.to_string()]);
        }
        if let Some(path) = load_state {
            command.arg("--load-state").arg(path);
        }
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", anvil_binary().display()));
        self.child = Some(child);
        let provider = crate::rpc::provider(&self.url(), Duration::from_secs(2)).unwrap();
        for _ in 0..200 {
            if provider.get_chain_id().await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("anvil did not start on port {}", self.port);
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the node, keeping its chain for `restart` (the port stays unanswered).
    pub async fn stop(&mut self) {
        let state: String = self.rpc("anvil_dumpState", json!([])).await;
        std::fs::write(self.state_path(), state_json(&state)).unwrap();
        self.kill();
    }

    /// Starts the node again on the same port with the chain it had when stopped.
    pub async fn restart(&mut self) {
        let path = self.state_path();
        self.start(Some(&path)).await;
    }

    fn state_path(&self) -> PathBuf {
        self.dir.path().join("state.json")
    }

    /// A raw JSON-RPC call (panics on error: for tests).
    pub async fn rpc<T: serde::de::DeserializeOwned>(&self, method: &'static str, params: Value) -> T {
        self.try_rpc(method, params).await.unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    pub async fn try_rpc<T: serde::de::DeserializeOwned>(&self, method: &'static str, params: Value) -> ChainResult<T> {
        let provider = crate::rpc::provider(&self.url(), Duration::from_secs(10))?;
        let value: Value = provider.raw_request(method.into(), params).await?;
        serde_json::from_value(value).map_err(|e| ChainError::Other(format!("{method}: {e}")))
    }

    pub async fn mine(&self, blocks: u64) {
        let _: Value = self.rpc("anvil_mine", json!([format!("{blocks:#x}")])).await;
    }

    pub async fn block_number(&self) -> u64 {
        deploy::block_number(&self.url()).await.unwrap()
    }

    /// The latest block's timestamp.
    pub async fn timestamp(&self) -> u64 {
        let block: Value = self.rpc("eth_getBlockByNumber", json!(["latest", false])).await;
        u64::from_str_radix(block["timestamp"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
    }

    pub async fn increase_time(&self, seconds: u64) {
        let _: Value = self.rpc("evm_increaseTime", json!([seconds])).await;
    }

    pub async fn set_automine(&self, on: bool) {
        let _: Value = self.rpc("evm_setAutomine", json!([on])).await;
    }

    pub async fn snapshot(&self) -> String {
        self.rpc("evm_snapshot", json!([])).await
    }

    pub async fn revert(&self, id: &str) -> bool {
        self.rpc("evm_revert", json!([id])).await
    }

    /// `anvil_reorg`: replaces the last `depth` blocks by as many new (empty) blocks.
    pub async fn reorg(&self, depth: u64) {
        let _: Value = self.rpc("anvil_reorg", json!([depth, []])).await;
    }

    /// Deploys the contracts with key 0 (treasury: account 9) and returns a worker config
    /// for them (confirmations 0, short intervals for tests).
    pub async fn deploy(&self) -> (Deployment, ChainConfig) {
        let deployment = deploy::deploy_dev(&self.url(), ANVIL_KEYS[0], address_of(ANVIL_KEYS[9])).await.unwrap();
        (deployment, self.config(&deployment))
    }

    pub fn config(&self, deployment: &Deployment) -> ChainConfig {
        ChainConfig {
            rpc_url: self.url(),
            chain_id: 31337,
            auction_address: deployment.auction,
            token_address: deployment.token,
            deployment_block: deployment.deployment_block,
            confirmations: 0,
            operator_key: Some(Secret::new(ANVIL_KEYS[0])),
            poll_interval: Duration::from_millis(200),
            settle_batch_size: 50,
            backfill_range: 500,
            lease_ttl: Duration::from_secs(2),
            stuck_after: Duration::from_secs(5),
            rpc_timeout: Duration::from_secs(2),
            job_visibility: Duration::from_secs(10),
            max_backoff: Duration::from_secs(1),
            ..ChainConfig::default()
        }
    }

    /// Mints `amount` to the account of `key`, approves the auction for it and bids.
    pub async fn fund(&self, deployment: &Deployment, key: &str, amount: U256) {
        deploy::mint(&self.url(), ANVIL_KEYS[0], deployment.token, address_of(key), amount).await.unwrap();
        let provider = wallet_provider(&self.url(), key).unwrap();
        let receipt = AmpledToken::new(deployment.token, &provider)
            .approve(deployment.auction, U256::MAX)
            .send()
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(receipt.status(), "approve reverted");
    }

    /// Bids from `key`'s account (which must be funded, see [`Self::fund`]); returns the tx hash.
    pub async fn bid(&self, deployment: &Deployment, key: &str, auction_id: u64, amount: u128) -> ChainResult<String> {
        let provider = wallet_provider(&self.url(), key)?;
        let amount = alloy::primitives::Uint::<96, 2>::from(amount);
        let receipt = CommissaryAuction::new(deployment.auction, &provider)
            .bid(U256::from(auction_id), amount)
            .send()
            .await?
            .get_receipt()
            .await?;
        if !receipt.status() {
            return Err(ChainError::Reverted("bid reverted".into()));
        }
        Ok(format!("{:#x}", receipt.transaction_hash))
    }

    /// Bids without waiting for the receipt (for interval-mined chains); returns the tx hash.
    pub async fn bid_nowait(
        &self,
        deployment: &Deployment,
        key: &str,
        auction_id: u64,
        amount: u128,
    ) -> ChainResult<String> {
        let provider = wallet_provider(&self.url(), key)?;
        let amount = alloy::primitives::Uint::<96, 2>::from(amount);
        let pending = CommissaryAuction::new(deployment.auction, &provider)
            .bid(U256::from(auction_id), amount)
            .gas(300_000)
            .send()
            .await?;
        Ok(format!("{:#x}", pending.tx_hash()))
    }

    /// The contract's view of an auction.
    pub async fn auction(
        &self,
        deployment: &Deployment,
        auction_id: u64,
    ) -> crate::bindings::ICommissaryAuction::Auction {
        let provider = crate::rpc::provider(&self.url(), Duration::from_secs(10)).unwrap();
        CommissaryAuction::new(deployment.auction, &provider).getAuction(U256::from(auction_id)).call().await.unwrap()
    }

    pub async fn auction_count(&self, deployment: &Deployment) -> u64 {
        let provider = crate::rpc::provider(&self.url(), Duration::from_secs(10)).unwrap();
        CommissaryAuction::new(deployment.auction, &provider).auctionCount().call().await.unwrap().to::<u64>()
    }
}

/// `anvil_dumpState` returns the state as hex of gzipped JSON; `--load-state` wants JSON.
fn state_json(hex_state: &str) -> Vec<u8> {
    use std::io::Read;
    let bytes = alloy::primitives::hex::decode(hex_state).unwrap();
    let mut out = Vec::new();
    match flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut out) {
        Ok(_) => out,
        Err(_) => bytes,
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        self.kill();
    }
}
