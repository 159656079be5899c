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
