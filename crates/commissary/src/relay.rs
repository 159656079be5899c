//! The API's chain side of gasless bids ([`commissary_api::RelayChain`]), implemented with
//! the chain crate's [`RelayClient`]; and the `[relay]` settings the API enforces.

use std::sync::Arc;

use tokio::sync::Notify;

use commissary_api::state::{
    ChainFuture, MaxBidQuoteView, PermitInput, PreparedMaxBid, PreparedRelay, PreparedRevocation, QuoteView,
};
use commissary_api::{RelayChain, RelaySettings};
use commissary_chain::relay::max_bid::{SignedAuthorization, bid_calldata, max_bid_struct, revoke_calldata};
use commissary_chain::relay::{Quote, RelayClient, SignedPermit, bid_struct};
use commissary_chain::{ChainConfig, RelayConfig, from_domain_address};
use commissary_domain::max_bid::{QUOTE_DEADLINE_AFTER_END_SECS, SignedMaxBid};
use commissary_domain::relay::{QUOTE_DEADLINE_SECS, SignedBid, needs_permit};
use commissary_domain::{Address, AuctionId, TokenAmount, U256};

pub struct ChainRelay {
    client: RelayClient,
    /// The relayer's sender in this process's chain worker (when it leads).
    wake: Arc<Notify>,
}

impl ChainRelay {
    pub fn new(client: RelayClient, wake: Arc<Notify>) -> Self {
        Self { client, wake }
    }
}

fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// `amount`, or the auction's minimum next bid when none is given.
fn amount_or_minimum(amount: Option<TokenAmount>, quote: &Quote) -> Result<TokenAmount, String> {
    match amount {
        Some(amount) => Ok(amount),
        None => TokenAmount::from_u256(quote.auction.map_or(U256::ZERO, |a| a.min_next_bid)).map_err(text),
    }
}

impl ChainRelay {
    /// The permit of `value` to sign when the allowance does not cover `amount`.
    async fn permit_if_short(
        &self,
        quote: &Quote,
        bidder: commissary_chain::Address,
        amount: TokenAmount,
        value: U256,
        deadline: u64,
    ) -> Result<Option<serde_json::Value>, String> {
        if !needs_permit(quote.allowance, amount.as_u256()) {
            return Ok(None);
        }
        self.client.permit_typed_data(bidder, value, quote.permit_nonce, deadline).await.map(Some).map_err(text)
    }
}

impl RelayChain for ChainRelay {
    fn has_relayer(&self) -> bool {
        self.client.relayer().is_some()
    }

    fn quote<'a>(
        &'a self,
        auction: AuctionId,
        bidder: Address,
        amount: Option<TokenAmount>,
    ) -> ChainFuture<'a, QuoteView> {
        Box::pin(async move {
            let bidder = from_domain_address(bidder);
            let quote = self.client.quote(auction, bidder).await.map_err(text)?;
            let deadline = quote.chain_time + QUOTE_DEADLINE_SECS;
            let amount = amount_or_minimum(amount, &quote)?;
            let signed = SignedBid { amount, nonce: quote.nonce, deadline };
            let typed_data = self.client.bid_typed_data(&bid_struct(bidder, auction, &signed)).await.map_err(text)?;
            let permit_typed_data = self.permit_if_short(&quote, bidder, amount, amount.as_u256(), deadline).await?;
            Ok(QuoteView {
                chain_time: quote.chain_time,
                auction: quote.auction,
                nonce: quote.nonce,
                balance: quote.balance,
                allowance: quote.allowance,
                deadline,
                typed_data,
                permit_typed_data,
            })
        })
    }

    fn prepare<'a>(
        &'a self,
        auction: AuctionId,
        bidder: Address,
        bid: SignedBid,
        signature: Vec<u8>,
        permit: Option<PermitInput>,
    ) -> ChainFuture<'a, PreparedRelay> {
        Box::pin(async move {
            let signed = bid_struct(from_domain_address(bidder), auction, &bid);
            let permit = permit.map(|p| SignedPermit { value: p.value, deadline: p.deadline, signature: p.signature });
            let facts = self.client.facts(&signed, &signature, permit.as_ref()).await.map_err(text)?;
            let calldata = self.client.calldata(&signed, &signature, permit.as_ref()).map_err(text)?;
            let (from_address, to_address) =
                self.client.intent_addresses().ok_or_else(|| "no relayer configured".to_owned())?;
            Ok(PreparedRelay { facts, calldata: format!("0x{}", hex_encode(&calldata)), from_address, to_address })
        })
    }

    fn simulate<'a>(&'a self, calldata: &'a str) -> ChainFuture<'a, Result<u64, String>> {
        Box::pin(async move {
            let bytes = hex_decode(calldata).ok_or_else(|| "calldata is not hex".to_owned())?;
            Ok(self.client.simulate(&bytes).await.map_err(text)?.map_err(|r| r.reason))
        })
    }

    fn relayer_balance(&self) -> ChainFuture<'_, U256> {
        Box::pin(async move { Ok(self.client.relayer_balance().await.map_err(text)?.unwrap_or(U256::ZERO)) })
    }

    fn credits(&self, member: Address) -> ChainFuture<'_, U256> {
        Box::pin(async move { self.client.credits(from_domain_address(member)).await.map_err(text) })
    }

    fn wake(&self) {
        self.wake.notify_one();
    }

    fn max_bid_quote<'a>(
        &'a self,
        auction: AuctionId,
        bidder: Address,
        max_amount: Option<TokenAmount>,
    ) -> ChainFuture<'a, MaxBidQuoteView> {
        Box::pin(async move {
            let bidder = from_domain_address(bidder);
            let quote = self.client.quote(auction, bidder).await.map_err(text)?;
            let deadline = quote.auction.map_or(quote.chain_time, |a| a.end_time) + QUOTE_DEADLINE_AFTER_END_SECS;
            let max_amount = amount_or_minimum(max_amount, &quote)?;
            let salt = U256::from(uuid::Uuid::new_v4().as_u128());
            let signed = SignedMaxBid { max_amount, salt, deadline };
            let document = max_bid_struct(bidder, auction, &signed);
            let typed_data = self.client.max_bid_typed_data(&document).await.map_err(text)?;
            // Unlimited: every bid under the maximum pulls its whole amount again after the
            // previous one was refunded, so a permit of the maximum would run out after the
            // first re-bid. The contract still never pulls more than a bid the member's
            // authorization allows.
            let permit_typed_data = self.permit_if_short(&quote, bidder, max_amount, U256::MAX, deadline).await?;
            Ok(MaxBidQuoteView {
                chain_time: quote.chain_time,
                auction: quote.auction,
                balance: quote.balance,
                allowance: quote.allowance,
                salt,
                deadline,
                typed_data,
                permit_typed_data,
            })
        })
    }

    fn prepare_max_bid<'a>(
        &'a self,
        auction: AuctionId,
        bidder: Address,
        bid: SignedMaxBid,
        signature: Vec<u8>,
        permit: Option<PermitInput>,
    ) -> ChainFuture<'a, PreparedMaxBid> {
        Box::pin(async move {
            let authorization =
                SignedAuthorization { max_bid: max_bid_struct(from_domain_address(bidder), auction, &bid), signature };
            let permit = permit.map(|p| SignedPermit { value: p.value, deadline: p.deadline, signature: p.signature });
            let (facts, hash) = self.client.max_bid_facts(&authorization, permit.as_ref()).await.map_err(text)?;
            let calldata = bid_calldata(&authorization, permit.as_ref()).map_err(text)?;
            let (from_address, to_address) =
                self.client.intent_addresses().ok_or_else(|| "no relayer configured".to_owned())?;
            Ok(PreparedMaxBid {
                facts,
                hash: format!("{hash:#x}"),
                first_bid_calldata: format!("0x{}", hex_encode(&calldata)),
                from_address,
                to_address,
            })
        })
    }

    fn revocation_typed_data<'a>(&'a self, bidder: Address, hash: &'a str) -> ChainFuture<'a, serde_json::Value> {
        Box::pin(async move {
            let hash = hash.parse().map_err(text)?;
            self.client.revocation_typed_data(from_domain_address(bidder), hash).await.map_err(text)
        })
    }

    fn prepare_revocation<'a>(
        &'a self,
        bidder: Address,
        hash: &'a str,
        signature: Vec<u8>,
    ) -> ChainFuture<'a, PreparedRevocation> {
        Box::pin(async move {
            let (bidder, hash) = (from_domain_address(bidder), hash.parse().map_err(text)?);
            let signed_by_bidder = self.client.revocation_signed(bidder, hash, &signature).await.map_err(text)?;
            let (from_address, to_address) =
                self.client.intent_addresses().ok_or_else(|| "no relayer configured".to_owned())?;
            Ok(PreparedRevocation {
                signed_by_bidder,
                calldata: format!("0x{}", hex_encode(&revoke_calldata(bidder, hash, &signature))),
                from_address,
                to_address,
            })
        })
    }
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let digits = text.strip_prefix("0x")?;
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    (0..digits.len()).step_by(2).map(|i| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok()).collect()
}

/// The API's relay settings from `[relay]`, with the chain side when `[chain]` is set.
pub fn api_settings(relay: &RelayConfig, chain: Option<Arc<dyn RelayChain>>) -> RelaySettings {
    RelaySettings {
        budget: relay.budget(),
        rate_burst: relay.rate_burst,
        rate_per_second: relay.rate_per_second,
        chain,
    }
}

/// The relay client for `chain`, with the relayer's address when a key is configured.
pub fn client(chain: &ChainConfig, relay: &RelayConfig) -> anyhow::Result<RelayClient> {
    let relayer = if relay.enabled() { Some(relay.relayer_signer()?.address()) } else { None };
    Ok(RelayClient::new(chain, relayer)?)
}
