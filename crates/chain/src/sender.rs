//! The one sender of an account's transactions (the operator's, and the relayer's). It owns the
//! account's nonce:
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

use alloy::eips::BlockId;
use alloy::primitives::{B256, Bytes};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use chrono::Utc;
use tokio::sync::Notify;

use commissary_db::chain::intents::{self, Attempt, Intent};
use commissary_db::chain::lease::Lease;
use commissary_db::{Conflict, DbError};

use crate::component::Component;
use crate::context::Ctx;
use crate::contract::revert_of;
use crate::error::{ChainError, ChainResult};
use crate::signer::{Account, Fees, SendError, broadcast, current_fees, decode_hex};

/// The sender of one account, fenced by the leader's lease.
#[derive(Debug)]
pub(crate) struct Sender {
    pub account: Account,
    pub lease: Lease,
    pub role: SenderRole,
}

/// Whose transactions a sender sends: each account has its own sender, nonce stream and
/// wake-up, so relayed bids never wait behind (or delay) the operator's transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SenderRole {
    Operator,
    Relayer,
}

impl Component for Sender {
    const NAME: &'static str = "sender";

    async fn tick(&mut self, ctx: &Ctx) -> ChainResult<Duration> {
        let pass = tick(ctx, &self.account, &self.lease).await?;
        let poll = ctx.config.poll_interval;
        match self.role {
            SenderRole::Operator => {
                if pass.finished > 0 {
                    ctx.wake.keeper.notify_one();
                    ctx.wake.jobs.notify_one();
                }
                Ok(if pass.in_flight > 0 { poll } else { poll * 5 })
            }
            SenderRole::Relayer => {
                // The tracker tells the member what happened (sent, mined, failed).
                ctx.wake.relay_tracker.notify_one();
                Ok(poll)
            }
        }
    }

    fn wake_up<'a>(&self, ctx: &'a Ctx) -> Option<&'a Notify> {
        Some(match self.role {
            SenderRole::Operator => &ctx.wake.sender,
            SenderRole::Relayer => &ctx.wake.relay_sender,
        })
    }
}

fn corrupt(what: &str) -> ChainError {
    ChainError::Db(DbError::Corrupt(what.to_owned()))
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
#[tracing::instrument(skip_all, name = "sender", fields(account = %account.address))]
async fn tick(ctx: &Ctx, account: &Account, lease: &Lease) -> ChainResult<SenderPass> {
    let provider = ctx.rpc.get();
    let operator = account.address;
    let head = provider.get_block_number().await?;
    let confirmed_at = head.saturating_sub(ctx.config.confirmations);
    let confirmed_nonce = provider.get_transaction_count(operator).block_id(BlockId::number(confirmed_at)).await?;
    let latest_nonce = provider.get_transaction_count(operator).latest().await?;
    let pending_nonce = provider.get_transaction_count(operator).pending().await?;
    let mut pass = SenderPass::default();

    let from = account.address_hex.clone();
    let sent = ctx.db.run(move |c| intents::sent(c, &from)).await?;
    let sent_nonces: Vec<i64> = sent.iter().filter_map(|i| i.nonce).collect();
    for intent in sent {
        let Some(nonce) = intent.nonce else { continue };
        let nonce_u = u64::try_from(nonce).unwrap_or(u64::MAX);
        let id = intent.id.clone();
        let attempts = ctx.db.run(move |c| intents::attempts(c, &id)).await?;
        let mut receipt = None;
        for attempt in attempts.iter().rev() {
            let hash: B256 = attempt.tx_hash.parse().map_err(|_| corrupt(&attempt.tx_hash))?;
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
            bump(ctx, account, lease, &intent, last).await?;
        } else {
            let hash: B256 = last.tx_hash.parse().map_err(|_| corrupt(&last.tx_hash))?;
            if provider.get_transaction_by_hash(hash).await?.is_none() {
                // The node does not know it (restarted, or we crashed before sending).
                tracing::info!(intent = %intent.intent_key, nonce, "rebroadcasting");
                handle_send_result(ctx, &intent, broadcast(&ctx.rpc, &last.raw_tx).await?, &sent_nonces, pending_nonce)
                    .await?;
            }
        }
    }

    let from = account.address_hex.clone();
    let (queued, max_nonce) =
        ctx.db.run(move |c| Ok((intents::queued(c, &from, 32)?, intents::max_nonce(c, &from)?))).await?;
    let recorded_next = max_nonce.map_or(0, |n| u64::try_from(n + 1).unwrap_or(0));
    let mut next = pending_nonce.max(latest_nonce).max(recorded_next);
    for intent in queued {
        let request = TransactionRequest::default()
            .from(operator)
            .to(intent.to_address.parse().map_err(|_| corrupt(&intent.to_address))?)
            .input(Bytes::from(decode_hex(&intent.calldata)?).into());
        let gas = match provider.estimate_gas(request).await {
            Ok(gas) => gas,
            Err(e) => match revert_of(&e) {
                Some(revert) => {
                    tracing::warn!(intent = %intent.intent_key, reason = %revert.reason, "transaction would revert; not sent");
                    let id = intent.id.clone();
                    ctx.db
                        .run(move |c| intents::mark_failed(c, &id, &revert.reason, revert.data.as_deref(), Utc::now()))
                        .await?;
                    pass.finished += 1;
                    continue;
                }
                None => return Err(e.into()),
            },
        };
        let gas_limit = gas.saturating_mul(13) / 10 + 25_000;
        let fees = current_fees(&ctx.rpc).await?;
        let attempt = account.sign(ctx.config.chain_id, &intent, next, gas_limit, fees)?;
        record(ctx, lease, &attempt, gas_limit).await?;
        tracing::info!(intent = %intent.intent_key, nonce = next, tx = %attempt.tx_hash, "sending");
        next += 1;
        pass.in_flight += 1;
        let result = broadcast(&ctx.rpc, &attempt.raw_tx).await?;
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
        Err(DbError::Conflict(Conflict::LeaseLost)) => Err(ChainError::LeaseLost),
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
async fn bump(ctx: &Ctx, account: &Account, lease: &Lease, intent: &Intent, last: &Attempt) -> ChainResult<()> {
    let fees = Fees::of(last)?.bumped(ctx.config.fee_bump_percent).at_least(current_fees(&ctx.rpc).await?);
    let nonce = u64::try_from(last.nonce).unwrap_or_default();
    let gas_limit = intent.gas_limit.and_then(|g| u64::try_from(g).ok()).unwrap_or(500_000);
    let attempt = account.sign(ctx.config.chain_id, intent, nonce, gas_limit, fees)?;
    record(ctx, lease, &attempt, gas_limit).await?;
    tracing::info!(intent = %intent.intent_key, nonce, tx = %attempt.tx_hash, max_fee = fees.max_fee, "fee bumped");
    match broadcast(&ctx.rpc, &attempt.raw_tx).await? {
        None | Some(SendError::NonceTooLow) => Ok(()),
        Some(SendError::Transport(message)) => Err(ChainError::Rpc(message)),
        Some(other) => {
            let (id, text) = (intent.id.clone(), format!("{other:?}"));
            ctx.db.run(move |c| intents::set_error(c, &id, &text, Utc::now())).await?;
            Ok(())
        }
    }
}
