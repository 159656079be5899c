//! Defends members' maximum bids: for every auction with an active maximum it reads the
//! chain (not the index, which may lag) and carries out `commissary_domain::max_bid::plan`:
//! a `bidByMaxBid[WithPermit]` for a member who was outbid, or one `resolveMaxBids` when two
//! maxima meet; maxima that can no longer lead become `exhausted` (with an `outbid`
//! notification), those past their deadline or auction `expired`.
//!
//! Every re-bid is a relay (`IntentKind::MaxBid`) keyed by the decision it carries out, the
//! auction and the highest bid it answers (`<auction>@<highest bid>`), recorded with its
//! intent before the relayer's sender sends it: after a crash the same chain state yields
//! the same key, which is never sent twice. One re-bid (or relayed bid) is in flight per
//! auction: an auction whose listing has a relayer intent queued, sent, or mined above the
//! indexed block is left alone until the indexer caught up. Each call is simulated first,
//! and the relay's budgets apply as to members' own relayed bids.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::Notify;

use commissary_db::chain::intents::{self, IntentKind};
use commissary_db::max_bids::{self, MaxBid};
use commissary_db::members::events;
use commissary_db::relay::{self as relay_store, NewRelay, Recorded};
use commissary_domain::max_bid::{Action, Standing, plan};
use commissary_domain::relay::{ChainAuction, Usage, availability};
use commissary_domain::{AuctionId, TokenAmount};

use crate::component::Component;
use crate::context::Ctx;
use crate::error::{ChainError, ChainResult};
use crate::relay::max_bid::{SignedAuthorization, bid_calldata, max_bid_struct, resolve_calldata};
use crate::relay::{RelayClient, SignedPermit};
use crate::rpc::hex_address;
use crate::signer::{Account, decode_hex};

/// A decision gets this many attempts (a failed send is retried with a new attempt while the
/// chain stays as it was); then it waits for the chain to move.
const ATTEMPTS_PER_DECISION: usize = 3;

pub(crate) struct MaxBidder {
    relayer: Account,
    client: RelayClient,
}

impl MaxBidder {
    pub fn new(ctx: &Ctx, relayer: &Account) -> ChainResult<Self> {
        Ok(Self { relayer: relayer.clone(), client: RelayClient::new(&ctx.config, Some(relayer.address))? })
    }
}

impl Component for MaxBidder {
    const NAME: &'static str = "max_bidder";

    async fn tick(&mut self, ctx: &Ctx) -> ChainResult<Duration> {
        let auctions = ctx.db.run(max_bids::auctions_with_active).await?;
        if auctions.is_empty() {
            return Ok(ctx.config.poll_interval * 5);
        }
        let indexed = ctx.indexed_block().await?.unwrap_or(0);
        let busy: HashSet<String> = ctx
            .db
            .run(move |c| {
                let mut busy = HashSet::new();
                for kind in [IntentKind::MaxBid, IntentKind::RelayBid] {
                    // Failed intents are not in flight: the cooldown starts now.
                    for intent in intents::in_flight(c, kind, indexed, Utc::now())? {
                        busy.extend(intent.subject);
                    }
                }
                Ok(busy)
            })
            .await?;
        for (auction_id, listing_id) in auctions {
            if busy.contains(&listing_id) {
                continue;
            }
            self.defend(ctx, &auction_id).await?;
        }
        Ok(ctx.config.poll_interval)
    }

    fn wake_up<'a>(&self, ctx: &'a Ctx) -> Option<&'a Notify> {
        Some(&ctx.wake.max_bidder)
    }
}

fn corrupt(what: impl std::fmt::Display) -> ChainError {
    ChainError::Db(commissary_db::DbError::Corrupt(what.to_string()))
}

/// The stored authorization as the contract takes it.
fn authorization(max_bid: &MaxBid) -> ChainResult<SignedAuthorization> {
    let auction: AuctionId = max_bid.auction_id.parse().map_err(|_| corrupt(&max_bid.auction_id))?;
    let signed = commissary_domain::max_bid::SignedMaxBid {
        max_amount: max_bid.max_amount,
        salt: alloy::primitives::U256::from_str_radix(&max_bid.salt, 10).map_err(|_| corrupt(&max_bid.salt))?,
        deadline: u64::try_from(max_bid.deadline).map_err(|_| corrupt(max_bid.deadline))?,
    };
    Ok(SignedAuthorization {
        max_bid: max_bid_struct(crate::from_domain_address(max_bid.bidder), auction, &signed),
        signature: decode_hex(&max_bid.signature)?,
    })
}

impl MaxBidder {
    /// One auction: read the chain, expire and exhaust, then at most one re-bid.
    async fn defend(&self, ctx: &Ctx, auction_id: &str) -> ChainResult<()> {
        let id = auction_id.to_owned();
        let mut maxima = ctx.db.run(move |c| max_bids::active_in(c, &id)).await?;
        let Some(first) = maxima.first() else { return Ok(()) };
        let auction: AuctionId = auction_id.parse().map_err(|_| corrupt(auction_id))?;
        let quote = self.client.quote(auction, crate::from_domain_address(first.bidder)).await?;
        let now = quote.chain_time;
        let Some(on_chain) = quote.auction.filter(|a| a.open && now < a.end_time) else {
            // Settled, cancelled or past its end: nothing can be bid any more.
            return self.expire(ctx, maxima.iter().map(|m| m.id.clone()).collect()).await;
        };
        if now < on_chain.start_time {
            return Ok(());
        }
        let (expired, live): (Vec<MaxBid>, Vec<MaxBid>) =
            maxima.drain(..).partition(|m| u64::try_from(m.deadline).unwrap_or(0) < now);
        self.expire(ctx, expired.into_iter().map(|m| m.id).collect()).await?;
        let standings: Vec<Standing> =
            live.iter().map(|m| Standing { bidder: m.bidder, max_amount: m.max_amount.as_u256() }).collect();
        let decision = plan(on_chain.highest_bidder, on_chain.min_next_bid, &standings);
        let highest = TokenAmount::from_u256(on_chain.highest_bid).map_err(corrupt)?;
        for &i in &decision.exhausted {
            let id = live[i].id.clone();
            if ctx.db.run(move |c| max_bids::exhaust(c, &id, highest, Utc::now())).await? {
                tracing::info!(max_bid = %live[i].id, auction = auction_id, "maximum bid exhausted");
            }
        }
        match decision.action {
            Action::Nothing => Ok(()),
            Action::Bid(i) => self.bid(ctx, &live[i], &on_chain).await,
            Action::Resolve { first, second } => {
                let calldata = resolve_calldata(&authorization(&live[first])?, &authorization(&live[second])?);
                match self.client.simulate(&calldata).await? {
                    Ok(gas) => self.record(ctx, &live[first], &on_chain, calldata, gas).await,
                    Err(rejected) => {
                        // E.g. a maximum without allowance yet (its permit is still to be
                        // sent): the challenger bids alone, with its permit.
                        tracing::info!(auction = auction_id, reason = %rejected.reason, "resolution refused; bidding alone");
                        self.bid(ctx, &live[first], &on_chain).await
                    }
                }
            }
        }
    }

    async fn expire(&self, ctx: &Ctx, ids: Vec<String>) -> ChainResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        ctx.db
            .run(move |c| {
                for id in &ids {
                    max_bids::expire(c, id, Utc::now())?;
                }
                Ok(())
            })
            .await?;
        Ok(())
    }

    /// `bidByMaxBid` for `member`, with its stored permit while the allowance is short.
    async fn bid(&self, ctx: &Ctx, member: &MaxBid, on_chain: &ChainAuction) -> ChainResult<()> {
        let auction: AuctionId = member.auction_id.parse().map_err(|_| corrupt(&member.auction_id))?;
        let quote = self.client.quote(auction, crate::from_domain_address(member.bidder)).await?;
        let permit = member
            .permit
            .as_ref()
            .filter(|p| {
                quote.allowance < member.max_amount.as_u256()
                    && u64::try_from(p.deadline).unwrap_or(0) >= quote.chain_time
            })
            .map(|p| {
                Ok::<_, ChainError>(SignedPermit {
                    value: alloy::primitives::U256::from_str_radix(&p.value, 10).map_err(|_| corrupt(&p.value))?,
                    deadline: u64::try_from(p.deadline).map_err(|_| corrupt(p.deadline))?,
                    signature: decode_hex(&p.signature)?,
                })
            })
            .transpose()?;
        let calldata = bid_calldata(&authorization(member)?, permit.as_ref())?;
        match self.client.simulate(&calldata).await? {
            Ok(gas) => self.record(ctx, member, on_chain, calldata, gas).await,
            Err(rejected) => {
                tracing::info!(max_bid = %member.id, reason = %rejected.reason, "re-bid would be refused; waiting for the chain to move");
                Ok(())
            }
        }
    }

    /// Records the re-bid (relay + intent) for the decision answering `on_chain`'s highest
    /// bid, within the relay's budgets, and wakes the relayer's sender.
    async fn record(
        &self,
        ctx: &Ctx,
        member: &MaxBid,
        on_chain: &ChainAuction,
        calldata: Vec<u8>,
        gas: u64,
    ) -> ChainResult<()> {
        let balance = self.client.relayer_balance().await?.unwrap_or_default();
        let bidder = member.bidder;
        let (bids, member_gas, all_gas) = ctx.db.run(move |c| relay_store::usage(c, bidder, Utc::now())).await?;
        let usage = Usage {
            member_bids_last_hour: bids,
            member_gas_last_day: member_gas,
            gas_last_day: all_gas,
            relayer_balance: balance,
        };
        if let Err(refusal) = availability(&ctx.relay_budget, &usage) {
            tracing::warn!(max_bid = %member.id, ?refusal, "re-bid held back by the relay's budget");
            return Ok(());
        }
        let key = format!("{}@{}", member.auction_id, on_chain.highest_bid);
        let new = NewRelay {
            kind: IntentKind::MaxBid,
            bidder,
            nonce: key.clone(),
            listing_id: member.listing_id.clone(),
            auction_id: member.auction_id.clone(),
            amount: TokenAmount::from_u256(on_chain.min_next_bid).map_err(corrupt)?,
            gas_estimate: gas,
            from_address: self.relayer.address_hex.clone(),
            to_address: hex_address(&ctx.config.auction_address),
            calldata: format!("0x{}", alloy::primitives::hex::encode(&calldata)),
        };
        let recorded = ctx
            .db
            .run(move |c| {
                if relay_store::attempts_of(c, bidder, &key)?.len() >= ATTEMPTS_PER_DECISION {
                    return Ok(None);
                }
                relay_store::record(c, &new, Utc::now()).map(Some)
            })
            .await?;
        if let Some(Recorded::New(relay)) = recorded {
            tracing::info!(relay = %relay.id, max_bid = %member.id, key = %relay.nonce, "re-bid recorded");
            events::wake();
            ctx.wake.relay_sender.notify_one();
        }
        Ok(())
    }
}
