//! Maximum bids ("bid up to"): a member signs one `MaxBid` authorization and the co-op's
//! relayer bids for them whenever they are outbid, never above the maximum (the contract
//! enforces that; these rules decide when the relayer asks it to).
//!
//! Two parts, both pure: [`check`], the ordered refusals of a new authorization (the relay's
//! codes where they apply, plus `max_bid_too_low`), and [`plan`], what the worker does for
//! one auction given its leader and the active maxima the service knows.
//!
//! **The re-bid bound.** [`plan`] acts only when an active maximum that could lead does not
//! lead. A resolution (`resolveMaxBids`) leaves the loser below the new minimum (the winner
//! pays at least the loser's maximum), so it is exhausted; a single re-bid makes its member
//! lead. Hence each worker transaction answers a lead change that the worker did not cause
//! (a hand bid, or the first bid of a new maximum), and per auction the worker sends at most
//! `hand bids + maxima set` transactions, on top of one first bid per maximum.

use ruint::aliases::U256;

use crate::address::Address;
use crate::money::TokenAmount;
use crate::relay::{Budget, ChainAuction, PermitFacts, Refusal, Usage, availability, permit_covers};

/// The deadline a quote proposes: the auction's current end plus this (room for
/// soft-close extensions).
pub const QUOTE_DEADLINE_AFTER_END_SECS: u64 = 86_400;
/// How far past the auction's current end a deadline may be: an authorization is reusable
/// until its deadline, so it should not outlive its auction by much.
pub const MAX_DEADLINE_AFTER_END_SECS: u64 = 7 * 86_400;

crate::string_enum!(
    /// Where a member's maximum bid stands.
    pub MaxBidState {
        /// The relayer bids for the member when they are outbid.
        Active => "active",
        /// The minimum next bid passed the maximum: it can no longer lead.
        Exhausted => "exhausted",
        /// The member revoked it (or replaced it with a new one).
        Revoked => "revoked",
        /// Its deadline passed, or the auction closed.
        Expired => "expired",
    }
);

/// What the member signed (`MaxBid(bidder, auctionId, maxAmount, salt, deadline)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedMaxBid {
    pub max_amount: TokenAmount,
    pub salt: U256,
    pub deadline: u64,
}

/// What the relayer knows when an authorization arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaxBidFacts {
    /// The latest block's timestamp.
    pub chain_time: u64,
    pub auction: Option<ChainAuction>,
    /// The EIP-712 signature recovers to the bidder.
    pub signed_by_bidder: bool,
    pub balance: U256,
    pub allowance: U256,
    pub permit: Option<PermitFacts>,
}

/// The checks of a new maximum, in the API's order; `Ok` means the first bid (if any) may
/// be simulated. Balance and allowance (or permit) must cover the whole maximum: the
/// contract lets a maximum set a rival's price only if its bidder can pay it.
pub fn check(bid: &SignedMaxBid, facts: &MaxBidFacts, budget: &Budget, usage: &Usage) -> Result<(), Refusal> {
    if bid.max_amount.is_zero() {
        return Err(Refusal::InvalidAmount);
    }
    let Some(auction) = facts.auction.filter(|a| a.is_live_at(facts.chain_time)) else {
        return Err(Refusal::AuctionNotLive);
    };
    let latest = auction.end_time.saturating_add(MAX_DEADLINE_AFTER_END_SECS);
    if bid.deadline < facts.chain_time || bid.deadline > latest {
        return Err(Refusal::SignatureExpired);
    }
    if !facts.signed_by_bidder {
        return Err(Refusal::InvalidSignature);
    }
    let max = bid.max_amount.as_u256();
    if max < auction.min_next_bid {
        return Err(Refusal::MaxBidTooLow { min_next_bid: auction.min_next_bid });
    }
    if facts.balance < max {
        return Err(Refusal::InsufficientBalance { balance: facts.balance });
    }
    if facts.allowance < max && !permit_covers(facts.permit.as_ref(), max, facts.chain_time) {
        return Err(Refusal::InsufficientAllowance { allowance: facts.allowance });
    }
    availability(budget, usage)
}

/// An active maximum the service holds, oldest first in the slice given to [`plan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub bidder: Address,
    pub max_amount: U256,
}

/// What the relayer should send for an auction (indices into the maxima given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nobody needs defending.
    Nothing,
    /// `bidByMaxBid` for this maximum, at the minimum next bid.
    Bid(usize),
    /// `resolveMaxBids(first, second)`: the higher maximum leads at the other's maximum
    /// plus one increment; `first` wins ties unless `second` leads.
    Resolve { first: usize, second: usize },
}

/// What to do for one auction, and which maxima can no longer lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub action: Action,
    pub exhausted: Vec<usize>,
}

/// Decides for one live auction: `leader` and `min_next_bid` from the chain, `maxima` the
/// active authorizations (oldest first, so equal maxima favour the earlier, as on eBay).
///
/// A maximum that does not lead and is below the minimum is exhausted. Of those that could
/// lead: against a leader who holds a maximum too, the strongest challenger resolves with
/// it in one transaction; otherwise two challengers resolve together, and a lone one bids.
pub fn plan(leader: Option<Address>, min_next_bid: U256, maxima: &[Standing]) -> Plan {
    let leading = |m: &Standing| Some(m.bidder) == leader;
    let exhausted: Vec<usize> =
        (0..maxima.len()).filter(|&i| !leading(&maxima[i]) && maxima[i].max_amount < min_next_bid).collect();
    let mut challengers: Vec<usize> =
        (0..maxima.len()).filter(|&i| !leading(&maxima[i]) && maxima[i].max_amount >= min_next_bid).collect();
    // Stable: among equal maxima the older stays first.
    challengers.sort_by(|&a, &b| maxima[b].max_amount.cmp(&maxima[a].max_amount));
    let leader_max = (0..maxima.len()).find(|&i| leading(&maxima[i]));
    let action = match (challengers.as_slice(), leader_max) {
        ([], _) => Action::Nothing,
        ([first, ..], Some(second)) => Action::Resolve { first: *first, second },
        ([first, second, ..], None) => Action::Resolve { first: *first, second: *second },
        ([only], None) => Action::Bid(*only),
    };
    Plan { action, exhausted }
}

/// eBay's rule for two maxima (the reference the tests compare the chain with): the higher
/// maximum wins (the earlier on a tie) and pays the other's maximum plus one increment, at
/// most its own maximum and at least `floor` (the minimum next bid when they met).
pub fn second_price(winner_max: U256, loser_max: U256, floor: U256, min_increment_bps: u16) -> U256 {
    let step = (loser_max * U256::from(min_increment_bps)).div_ceil(U256::from(crate::auction::BPS_DENOMINATOR));
    (loser_max + step).min(winner_max).max(floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::RefusalCode;

    const NOW: u64 = 1_000_000;
    const A: Address = Address([1; 20]);
    const B: Address = Address([2; 20]);
    const C: Address = Address([3; 20]);
    const H: Address = Address([4; 20]);

    fn u(n: u64) -> U256 {
        U256::from(n)
    }

    fn facts() -> MaxBidFacts {
        MaxBidFacts {
            chain_time: NOW,
            auction: Some(ChainAuction {
                open: true,
                start_time: NOW - 10,
                end_time: NOW + 100,
                min_next_bid: u(10),
                highest_bidder: None,
                highest_bid: U256::ZERO,
            }),
            signed_by_bidder: true,
            balance: u(100),
            allowance: u(50),
            permit: None,
        }
    }

    fn bid(max: u64) -> SignedMaxBid {
        SignedMaxBid {
            max_amount: TokenAmount::from_u128(u128::from(max)).expect("small"),
            salt: u(1),
            deadline: NOW + 100 + QUOTE_DEADLINE_AFTER_END_SECS,
        }
    }

    const BUDGET: Budget = Budget {
        bids_per_member_per_hour: 5,
        gas_per_member_per_day: 1000,
        gas_per_day: 5000,
        min_relayer_balance: U256::ZERO,
    };

    fn code(result: Result<(), Refusal>) -> Option<RefusalCode> {
        result.err().map(|r| r.code())
    }

    #[test]
    fn checks_in_order() {
        let usage = Usage::default();
        assert_eq!(check(&bid(50), &facts(), &BUDGET, &usage), Ok(()));
        assert_eq!(code(check(&bid(0), &facts(), &BUDGET, &usage)), Some(RefusalCode::InvalidAmount));
        let closed = MaxBidFacts { auction: None, signed_by_bidder: false, ..facts() };
        assert_eq!(code(check(&bid(50), &closed, &BUDGET, &usage)), Some(RefusalCode::AuctionNotLive));
        let late = SignedMaxBid { deadline: NOW + 101 + MAX_DEADLINE_AFTER_END_SECS, ..bid(50) };
        assert_eq!(code(check(&late, &facts(), &BUDGET, &usage)), Some(RefusalCode::SignatureExpired));
        let past = SignedMaxBid { deadline: NOW - 1, ..bid(50) };
        assert_eq!(code(check(&past, &facts(), &BUDGET, &usage)), Some(RefusalCode::SignatureExpired));
        let unsigned = MaxBidFacts { signed_by_bidder: false, ..facts() };
        assert_eq!(code(check(&bid(5), &unsigned, &BUDGET, &usage)), Some(RefusalCode::InvalidSignature));
        assert_eq!(check(&bid(9), &facts(), &BUDGET, &usage), Err(Refusal::MaxBidTooLow { min_next_bid: u(10) }));
        assert_eq!(code(check(&bid(101), &facts(), &BUDGET, &usage)), Some(RefusalCode::InsufficientBalance));
        assert_eq!(code(check(&bid(60), &facts(), &BUDGET, &usage)), Some(RefusalCode::InsufficientAllowance));
        let permitted = MaxBidFacts {
            permit: Some(PermitFacts { value: u(60), deadline: NOW, signed_by_bidder: true }),
            ..facts()
        };
        assert_eq!(check(&bid(60), &permitted, &BUDGET, &usage), Ok(()));
        let spent = Usage { gas_last_day: 5000, ..usage };
        assert_eq!(code(check(&bid(50), &facts(), &BUDGET, &spent)), Some(RefusalCode::RelayUnavailable));
    }

    fn m(bidder: Address, max: u64) -> Standing {
        Standing { bidder, max_amount: u(max) }
    }

    #[test]
    fn plans() {
        // Nobody to defend.
        assert_eq!(plan(Some(A), u(20), &[m(A, 50)]), Plan { action: Action::Nothing, exhausted: vec![] });
        // A hand bidder leads: the lone maximum bids.
        assert_eq!(plan(Some(H), u(20), &[m(A, 50)]).action, Action::Bid(0));
        // A maximum leads and another challenges: one resolution, challenger first.
        assert_eq!(plan(Some(A), u(20), &[m(A, 50), m(B, 80)]).action, Action::Resolve { first: 1, second: 0 });
        // Two challengers against a hand bid: the stronger first, then the weaker.
        assert_eq!(
            plan(Some(H), u(20), &[m(A, 50), m(B, 80), m(C, 30)]).action,
            Action::Resolve { first: 1, second: 0 }
        );
        // Equal maxima: the older first (it wins the tie).
        assert_eq!(plan(Some(H), u(20), &[m(A, 50), m(B, 50)]).action, Action::Resolve { first: 0, second: 1 });
        // Below the minimum and not leading: exhausted; the leader never is.
        let p = plan(Some(A), u(60), &[m(A, 50), m(B, 55)]);
        assert_eq!(p, Plan { action: Action::Nothing, exhausted: vec![1] });
    }

    #[test]
    fn ebay_price() {
        // 10 % steps: B (80) against A (50) pays 55; against 78 it pays its own 80.
        assert_eq!(second_price(u(80), u(50), u(20), 1000), u(55));
        assert_eq!(second_price(u(80), u(78), u(20), 1000), u(80));
        assert_eq!(second_price(u(80), u(5), u(20), 1000), u(20));
    }
}
