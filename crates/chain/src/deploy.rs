//! Development deployment from the committed artifacts (AmpledToken + CommissaryAuction)
//! and token minting for demo data. For local chains and tests; production deployments
//! use `auction-contract/scripts/deploy.sh` with reviewed parameters.

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::http::reqwest::Url;

use crate::bindings::{AmpledToken, CommissaryAuction};
use crate::error::{ChainError, ChainResult};

/// Anvil's default development keys (from its public test mnemonic): fixtures, not
/// secrets. Key 0 deploys and operates; key 9 is the development treasury.
pub const ANVIL_DEV_KEYS: [&str; 10] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

/// Where the contracts went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deployment {
    pub token: Address,
    pub auction: Address,
    /// The auction's deployment block (index events from here).
    pub deployment_block: u64,
}

pub(crate) fn signer(key: &str) -> ChainResult<PrivateKeySigner> {
    key.trim().parse().map_err(|_| ChainError::Config("not a 32-byte hex private key".into()))
}

/// A provider that fills nonce, gas and chain id and signs with `key` (for tools and tests,
/// not for the operator's transactions, which go through the sender).
pub fn wallet_provider(rpc_url: &str, key: &str) -> ChainResult<DynProvider> {
    let url: Url = rpc_url.parse().map_err(|_| ChainError::Config(format!("rpc url {rpc_url:?} is not a URL")))?;
    let wallet = EthereumWallet::from(signer(key)?);
    Ok(ProviderBuilder::new().wallet(wallet).connect_http(url).erased())
}

/// Deploys AmpledToken (admin and minter: the deployer) and CommissaryAuction (admin and
/// lister: the deployer; settled bids go to `treasury`).
pub async fn deploy_dev(rpc_url: &str, deployer_key: &str, treasury: Address) -> ChainResult<Deployment> {
    let deployer = signer(deployer_key)?.address();
    let provider = wallet_provider(rpc_url, deployer_key)?;
    let receipt = AmpledToken::deploy_builder(&provider, deployer).send().await?.get_receipt().await?;
    let token = receipt
        .contract_address
        .filter(|_| receipt.status())
        .ok_or_else(|| ChainError::Reverted("AmpledToken deployment failed".into()))?;
    let receipt =
        CommissaryAuction::deploy_builder(&provider, token, treasury, deployer).send().await?.get_receipt().await?;
    let auction = receipt
        .contract_address
        .filter(|_| receipt.status())
        .ok_or_else(|| ChainError::Reverted("CommissaryAuction deployment failed".into()))?;
    let deployment_block =
        receipt.block_number.ok_or_else(|| ChainError::Inconsistent("receipt without block".into()))?;
    Ok(Deployment { token, auction, deployment_block })
}

/// Mints `amount` base units of the token to `to` (the key must hold MINTER_ROLE).
pub async fn mint(rpc_url: &str, key: &str, token: Address, to: Address, amount: U256) -> ChainResult<()> {
    let provider = wallet_provider(rpc_url, key)?;
    let receipt = AmpledToken::new(token, &provider).mint(to, amount).send().await?.get_receipt().await?;
    if !receipt.status() {
        return Err(ChainError::Reverted("mint reverted".into()));
    }
    Ok(())
}

/// Grants LISTER_ROLE on the auction to `account` (the key must be the auction's admin).
pub async fn grant_lister(rpc_url: &str, admin_key: &str, auction: Address, account: Address) -> ChainResult<()> {
    let provider = wallet_provider(rpc_url, admin_key)?;
    let contract = CommissaryAuction::new(auction, &provider);
    let role = contract.LISTER_ROLE().call().await?;
    let receipt = contract.grantRole(role, account).send().await?.get_receipt().await?;
    if !receipt.status() {
        return Err(ChainError::Reverted("grantRole reverted".into()));
    }
    Ok(())
}

/// The latest block number (handy for tools).
pub async fn block_number(rpc_url: &str) -> ChainResult<u64> {
    Ok(crate::rpc::provider(rpc_url, std::time::Duration::from_secs(10))?.get_block_number().await?)
}
