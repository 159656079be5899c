//! Auction rules shared by the service and the contract.

use chrono::{DateTime, Utc};
use ruint::aliases::U256;

use crate::listing::{ListingDetails, ListingStatus};
use crate::money::TokenAmount;

pub const BPS_DENOMINATOR: u64 = 10_000;

/// The smallest acceptable next bid, exactly as the contract computes it: the reserve
/// before any bid, then `highest + ceil(highest * bps / 10000)`.
pub fn min_next_bid(reserve: TokenAmount, highest: Option<TokenAmount>, min_increment_bps: u16) -> U256 {
    match highest {
        None => reserve.as_u256(),
        Some(highest) => {
            let h = highest.as_u256();
            let numerator = h * U256::from(min_increment_bps);
            let denominator = U256::from(BPS_DENOMINATOR);
            h + numerator.div_ceil(denominator)
        }
    }
}

/// The arguments of `createAuction`, derived from a frozen listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuctionTerms {
    pub listing_hash: [u8; 32],
    pub reserve_price: TokenAmount,
    pub start_time: u64,
    pub end_time: u64,
    pub min_increment_bps: u16,
    pub extension_window: u32,
}

impl AuctionTerms {
    pub fn new(details: &ListingDetails, listing_hash: [u8; 32]) -> Self {
        Self {
            listing_hash,
            reserve_price: details.reserve_price,
            // Validation guarantees post-epoch times, so these never clamp in practice.
            start_time: u64::try_from(details.schedule.starts_at.timestamp()).unwrap_or(0),
            end_time: u64::try_from(details.schedule.ends_at.timestamp()).unwrap_or(0),
            min_increment_bps: details.min_increment_bps,
            extension_window: details.extension_secs,
        }
    }
}

/// The status of a published, unsettled auction at `now` (the chain's time, not the
/// server's wall clock, when the caller has it).
pub fn phase_at(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, now: DateTime<Utc>) -> ListingStatus {
    if now < starts_at {
        ListingStatus::Scheduled
    } else if now < ends_at {
        ListingStatus::Live
    } else {
        ListingStatus::Ended
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(v: u128) -> TokenAmount {
        TokenAmount::from_u128(v).expect("fits")
    }

    #[test]
    fn min_next_bid_rounds_up() {
        assert_eq!(min_next_bid(amount(100), None, 500), U256::from(100));
        assert_eq!(min_next_bid(amount(100), Some(amount(100)), 500), U256::from(105));
        assert_eq!(min_next_bid(amount(1), Some(amount(1)), 1), U256::from(2), "ceil(0.0001) = 1");
        assert_eq!(min_next_bid(amount(1), Some(amount(20_000)), 1), U256::from(20_002));
        assert_eq!(min_next_bid(amount(1), Some(amount(19_999)), 10_000), U256::from(39_998));
    }

    #[test]
    fn phase_boundaries_match_the_contract() {
        let t = |s: i64| DateTime::from_timestamp(s, 0).expect("valid");
        assert_eq!(phase_at(t(100), t(200), t(99)), ListingStatus::Scheduled);
        assert_eq!(phase_at(t(100), t(200), t(100)), ListingStatus::Live);
        assert_eq!(phase_at(t(100), t(200), t(199)), ListingStatus::Live);
        assert_eq!(phase_at(t(100), t(200), t(200)), ListingStatus::Ended);
    }
}
