//! An account the service sends from: signing, fee estimation and broadcasting. The
//! sender owns an account's nonce; a second account (e.g. for relayed bids) is another
//! [`Account`] with its own sender.

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::primitives::{Address, Bytes, TxKind, U256};
use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::{RpcError, TransportError};
use chrono::Utc;

use commissary_db::DbError;
use commissary_db::chain::intents::{Attempt, Intent};

use crate::error::{ChainError, ChainResult};
use crate::rpc::{Rpc, hex_address};

/// A key the service signs with, and its address.
#[derive(Clone)]
pub(crate) struct Account {
    key: PrivateKeySigner,
    pub address: Address,
    /// Lowercase `0x` hex, as intents record their sender.
    pub address_hex: String,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account").field("address", &self.address).finish_non_exhaustive()
    }
}

/// EIP-1559 fees per gas, in wei.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fees {
    pub max_fee: u128,
    pub priority: u128,
}

impl Fees {
    /// Both raised by `percent` (plus one wei, so a rounding never yields the same fee).
    pub fn bumped(self, percent: u64) -> Self {
        let raise = |old: u128| old.saturating_mul(100 + u128::from(percent)) / 100 + 1;
        Self { max_fee: raise(self.max_fee), priority: raise(self.priority) }
    }

    pub fn at_least(self, other: Self) -> Self {
        Self { max_fee: self.max_fee.max(other.max_fee), priority: self.priority.max(other.priority) }
    }

    /// The fees of a recorded attempt.
    pub fn of(attempt: &Attempt) -> ChainResult<Self> {
        let parse = |text: &str| text.parse().map_err(|_| ChainError::Db(DbError::Corrupt(format!("fee {text:?}"))));
        Ok(Self { max_fee: parse(&attempt.max_fee_per_gas)?, priority: parse(&attempt.max_priority_fee_per_gas)? })
    }
}

/// What a node said to a broadcast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SendError {
    NonceTooLow,
    NonceTooHigh,
    Underpriced,
    /// The node could not be reached or did not answer.
    Transport(String),
    Other(String),
}

pub(crate) fn classify(error: &TransportError) -> Option<SendError> {
    let message = match error {
        RpcError::ErrorResp(payload) => payload.message.to_ascii_lowercase(),
        RpcError::Transport(_) | RpcError::NullResp => return Some(SendError::Transport(error.to_string())),
        other => other.to_string().to_ascii_lowercase(),
    };
    if message.contains("already known")
        || message.contains("already imported")
        || message.contains("known transaction")
    {
        None
    } else if message.contains("nonce too low")
        || message.contains("nonce is too low")
        || message.contains("already used")
    {
        Some(SendError::NonceTooLow)
    } else if message.contains("nonce too high") || message.contains("nonce gap") {
        Some(SendError::NonceTooHigh)
    } else if message.contains("underpriced")
        || message.contains("fee too low")
        || message.contains("max fee per gas less than block base fee")
    {
        Some(SendError::Underpriced)
    } else {
        Some(SendError::Other(message))
    }
}

pub(crate) fn decode_hex(text: &str) -> ChainResult<Vec<u8>> {
    alloy::primitives::hex::decode(text).map_err(|_| ChainError::Db(DbError::Corrupt(format!("hex {text:?}"))))
}

impl Account {
    pub fn new(key: PrivateKeySigner) -> Self {
        let address = key.address();
        Self { address_hex: hex_address(&address), address, key }
    }

    /// Signs the intent's call with `nonce`, ready to be recorded and then broadcast.
    pub fn sign(&self, chain_id: u64, intent: &Intent, nonce: u64, gas_limit: u64, fees: Fees) -> ChainResult<Attempt> {
        let to: Address = intent
            .to_address
            .parse()
            .map_err(|_| ChainError::Db(DbError::Corrupt(format!("to_address {:?}", intent.to_address))))?;
        let max_fee = fees.max_fee.max(fees.priority);
        let mut tx = TxEip1559 {
            chain_id,
            nonce,
            gas_limit,
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: fees.priority,
            to: TxKind::Call(to),
            value: U256::ZERO,
            access_list: Default::default(),
            input: Bytes::from(decode_hex(&intent.calldata)?),
        };
        let signature = self.key.sign_transaction_sync(&mut tx).map_err(|e| ChainError::Signer(e.to_string()))?;
        let envelope = TxEnvelope::from(tx.into_signed(signature));
        Ok(Attempt {
            tx_hash: format!("{:#x}", envelope.tx_hash()),
            intent_id: intent.id.clone(),
            nonce: i64::try_from(nonce).map_err(|_| ChainError::Other("nonce out of range".into()))?,
            max_fee_per_gas: max_fee.to_string(),
            max_priority_fee_per_gas: fees.priority.to_string(),
            raw_tx: format!("0x{}", alloy::primitives::hex::encode(envelope.encoded_2718())),
            created_at: commissary_db::storable(Utc::now()).naive_utc(),
        })
    }
}

/// Broadcasts signed bytes; `None` when the node took them (or already had them).
pub(crate) async fn broadcast(rpc: &Rpc, raw_hex: &str) -> ChainResult<Option<SendError>> {
    let raw = decode_hex(raw_hex)?;
    match rpc.get().send_raw_transaction(&raw).await {
        Ok(_) => Ok(None),
        Err(e) => Ok(classify(&e)),
    }
}

/// The node's current fee estimate.
pub(crate) async fn current_fees(rpc: &Rpc) -> ChainResult<Fees> {
    let estimate = rpc.get().estimate_eip1559_fees().await?;
    Ok(Fees { max_fee: estimate.max_fee_per_gas, priority: estimate.max_priority_fee_per_gas })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_raise_both_fees() {
        let fees = Fees { max_fee: 100, priority: 10 }.bumped(25);
        assert_eq!(fees, Fees { max_fee: 126, priority: 13 });
        assert_eq!(fees.at_least(Fees { max_fee: 200, priority: 1 }), Fees { max_fee: 200, priority: 13 });
    }
}
