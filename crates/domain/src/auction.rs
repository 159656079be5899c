//! Auction rules shared by the service and the contract.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use ruint::aliases::U256;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::listing::{ListingDetails, ListingStatus};
use crate::money::TokenAmount;

pub const BPS_DENOMINATOR: u64 = 10_000;

/// The contract's id of an auction (`auctionCount` at creation; the first is 1). Shown
/// and stored as a decimal string: ids beyond 2^53 would not survive JavaScript numbers.
/// It keeps its decimal text, so it is `Copy` and still lends out a `&str`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AuctionId {
    value: u64,
    text: [u8; 20],
    len: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a decimal auction id")]
pub struct InvalidAuctionId;

impl AuctionId {
    pub fn new(value: u64) -> Self {
        let mut text = [0u8; 20];
        let digits = value.to_string();
        text[..digits.len()].copy_from_slice(digits.as_bytes());
        Self { value, text, len: u8::try_from(digits.len()).unwrap_or(20) }
    }

    pub const fn get(self) -> u64 {
        self.value
    }

    /// The decimal text, as stored and shown.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text[..usize::from(self.len)]).unwrap_or_default()
    }

    /// The order auctions were created in (the id itself), for storage as a signed integer.
    pub fn sequence(self) -> i64 {
        i64::try_from(self.value).unwrap_or(i64::MAX)
    }
}

impl fmt::Debug for AuctionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AuctionId").field(&self.value).finish()
    }
}

impl fmt::Display for AuctionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuctionId {
    type Err = InvalidAuctionId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidAuctionId);
        }
        if s.len() > 1 && s.starts_with('0') {
            return Err(InvalidAuctionId);
        }
        s.parse().map(Self::new).map_err(|_| InvalidAuctionId)
    }
}

impl PartialEq<&str> for AuctionId {
    fn eq(&self, other: &&str) -> bool {
        other.parse::<Self>().is_ok_and(|id| id == *self)
    }
}

impl Serialize for AuctionId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AuctionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

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
    fn auction_ids_are_decimal() {
        assert_eq!("42".parse::<AuctionId>(), Ok(AuctionId::new(42)));
        assert_eq!(AuctionId::new(42).to_string(), "42");
        assert!(AuctionId::new(1) == "1");
        assert_eq!(AuctionId::new(u64::MAX).as_str(), "18446744073709551615");
        for bad in ["", "-1", "+1", "0x1", "1.0", "01", "18446744073709551616"] {
            assert!(bad.parse::<AuctionId>().is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&AuctionId::new(7)).expect("json"), "\"7\"");
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
