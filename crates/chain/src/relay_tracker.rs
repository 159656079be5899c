//! Follows relayed bids: copies each relay's intent (moved by the relayer's sender) into
//! the relay record with a `relay` event to its member, decodes why a relay failed (a
//! revert when estimating, or a revert when mined, replayed at its block), and reports
//! the relayer's balance and outcomes as metrics.

use std::time::Duration;

use alloy::eips::BlockId;
use alloy::primitives::{B256, Bytes};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use chrono::Utc;
use tokio::sync::Notify;

use commissary_db::chain::intents::{Intent, IntentStatus};
use commissary_db::members::events;
use commissary_db::relay::{self as relay_store, Progress, Relay};
use commissary_domain::relay::{RelayStatus, failure_code};

use crate::component::Component;
use crate::context::Ctx;
use crate::contract::{recorded_error, revert_of};
use crate::error::ChainResult;
use crate::signer::{Account, decode_hex};

pub(crate) struct RelayTracker {
    pub relayer: Account,
}

impl Component for RelayTracker {
    const NAME: &'static str = "relay_tracker";

    async fn tick(&mut self, ctx: &Ctx) -> ChainResult<Duration> {
        let balance = ctx.rpc.get().get_balance(self.relayer.address).await?;
        // Wei as f64 loses precision far below what an operator reads off a dashboard.
        metrics::gauge!("commissary_relayer_balance_wei").set(f64::from(balance));
        let open = ctx.db.run(|c| relay_store::open(c, 200)).await?;
        let busy = !open.is_empty();
        let mut changed = false;
        for (relay, intent) in open {
            let Some(progress) = self.progress(ctx, &relay, &intent).await? else { continue };
            let id = relay.id.clone();
            let updated = ctx.db.run(move |c| relay_store::update(c, &id, &progress, Utc::now())).await?;
            if let Some(updated) = updated {
                changed = true;
                tracing::info!(relay = %updated.id, status = %updated.status, tx = ?updated.tx_hash, "relay moved on");
                if updated.status.is_final() {
                    let outcome = updated.failure.as_ref().map_or("mined", |f| f.0.as_str()).to_owned();
                    metrics::counter!("commissary_relayed_bids_total", "outcome" => outcome).increment(1);
                    if updated.status == RelayStatus::Mined || updated.tx_hash.is_some() {
                        metrics::counter!("commissary_relayed_gas_total")
                            .increment(u64::try_from(updated.gas).unwrap_or(0));
                    }
                }
            }
        }
        if changed {
            events::wake();
        }
        Ok(if busy { ctx.config.poll_interval } else { ctx.config.poll_interval * 5 })
    }

    fn wake_up<'a>(&self, ctx: &'a Ctx) -> Option<&'a Notify> {
        Some(&ctx.wake.relay_tracker)
    }
}

impl RelayTracker {
    /// Where the relay stands now, from its intent (and, once mined, its receipt).
    async fn progress(&self, ctx: &Ctx, relay: &Relay, intent: &Intent) -> ChainResult<Option<Progress>> {
        let progress = match intent.status {
            IntentStatus::Queued => return Ok(None),
            IntentStatus::Sent => Progress {
                status: RelayStatus::Sent,
                tx_hash: intent.tx_hash.clone(),
                block_number: None,
                gas_used: None,
                failure: None,
            },
            IntentStatus::Failed => {
                let reason = recorded_error(intent.revert_data.as_deref())
                    .map(|e| crate::contract::error_name(&e).to_owned())
                    .or_else(|| intent.last_error.clone())
                    .unwrap_or_else(|| "reverted".to_owned());
                Progress {
                    status: RelayStatus::Failed,
                    tx_hash: None,
                    block_number: None,
                    gas_used: None,
                    failure: Some(failure(&reason)),
                }
            }
            IntentStatus::Mined => {
                let Some(hash) = intent.tx_hash.as_deref().and_then(|h| h.parse::<B256>().ok()) else {
                    return Ok(None);
                };
                let receipt = ctx.rpc.receipt(hash).await?;
                let gas_used = receipt.as_ref().map(|r| r.gas_used);
                let failure = if intent.success == Some(false) {
                    Some(failure(&self.replay_revert(ctx, intent).await?))
                } else {
                    None
                };
                Progress {
                    status: if failure.is_some() { RelayStatus::Failed } else { RelayStatus::Mined },
                    tx_hash: intent.tx_hash.clone(),
                    block_number: intent.mined_block,
                    gas_used,
                    failure,
                }
            }
        };
        let unchanged = progress.status == relay.status && progress.tx_hash == relay.tx_hash;
        Ok((!unchanged).then_some(progress))
    }

    /// Why a mined relay reverted: the same call replayed on the state after its block
    /// (what outbid it is in there, and its nonce is still unused, since it reverted).
    async fn replay_revert(&self, ctx: &Ctx, intent: &Intent) -> ChainResult<String> {
        let Some(block) = intent.mined_block.and_then(|b| u64::try_from(b).ok()) else {
            return Ok("reverted".into());
        };
        let request = TransactionRequest::default()
            .from(self.relayer.address)
            .to(ctx.config.auction_address)
            .input(Bytes::from(decode_hex(&intent.calldata)?).into());
        Ok(match ctx.rpc.get().call(request).block(BlockId::number(block)).await {
            Ok(_) => "reverted".into(),
            Err(error) => revert_of(&error).map_or_else(|| "reverted".into(), |r| r.reason),
        })
    }
}

fn failure(reason: &str) -> (String, String) {
    let code = failure_code(reason);
    let message = match code {
        "bid_too_low" => "someone bid more before the relayed bid was mined".to_owned(),
        "auction_not_live" => "the auction was no longer open when the bid was to be mined".to_owned(),
        _ => format!("the contract refused the bid ({reason})"),
    };
    (code.to_owned(), message)
}
