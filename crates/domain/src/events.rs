//! The auction contract's events, typed: what the indexer decodes from logs, records,
//! and folds into auctions (see [`crate::projection`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::auction::AuctionId;
use crate::money::TokenAmount;

/// What one log said. Serialised (as the indexer stores it) with an `event` tag, times as
/// unix seconds, amounts as decimal strings, hashes as lowercase `0x` hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AuctionEvent {
    AuctionCreated {
        listing_hash: String,
        reserve_price: TokenAmount,
        #[serde(with = "chrono::serde::ts_seconds")]
        start_time: DateTime<Utc>,
        #[serde(with = "chrono::serde::ts_seconds")]
        end_time: DateTime<Utc>,
        min_increment_bps: u16,
        extension_secs: u32,
    },
    BidPlaced {
        bidder: Address,
        amount: TokenAmount,
        /// The auction's end after this bid (extensions included).
        #[serde(with = "chrono::serde::ts_seconds")]
        end_time: DateTime<Utc>,
    },
    AuctionSettled {
        /// `None` when nobody bid.
        winner: Option<Address>,
        amount: TokenAmount,
    },
    AuctionCancelled,
}

impl AuctionEvent {
    pub fn name(&self) -> &'static str {
        match self {
            Self::AuctionCreated { .. } => "auction_created",
            Self::BidPlaced { .. } => "bid_placed",
            Self::AuctionSettled { .. } => "auction_settled",
            Self::AuctionCancelled => "auction_cancelled",
        }
    }
}

/// One log where the chain put it, identified by `(tx_hash, log_index)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    pub tx_hash: String,
    pub log_index: i64,
    pub block_number: i64,
    pub block_hash: String,
    /// The block's time: the chain's clock when the event happened.
    pub block_time: DateTime<Utc>,
    pub auction_id: AuctionId,
    pub event: AuctionEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_is_stable() {
        let event = AuctionEvent::BidPlaced {
            bidder: Address::parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8").expect("address"),
            amount: TokenAmount::from_u128(5).expect("amount"),
            end_time: DateTime::from_timestamp(1_800_000_000, 0).expect("time"),
        };
        let text = serde_json::to_string(&event).expect("json");
        assert_eq!(
            text,
            r#"{"event":"bid_placed","bidder":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","amount":"5","end_time":1800000000}"#
        );
        // Rows written before the typed events (lowercase addresses) still read back.
        let old = r#"{"event":"bid_placed","bidder":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","amount":"5","end_time":1800000000}"#;
        assert_eq!(serde_json::from_str::<AuctionEvent>(old).expect("old row"), event);
        assert_eq!(
            serde_json::from_str::<AuctionEvent>(r#"{"event":"auction_cancelled"}"#).expect("unit"),
            AuctionEvent::AuctionCancelled
        );
    }
}
