//! An auction as the service knows it: the fold of its contract events, and what that
//! means for its listing at a given chain time.

use chrono::{DateTime, Utc};
use ruint::aliases::U256;

use crate::address::Address;
use crate::auction::{AuctionId, min_next_bid, phase_at};
use crate::events::{AuctionEvent, LoggedEvent};
use crate::listing::ListingStatus;
use crate::money::TokenAmount;

crate::string_enum!(
    /// Where an auction is on chain.
    pub AuctionStatus {
        Open => "open",
        Settled => "settled",
        Cancelled => "cancelled",
    }
);

/// How an auction was settled: `winner = None` (and amount 0) when nobody bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub tx_hash: String,
    pub winner: Option<Address>,
    pub amount: TokenAmount,
}

/// Events that cannot start or continue an auction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    #[error("auction {0} does not start with its creation event")]
    NotCreated(AuctionId),
    #[error("event of auction {event} folded into auction {auction}")]
    OtherAuction { auction: AuctionId, event: AuctionId },
}

/// One on-chain auction, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuctionState {
    pub auction_id: AuctionId,
    /// Lowercase `0x` hex of the listing document's keccak256.
    pub listing_hash: String,
    pub reserve_price: TokenAmount,
    pub starts_at: DateTime<Utc>,
    /// The current end, extensions included.
    pub ends_at: DateTime<Utc>,
    /// The end the auction was created with.
    pub original_ends_at: DateTime<Utc>,
    pub min_increment_bps: u16,
    pub extension_secs: u32,
    pub highest_bidder: Option<Address>,
    pub highest_bid: Option<TokenAmount>,
    pub bid_count: u64,
    pub status: AuctionStatus,
    pub settlement: Option<Settlement>,
    pub create_tx_hash: Option<String>,
    pub created_block: i64,
    /// The block of the last event folded in.
    pub updated_block: i64,
}

impl AuctionState {
    /// The auction an `AuctionCreated` event starts.
    pub fn created(logged: &LoggedEvent) -> Result<Self, ProjectionError> {
        let AuctionEvent::AuctionCreated {
            listing_hash,
            reserve_price,
            start_time,
            end_time,
            min_increment_bps,
            extension_secs,
        } = &logged.event
        else {
            return Err(ProjectionError::NotCreated(logged.auction_id));
        };
        Ok(Self {
            auction_id: logged.auction_id,
            listing_hash: listing_hash.to_ascii_lowercase(),
            reserve_price: *reserve_price,
            starts_at: *start_time,
            ends_at: *end_time,
            original_ends_at: *end_time,
            min_increment_bps: *min_increment_bps,
            extension_secs: *extension_secs,
            highest_bidder: None,
            highest_bid: None,
            bid_count: 0,
            status: AuctionStatus::Open,
            settlement: None,
            create_tx_hash: Some(logged.tx_hash.clone()),
            created_block: logged.block_number,
            updated_block: logged.block_number,
        })
    }

    /// Folds one later event in (a repeated creation changes nothing).
    pub fn apply(&mut self, logged: &LoggedEvent) -> Result<(), ProjectionError> {
        if logged.auction_id != self.auction_id {
            return Err(ProjectionError::OtherAuction { auction: self.auction_id, event: logged.auction_id });
        }
        match &logged.event {
            AuctionEvent::AuctionCreated { .. } => return Ok(()),
            AuctionEvent::BidPlaced { bidder, amount, end_time } => {
                self.highest_bidder = Some(*bidder);
                self.highest_bid = Some(*amount);
                self.ends_at = *end_time;
                self.bid_count += 1;
            }
            AuctionEvent::AuctionSettled { winner, amount } => {
                self.status = AuctionStatus::Settled;
                self.settlement =
                    Some(Settlement { tx_hash: logged.tx_hash.clone(), winner: *winner, amount: *amount });
            }
            AuctionEvent::AuctionCancelled => self.status = AuctionStatus::Cancelled,
        }
        self.updated_block = logged.block_number;
        Ok(())
    }

    /// The auction its events (in chain order) describe; `Ok(None)` when there are none
    /// left, e.g. after a reorg removed its creation.
    pub fn fold(events: &[LoggedEvent]) -> Result<Option<Self>, ProjectionError> {
        let Some((first, rest)) = events.split_first() else { return Ok(None) };
        let mut state = Self::created(first)?;
        for event in rest {
            state.apply(event)?;
        }
        Ok(Some(state))
    }

    /// The status its listing shows at chain time `chain_now`.
    pub fn listing_status(&self, chain_now: DateTime<Utc>) -> ListingStatus {
        match self.status {
            AuctionStatus::Open => phase_at(self.starts_at, self.ends_at, chain_now),
            AuctionStatus::Settled if self.settlement.as_ref().is_some_and(|s| s.winner.is_some()) => {
                ListingStatus::Settled
            }
            AuctionStatus::Settled => ListingStatus::Unsold,
            AuctionStatus::Cancelled => ListingStatus::Cancelled,
        }
    }

    /// The highest bid, or the reserve before any bid.
    pub fn current_price(&self) -> TokenAmount {
        self.highest_bid.unwrap_or(self.reserve_price)
    }

    /// The smallest bid the contract accepts next (as `minNextBid`).
    pub fn min_next_bid(&self) -> U256 {
        min_next_bid(self.reserve_price, self.highest_bid, self.min_increment_bps)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).expect("valid")
    }

    fn amount(v: u128) -> TokenAmount {
        TokenAmount::from_u128(v).expect("fits")
    }

    fn bidder(n: u8) -> Address {
        Address([n; 20])
    }

    pub(crate) fn logged(block: i64, event: AuctionEvent) -> LoggedEvent {
        LoggedEvent {
            tx_hash: format!("0x{block:064x}"),
            log_index: 0,
            block_number: block,
            block_hash: format!("0x{:064x}", block + 1000),
            block_time: t(1000 + block),
            auction_id: AuctionId::new(1),
            event,
        }
    }

    pub(crate) fn created(block: i64, start: i64, end: i64) -> LoggedEvent {
        logged(
            block,
            AuctionEvent::AuctionCreated {
                listing_hash: format!("0x{:064X}", 0xab),
                reserve_price: amount(100),
                start_time: t(start),
                end_time: t(end),
                min_increment_bps: 500,
                extension_secs: 60,
            },
        )
    }

    fn bid(block: i64, who: u8, value: u128, end: i64) -> LoggedEvent {
        logged(block, AuctionEvent::BidPlaced { bidder: bidder(who), amount: amount(value), end_time: t(end) })
    }

    #[test]
    fn bids_raise_the_price_and_extensions_move_the_end() {
        let events = [created(1, 100, 200), bid(2, 1, 100, 200), bid(3, 2, 105, 250)];
        let state = AuctionState::fold(&events).expect("fold").expect("exists");
        assert_eq!(state.listing_hash, format!("0x{:064x}", 0xab), "hashes are kept lowercase");
        assert_eq!(state.bid_count, 2);
        assert_eq!(state.highest_bidder, Some(bidder(2)));
        assert_eq!(state.current_price(), amount(105));
        assert_eq!(state.min_next_bid(), U256::from(111));
        assert_eq!((state.original_ends_at, state.ends_at), (t(200), t(250)), "extended by the last bid");
        assert_eq!(state.updated_block, 3);
        assert_eq!(state.listing_status(t(220)), ListingStatus::Live, "live past the original end");
        assert_eq!(state.listing_status(t(250)), ListingStatus::Ended);
    }

    #[test]
    fn listing_status_follows_chain_time_and_the_outcome() {
        let mut state = AuctionState::created(&created(1, 100, 200)).expect("created");
        assert_eq!(state.current_price(), amount(100), "the reserve before any bid");
        assert_eq!(state.listing_status(t(99)), ListingStatus::Scheduled);
        assert_eq!(state.listing_status(t(100)), ListingStatus::Live);
        assert_eq!(state.listing_status(t(200)), ListingStatus::Ended);

        let mut unsold = state.clone();
        unsold.apply(&logged(5, AuctionEvent::AuctionSettled { winner: None, amount: amount(0) })).expect("apply");
        assert_eq!(unsold.listing_status(t(300)), ListingStatus::Unsold);
        assert_eq!(unsold.settlement.as_ref().map(|s| s.tx_hash.clone()), Some(format!("0x{:064x}", 5)));

        state.apply(&bid(2, 1, 100, 200)).expect("bid");
        let mut sold = state.clone();
        sold.apply(&logged(5, AuctionEvent::AuctionSettled { winner: Some(bidder(1)), amount: amount(100) }))
            .expect("apply");
        assert_eq!(sold.listing_status(t(300)), ListingStatus::Settled);

        let mut cancelled = AuctionState::created(&created(1, 100, 200)).expect("created");
        cancelled.apply(&logged(2, AuctionEvent::AuctionCancelled)).expect("apply");
        assert_eq!(cancelled.status, AuctionStatus::Cancelled);
        assert_eq!(cancelled.listing_status(t(150)), ListingStatus::Cancelled);
    }

    #[test]
    fn a_reorg_refolds_what_remains() {
        let all = [created(1, 100, 200), bid(2, 1, 100, 200), bid(3, 2, 105, 250)];
        // The last block was orphaned: its bid (and the extension) disappear.
        let after = AuctionState::fold(&all[..2]).expect("fold").expect("exists");
        assert_eq!((after.bid_count, after.highest_bid, after.ends_at), (1, Some(amount(100)), t(200)));
        assert_eq!(after.listing_status(t(220)), ListingStatus::Ended, "no longer extended");
        // The creation itself was orphaned: nothing is left.
        assert_eq!(AuctionState::fold(&[]), Ok(None));
        // Events that do not start with a creation are refused, not guessed at.
        assert_eq!(AuctionState::fold(&all[1..]), Err(ProjectionError::NotCreated(AuctionId::new(1))));
    }

    #[test]
    fn events_of_another_auction_are_refused() {
        let mut state = AuctionState::created(&created(1, 100, 200)).expect("created");
        let mut other = bid(2, 1, 100, 200);
        other.auction_id = AuctionId::new(2);
        assert!(state.apply(&other).is_err());
        assert_eq!(state.bid_count, 0);
    }
}
