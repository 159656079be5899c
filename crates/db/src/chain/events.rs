//! Contract events as the indexer records them (decoded by `commissary-chain`).

use serde::{Deserialize, Serialize};

/// What one log said. Amounts are decimal strings, addresses and hashes lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventData {
    AuctionCreated {
        listing_hash: String,
        reserve_price: String,
        start_time: i64,
        end_time: i64,
        min_increment_bps: i32,
        extension_secs: i64,
    },
    BidPlaced {
        bidder: String,
        amount: String,
        end_time: i64,
    },
    AuctionSettled {
        winner: Option<String>,
        amount: String,
    },
    AuctionCancelled,
    /// A refund the contract could not push to an outbid bidder, credited instead.
    RefundCredited {
        bidder: String,
        amount: String,
    },
    /// A bidder pulled their credited refunds.
    Withdrawn {
        bidder: String,
        amount: String,
    },
}

impl EventData {
    pub fn name(&self) -> &'static str {
        match self {
            Self::AuctionCreated { .. } => "auction_created",
            Self::BidPlaced { .. } => "bid_placed",
            Self::AuctionSettled { .. } => "auction_settled",
            Self::AuctionCancelled => "auction_cancelled",
            Self::RefundCredited { .. } => "refund_credited",
            Self::Withdrawn { .. } => "withdrawn",
        }
    }

    /// Whether the event belongs to an auction (credits belong to a bidder).
    pub fn is_auction_event(&self) -> bool {
        !matches!(self, Self::RefundCredited { .. } | Self::Withdrawn { .. })
    }
}

/// One applied log, identified by `(tx_hash, log_index)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEvent {
    pub tx_hash: String,
    pub log_index: i64,
    pub block_number: i64,
    pub block_hash: String,
    pub block_time: i64,
    /// Decimal auction id (empty for events that belong to no auction).
    pub auction_id: String,
    pub data: EventData,
}
