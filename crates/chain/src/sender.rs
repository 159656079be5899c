//! The one sender of the operator's transactions. It owns the operator's nonce:
//!
//! * intents are recorded first (`queued`); a nonce is assigned and the *signed bytes*
//!   recorded (`sent`) in one fenced transaction before the broadcast, so a crash at any
//!   point leads to rebroadcasting the same bytes, never to a second transaction;
//! * a transaction not mined after `stuck_after` is replaced by the same nonce with a
//!   higher fee (all attempts are recorded; whichever is mined is recognised);
//! * when the chain shows an intent's nonce used by a transaction that is none of its
//!   attempts (someone else used the key, "nonce too low"), none of its attempts can be
//!   mined any more, so it is re-queued for a fresh nonce; on "nonce too high" the
//!   missing lower nonces are rebroadcast from the records, or the rejected intent is
//!   re-queued. Nonces are always taken as `max(node's pending count, highest recorded + 1)`.

use std::time::Duration;

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::{BlockId, Encodable2718};
use alloy::network::TxSignerSync;
use alloy::primitives::{B256, Bytes, TxKind, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::transports::{RpcError, TransportError};
use chrono::Utc;

use commissary_db::DbError;
use commissary_db::chain::intents::{self, Attempt, Intent};
use commissary_db::chain::lease::Lease;

use crate::bindings::CommissaryAuction;
use crate::error::{ChainError, ChainResult};
use crate::worker::Ctx;

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

/// The contract error a failed call or estimate reverted with, by name (e.g.
/// `InvalidSchedule`), or `None` when the failure was not a revert.
pub(crate) fn revert_reason(error: &TransportError) -> Option<String> {
    let payload = error.as_error_resp()?;
    if let Some(decoded) = payload.as_decoded_interface_error::<CommissaryAuction::CommissaryAuctionErrors>() {
        let text = format!("{decoded:?}");
        return Some(text.split(['(', ' ', '{']).next().unwrap_or("reverted").to_owned());
    }
    let message = payload.message.to_ascii_lowercase();
    (payload.code == 3 || message.contains("revert")).then(|| format!("reverted: {}", payload.message))
}

fn parse_u128(text: &str) -> ChainResult<u128> {
    text.parse().map_err(|_| ChainError::Db(DbError::Corrupt(format!("fee {text:?}"))))
}

fn bumped(old: u128, percent: u64) -> u128 {
    old.saturating_mul(100 + u128::from(percent)) / 100 + 1
}

fn decode_hex(text: &str) -> ChainResult<Vec<u8>> {
    alloy::primitives::hex::decode(text).map_err(|_| ChainError::Db(DbError::Corrupt(format!("hex {text:?}"))))
}

struct Fees {
    max_fee: u128,
    priority: u128,
}

impl Ctx {
    fn sign(&self, intent: &Intent, nonce: u64, gas_limit: u64, fees: &Fees) -> ChainResult<Attempt> {
        let to: alloy::primitives::Address = intent
            .to_address
            .parse()
            .map_err(|_| ChainError::Db(DbError::Corrupt(format!("to_address {:?}", intent.to_address))))?;
        let mut tx = TxEip1559 {
            chain_id: self.config.chain_id,
            nonce,
            gas_limit,
            max_fee_per_gas: fees.max_fee.max(fees.priority),
            max_priority_fee_per_gas: fees.priority,
            to: TxKind::Call(to),
            value: U256::ZERO,
            access_list: Default::default(),
            input: Bytes::from(decode_hex(&intent.calldata)?),
        };
        let signature = self.signer.sign_transaction_sync(&mut tx).map_err(|e| ChainError::Signer(e.to_string()))?;
        let envelope = TxEnvelope::from(tx.into_signed(signature));
        Ok(Attempt {
            tx_hash: format!("{:#x}", envelope.tx_hash()),
            intent_id: intent.id.clone(),
            nonce: i64::try_from(nonce).map_err(|_| ChainError::Other("nonce out of range".into()))?,
            max_fee_per_gas: fees.max_fee.max(fees.priority).to_string(),
            max_priority_fee_per_gas: fees.priority.to_string(),
            raw_tx: format!("0x{}", alloy::primitives::hex::encode(envelope.encoded_2718())),
            created_at: commissary_db::storable(Utc::now()).naive_utc(),
        })
    }

    async fn broadcast(&self, raw_hex: &str) -> ChainResult<Option<SendError>> {
        let raw = decode_hex(raw_hex)?;
        match self.rpc.get().send_raw_transaction(&raw).await {
            Ok(_) => Ok(None),
            Err(e) => Ok(classify(&e)),
        }
    }

    async fn current_fees(&self) -> ChainResult<Fees> {
        let estimate = self.rpc.get().estimate_eip1559_fees().await?;
        Ok(Fees { max_fee: estimate.max_fee_per_gas, priority: estimate.max_priority_fee_per_gas })
    }
}

/// What one sender pass did.
#[derive(Debug, Default)]
pub(crate) struct SenderPass {
    /// Intents still waiting to be mined (the sender should look again soon).
    pub in_flight: usize,
    /// Intents that reached a final state in this pass.
    pub finished: usize,
}

/// One pass: reconcile sent intents with the chain, then sign and send queued ones.
#[tracing::instrument(skip_all, name = "sender")]
pub(crate) async fn tick(ctx: &Ctx, lease: &Lease) -> ChainResult<SenderPass> {
    let provider = ctx.rpc.get();
    let operator = ctx.operator;
    let head = provider.get_block_number().await?;
    let confirmed_at = head.saturating_sub(ctx.config.confirmations);
    let confirmed_nonce = provider.get_transaction_count(operator).block_id(BlockId::number(confirmed_at)).await?;
    let latest_nonce = provider.get_transaction_count(operator).latest().await?;
    let pending_nonce = provider.get_transaction_count(operator).pending().await?;
    let mut pass = SenderPass::default();

    let from = ctx.operator_hex.clone();
    let sent = ctx.db.run(move |c| intents::sent(c, &from)).await?;
    let sent_nonces: Vec<i64> = sent.iter().filter_map(|i| i.nonce).collect();
    for intent in sent {
        let Some(nonce) = intent.nonce else { continue };
        let nonce_u = u64::try_from(nonce).unwrap_or(u64::MAX);
        let id = intent.id.clone();
        let attempts = ctx.db.run(move |c| intents::attempts(c, &id)).await?;
        let mut receipt = None;
        for attempt in attempts.iter().rev() {
            let hash: B256 =
                attempt.tx_hash.parse().map_err(|_| ChainError::Db(DbError::Corrupt(attempt.tx_hash.clone())))?;
            if let Some(r) = provider.get_transaction_receipt(hash).await? {
                receipt = Some((attempt.tx_hash.clone(), r));
                break;
            }
        }
        if let Some((hash, r)) = receipt {
            let block = r.block_number.unwrap_or(head);
            if block <= confirmed_at {
                let (id, success) = (intent.id.clone(), r.status());
                let block_i = i64::try_from(block).unwrap_or(i64::MAX);
                ctx.db.run(move |c| intents::mark_mined(c, &id, &hash, block_i, success, Utc::now())).await?;
                tracing::info!(intent = %intent.intent_key, tx = %intent.tx_hash.as_deref().unwrap_or_default(), block, success, "transaction mined");
                pass.finished += 1;
            } else {
                pass.in_flight += 1;
            }
            continue;
        }
        if nonce_u < confirmed_nonce {
            // The nonce is used, by a transaction that is none of ours: ours can never be
            // mined, so the intent needs a new nonce.
            tracing::warn!(intent = %intent.intent_key, nonce, "nonce used by another transaction; re-queueing");
            let id = intent.id.clone();
            ctx.db.run(move |c| intents::requeue(c, &id, "nonce used by another transaction", Utc::now())).await?;
            continue;
        }
        pass.in_flight += 1;
        if nonce_u < latest_nonce {
            continue; // used in a block not yet confirmed deep enough: wait.
        }
        let Some(last) = attempts.last() else { continue };
        let stuck = intent.sent_at.is_some_and(|at| {
            Utc::now() - at >= chrono::Duration::from_std(ctx.config.stuck_after).unwrap_or_default()
        });
        if stuck {
            bump(ctx, lease, &intent, last).await?;
        } else {
            let hash: B256 =
                last.tx_hash.parse().map_err(|_| ChainError::Db(DbError::Corrupt(last.tx_hash.clone())))?;
            if provider.get_transaction_by_hash(hash).await?.is_none() {
                // The node does not know it (restarted, or we crashed before sending).
                tracing::info!(intent = %intent.intent_key, nonce, "rebroadcasting");
                handle_send_result(ctx, &intent, ctx.broadcast(&last.raw_tx).await?, &sent_nonces, pending_nonce)
                    .await?;
            }
        }
    }

    let from = ctx.operator_hex.clone();
    let (queued, max_nonce) =
        ctx.db.run(move |c| Ok((intents::queued(c, &from, 32)?, intents::max_nonce(c, &from)?))).await?;
    let recorded_next = max_nonce.map_or(0, |n| u64::try_from(n + 1).unwrap_or(0));
    let mut next = pending_nonce.max(latest_nonce).max(recorded_next);
    for intent in queued {
        let request = TransactionRequest::default()
            .from(operator)
            .to(intent.to_address.parse().map_err(|_| ChainError::Db(DbError::Corrupt(intent.to_address.clone())))?)
            .input(Bytes::from(decode_hex(&intent.calldata)?).into());
        let gas = match provider.estimate_gas(request).await {
            Ok(gas) => gas,
            Err(e) => match revert_reason(&e) {
                Some(reason) => {
                    tracing::warn!(intent = %intent.intent_key, %reason, "transaction would revert; not sent");
                    let id = intent.id.clone();
                    ctx.db.run(move |c| intents::mark_failed(c, &id, &reason, Utc::now())).await?;
                    pass.finished += 1;
                    continue;
                }
                None => return Err(e.into()),
            },
        };
        let gas_limit = gas.saturating_mul(13) / 10 + 25_000;
        let fees = ctx.current_fees().await?;
        let attempt = ctx.sign(&intent, next, gas_limit, &fees)?;
        record(ctx, lease, &attempt, gas_limit).await?;
        tracing::info!(intent = %intent.intent_key, nonce = next, tx = %attempt.tx_hash, "sending");
        next += 1;
        pass.in_flight += 1;
        let result = ctx.broadcast(&attempt.raw_tx).await?;
        let intent = Intent { nonce: Some(attempt.nonce), ..intent };
        if handle_send_result(ctx, &intent, result, &sent_nonces, pending_nonce).await? {
            break;
        }
    }
    Ok(pass)
}

async fn record(ctx: &Ctx, lease: &Lease, attempt: &Attempt, gas_limit: u64) -> ChainResult<()> {
    let (lease, attempt) = (lease.clone(), attempt.clone());
    let gas = i64::try_from(gas_limit).unwrap_or(i64::MAX);
    match ctx.db.run(move |c| intents::record_attempt(c, &lease, &attempt, gas, Utc::now())).await {
        Ok(()) => Ok(()),
        Err(DbError::Conflict("lease_lost")) => Err(ChainError::LeaseLost),
        Err(e) => Err(e.into()),
    }
}

/// Reacts to a broadcast's outcome; returns true when the pass should stop (the nonce
/// view must be refreshed first).
async fn handle_send_result(
    ctx: &Ctx,
    intent: &Intent,
    result: Option<SendError>,
    sent_nonces: &[i64],
    pending_nonce: u64,
) -> ChainResult<bool> {
    let Some(error) = result else { return Ok(false) };
    let now = Utc::now();
    let id = intent.id.clone();
    match error {
        SendError::NonceTooLow => {
            // Either one of our attempts was mined meanwhile or another transaction took
            // the nonce; the next pass tells which from receipts and the confirmed count.
            tracing::warn!(intent = %intent.intent_key, "nonce too low; resynchronising from the chain");
            Ok(true)
        }
        SendError::NonceTooHigh => {
            let nonce = intent.nonce.unwrap_or_default();
            let pending = i64::try_from(pending_nonce).unwrap_or(i64::MAX);
            let gap_is_ours = (pending..nonce).all(|n| sent_nonces.contains(&n));
            if !gap_is_ours {
                // The node rejected it (it is not in its pool), so re-signing it with
                // another nonce cannot produce a second mined transaction.
                tracing::warn!(intent = %intent.intent_key, nonce, pending, "nonce too high; re-queueing");
                ctx.db.run(move |c| intents::requeue(c, &id, "nonce too high", now)).await?;
            }
            Ok(true)
        }
        SendError::Underpriced => {
            ctx.db.run(move |c| intents::set_error(c, &id, "underpriced", now)).await?;
            Ok(false)
        }
        SendError::Transport(message) => Err(ChainError::Rpc(message)),
        SendError::Other(message) => {
            let text = message.clone();
            ctx.db.run(move |c| intents::set_error(c, &id, &text, now)).await?;
            Err(ChainError::Rpc(message))
        }
    }
}

/// Replaces a stuck transaction: same nonce and gas limit, fees raised by
/// `fee_bump_percent` (at least the current estimate).
async fn bump(ctx: &Ctx, lease: &Lease, intent: &Intent, last: &Attempt) -> ChainResult<()> {
    let current = ctx.current_fees().await?;
    let fees = Fees {
        max_fee: bumped(parse_u128(&last.max_fee_per_gas)?, ctx.config.fee_bump_percent).max(current.max_fee),
        priority: bumped(parse_u128(&last.max_priority_fee_per_gas)?, ctx.config.fee_bump_percent)
            .max(current.priority),
    };
    let nonce = u64::try_from(last.nonce).unwrap_or_default();
    let gas_limit = intent.gas_limit.and_then(|g| u64::try_from(g).ok()).unwrap_or(500_000);
    let attempt = ctx.sign(intent, nonce, gas_limit, &fees)?;
    record(ctx, lease, &attempt, gas_limit).await?;
    tracing::info!(intent = %intent.intent_key, nonce, tx = %attempt.tx_hash, max_fee = fees.max_fee, "fee bumped");
    match ctx.broadcast(&attempt.raw_tx).await? {
        None | Some(SendError::NonceTooLow) => Ok(()),
        Some(SendError::Transport(message)) => Err(ChainError::Rpc(message)),
        Some(other) => {
            let (id, text) = (intent.id.clone(), format!("{other:?}"));
            ctx.db.run(move |c| intents::set_error(c, &id, &text, Utc::now())).await?;
            Ok(())
        }
    }
}

/// How long the sender waits before looking again.
pub(crate) fn pause(pass: &SenderPass, poll: Duration) -> Duration {
    if pass.in_flight > 0 { poll } else { poll * 5 }
}
