//! Gasless bids: the rules the co-op's relayer applies before it spends gas on a member's
//! signed bid, in the order the API reports them, and the relay's lifecycle.
//!
//! The adapters gather the facts (the chain's view of the auction, the member's token
//! balance, allowance and nonce, whether the signatures recover to the member, what the
//! relayer has spent) and [`check`] decides. Everything here is pure.

use ruint::aliases::U256;

use crate::money::TokenAmount;

/// How far ahead a signed bid's deadline may be: a longer-lived signature would let a
/// relayer (or anyone who sees it) hold a member's bid back for too long.
pub const MAX_DEADLINE_AHEAD_SECS: u64 = 3600;
/// The deadline a quote proposes: chain time plus this.
pub const QUOTE_DEADLINE_SECS: u64 = 600;

crate::string_enum!(
    /// Why the relayer refuses a signed bid (each is an API error code).
    pub RefusalCode {
        InvalidAmount => "invalid_amount",
        AuctionNotLive => "auction_not_live",
        SignatureExpired => "signature_expired",
        NonceMismatch => "nonce_mismatch",
        InvalidSignature => "invalid_signature",
        BidTooLow => "bid_too_low",
        /// A maximum bid below the auction's minimum next bid (`crate::max_bid`).
        MaxBidTooLow => "max_bid_too_low",
        InsufficientBalance => "insufficient_balance",
        InsufficientAllowance => "insufficient_allowance",
        RelayUnavailable => "relay_unavailable",
        /// Every check passed but simulating the exact call against the pending block
        /// reverts (e.g. a bid in the pending block raised the minimum).
        SimulationFailed => "simulation_failed",
    }
);

/// A refusal, with what the member needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    InvalidAmount,
    AuctionNotLive,
    /// The deadline has passed, or is more than [`MAX_DEADLINE_AHEAD_SECS`] ahead.
    SignatureExpired,
    /// The signed nonce is not the contract's `nonces(bidder)` (or is already relayed).
    NonceMismatch {
        expected: U256,
    },
    InvalidSignature,
    BidTooLow {
        min_next_bid: U256,
    },
    /// A maximum bid that could not lead now.
    MaxBidTooLow {
        min_next_bid: U256,
    },
    InsufficientBalance {
        balance: U256,
    },
    InsufficientAllowance {
        allowance: U256,
    },
    /// A budget is spent or the relayer's balance is below its floor; retry later.
    RelayUnavailable {
        reason: Unavailable,
        retry_after_secs: u64,
    },
    /// The simulation reverts with this contract error.
    SimulationFailed {
        reason: String,
    },
}

impl Refusal {
    pub fn code(&self) -> RefusalCode {
        match self {
            Self::InvalidAmount => RefusalCode::InvalidAmount,
            Self::AuctionNotLive => RefusalCode::AuctionNotLive,
            Self::SignatureExpired => RefusalCode::SignatureExpired,
            Self::NonceMismatch { .. } => RefusalCode::NonceMismatch,
            Self::InvalidSignature => RefusalCode::InvalidSignature,
            Self::BidTooLow { .. } => RefusalCode::BidTooLow,
            Self::MaxBidTooLow { .. } => RefusalCode::MaxBidTooLow,
            Self::InsufficientBalance { .. } => RefusalCode::InsufficientBalance,
            Self::InsufficientAllowance { .. } => RefusalCode::InsufficientAllowance,
            Self::RelayUnavailable { .. } => RefusalCode::RelayUnavailable,
            Self::SimulationFailed { .. } => RefusalCode::SimulationFailed,
        }
    }
}

crate::string_enum!(
    /// Why the relay is not available right now.
    pub Unavailable {
        /// No relayer key is configured.
        NotConfigured => "not_configured",
        /// The member used up their relayed bids for the hour.
        MemberHourlyBids => "member_hourly_bids",
        /// The member used up their relayed gas for the day.
        MemberDailyGas => "member_daily_gas",
        /// The co-op's relayed gas for the day is used up.
        DailyGas => "daily_gas",
        /// The relayer's ETH balance is below its floor.
        RelayerBalance => "relayer_balance",
    }
);

/// The chain's view of an auction at the latest block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainAuction {
    /// Created and neither settled nor cancelled.
    pub open: bool,
    pub start_time: u64,
    pub end_time: u64,
    pub min_next_bid: U256,
    /// The current leader (`None` before the first bid).
    pub highest_bidder: Option<crate::address::Address>,
    /// The current highest bid (zero before the first bid).
    pub highest_bid: U256,
}

impl ChainAuction {
    /// Whether a bid mined at chain time `now` is accepted by the contract's schedule.
    pub fn is_live_at(&self, now: u64) -> bool {
        self.open && self.start_time <= now && now < self.end_time
    }
}

/// An attached EIP-2612 permit, as checked against the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermitFacts {
    pub value: U256,
    pub deadline: u64,
    /// The permit's signature recovers to the bidder for the token's current nonce and
    /// this contract as spender.
    pub signed_by_bidder: bool,
}

/// What the relayer knows when a signed bid arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidFacts {
    /// The latest block's timestamp.
    pub chain_time: u64,
    /// `None`: no such auction on chain.
    pub auction: Option<ChainAuction>,
    /// The contract's `nonces(bidder)`.
    pub nonce: U256,
    /// The bid's EIP-712 signature recovers to the bidder.
    pub signed_by_bidder: bool,
    pub balance: U256,
    /// The bidder's allowance to the auction contract.
    pub allowance: U256,
    pub permit: Option<PermitFacts>,
}

/// What the member signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedBid {
    pub amount: TokenAmount,
    pub nonce: U256,
    pub deadline: u64,
}

/// The relay's limits (`[relay]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub bids_per_member_per_hour: u32,
    pub gas_per_member_per_day: u64,
    pub gas_per_day: u64,
    /// Wei.
    pub min_relayer_balance: U256,
}

/// What the relayer has spent and holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// This member's relays of the last hour.
    pub member_bids_last_hour: u32,
    /// Gas of this member's relays of the last 24 hours (mined: used; in flight: estimated).
    pub member_gas_last_day: u64,
    /// Gas of all relays of the last 24 hours.
    pub gas_last_day: u64,
    /// Wei.
    pub relayer_balance: U256,
}

/// Whether the relay could take a bid from this member now, or why not (with when to
/// retry). Checked last, so a member first learns what is wrong with the bid itself.
pub fn availability(budget: &Budget, usage: &Usage) -> Result<(), Refusal> {
    let refuse = |reason, retry_after_secs| Err(Refusal::RelayUnavailable { reason, retry_after_secs });
    if usage.relayer_balance < budget.min_relayer_balance {
        return refuse(Unavailable::RelayerBalance, 60);
    }
    if usage.gas_last_day >= budget.gas_per_day {
        return refuse(Unavailable::DailyGas, 3600);
    }
    if usage.member_gas_last_day >= budget.gas_per_member_per_day {
        return refuse(Unavailable::MemberDailyGas, 3600);
    }
    if usage.member_bids_last_hour >= budget.bids_per_member_per_hour {
        return refuse(Unavailable::MemberHourlyBids, 600);
    }
    Ok(())
}

/// Gas the member may still have relayed today (the smaller of their own and the
/// co-op's remaining budget).
pub fn remaining_gas_today(budget: &Budget, usage: &Usage) -> u64 {
    budget
        .gas_per_member_per_day
        .saturating_sub(usage.member_gas_last_day)
        .min(budget.gas_per_day.saturating_sub(usage.gas_last_day))
}

/// The relayer's checks, in the order the API reports them (the amount's own validity,
/// `invalid_amount`, is the caller's: it is checked while parsing). The first that fails
/// is the answer; `Ok` means the exact call may now be simulated.
pub fn check(bid: &SignedBid, facts: &BidFacts, budget: &Budget, usage: &Usage) -> Result<(), Refusal> {
    if bid.amount.is_zero() {
        return Err(Refusal::InvalidAmount);
    }
    let Some(auction) = facts.auction.filter(|a| a.is_live_at(facts.chain_time)) else {
        return Err(Refusal::AuctionNotLive);
    };
    if bid.deadline < facts.chain_time || bid.deadline > facts.chain_time.saturating_add(MAX_DEADLINE_AHEAD_SECS) {
        return Err(Refusal::SignatureExpired);
    }
    if bid.nonce != facts.nonce {
        return Err(Refusal::NonceMismatch { expected: facts.nonce });
    }
    if !facts.signed_by_bidder {
        return Err(Refusal::InvalidSignature);
    }
    let amount = bid.amount.as_u256();
    if amount < auction.min_next_bid {
        return Err(Refusal::BidTooLow { min_next_bid: auction.min_next_bid });
    }
    if facts.balance < amount {
        return Err(Refusal::InsufficientBalance { balance: facts.balance });
    }
    if facts.allowance < amount && !permit_covers(facts.permit.as_ref(), amount, facts.chain_time) {
        return Err(Refusal::InsufficientAllowance { allowance: facts.allowance });
    }
    availability(budget, usage)
}

/// A permit makes up for a short allowance when the bidder signed it, it is not expired
/// and it allows at least the bid.
pub(crate) fn permit_covers(permit: Option<&PermitFacts>, amount: U256, now: u64) -> bool {
    permit.is_some_and(|p| p.signed_by_bidder && p.deadline >= now && p.value >= amount)
}

/// Whether the bid needs a permit: the allowance does not cover `amount`.
pub fn needs_permit(allowance: U256, amount: U256) -> bool {
    allowance < amount
}

crate::string_enum!(
    /// Where a relayed bid is.
    pub RelayStatus {
        /// Recorded; the relayer has not signed it yet.
        Queued => "queued",
        /// Signed and broadcast.
        Sent => "sent",
        /// Included in a block and successful.
        Mined => "mined",
        /// Not sent (it would revert) or reverted when mined.
        Failed => "failed",
    }
);

impl RelayStatus {
    pub fn is_final(self) -> bool {
        matches!(self, Self::Mined | Self::Failed)
    }
}

/// A contract error's name (as the chain adapter decodes it) in the API's words.
pub fn failure_code(contract_error: &str) -> &'static str {
    match contract_error {
        "BidTooLow" => "bid_too_low",
        "AuctionEnded" | "AuctionNotStarted" | "AuctionClosed" | "AuctionNotFound" | "EnforcedPause" => {
            "auction_not_live"
        }
        "SignatureExpired" => "signature_expired",
        "InvalidAccountNonce" => "nonce_mismatch",
        "InvalidSignature" => "invalid_signature",
        "ERC20InsufficientBalance" => "insufficient_balance",
        "ERC20InsufficientAllowance" => "insufficient_allowance",
        "MaxBidTooLow" => "max_bid_too_low",
        "AuthorizationRevoked" => "max_bid_revoked",
        "AlreadyLeading" => "already_leading",
        "MaxBidUnfunded" => "max_bid_unfunded",
        _ => "reverted",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_000_000;

    fn amount(n: u64) -> TokenAmount {
        TokenAmount::from_u128(u128::from(n)).expect("small")
    }

    fn facts() -> BidFacts {
        BidFacts {
            chain_time: NOW,
            auction: Some(ChainAuction {
                open: true,
                start_time: NOW - 10,
                end_time: NOW + 100,
                min_next_bid: U256::from(10),
                highest_bidder: None,
                highest_bid: U256::ZERO,
            }),
            nonce: U256::from(3),
            signed_by_bidder: true,
            balance: U256::from(100),
            allowance: U256::ZERO,
            permit: Some(PermitFacts { value: U256::from(100), deadline: NOW + 60, signed_by_bidder: true }),
        }
    }

    fn bid() -> SignedBid {
        SignedBid { amount: amount(20), nonce: U256::from(3), deadline: NOW + 600 }
    }

    const BUDGET: Budget = Budget {
        bids_per_member_per_hour: 2,
        gas_per_member_per_day: 1000,
        gas_per_day: 5000,
        min_relayer_balance: U256::from_limbs([50, 0, 0, 0]),
    };

    fn usage() -> Usage {
        Usage { relayer_balance: U256::from(100), ..Usage::default() }
    }

    fn code(result: Result<(), Refusal>) -> Option<RefusalCode> {
        result.err().map(|r| r.code())
    }

    #[test]
    fn a_good_bid_passes() {
        assert_eq!(check(&bid(), &facts(), &BUDGET, &usage()), Ok(()));
    }

    #[test]
    fn each_check_in_order() {
        let zero = SignedBid { amount: TokenAmount::ZERO, ..bid() };
        assert_eq!(code(check(&zero, &facts(), &BUDGET, &usage())), Some(RefusalCode::InvalidAmount));

        for auction in [
            None,
            Some(ChainAuction { open: false, ..facts().auction.expect("auction") }),
            Some(ChainAuction { end_time: NOW, ..facts().auction.expect("auction") }),
            Some(ChainAuction { start_time: NOW + 1, ..facts().auction.expect("auction") }),
        ] {
            // Everything else is wrong too: the auction is reported first.
            let facts = BidFacts { auction, signed_by_bidder: false, ..facts() };
            assert_eq!(code(check(&bid(), &facts, &BUDGET, &usage())), Some(RefusalCode::AuctionNotLive));
        }

        for deadline in [NOW - 1, NOW + MAX_DEADLINE_AHEAD_SECS + 1] {
            let late = SignedBid { deadline, nonce: U256::from(9), ..bid() };
            assert_eq!(code(check(&late, &facts(), &BUDGET, &usage())), Some(RefusalCode::SignatureExpired));
        }
        let edge = SignedBid { deadline: NOW + MAX_DEADLINE_AHEAD_SECS, ..bid() };
        assert_eq!(check(&edge, &facts(), &BUDGET, &usage()), Ok(()));

        let stale = SignedBid { nonce: U256::from(2), ..bid() };
        let unsigned = BidFacts { signed_by_bidder: false, ..facts() };
        assert_eq!(
            check(&stale, &unsigned, &BUDGET, &usage()),
            Err(Refusal::NonceMismatch { expected: U256::from(3) })
        );
        assert_eq!(code(check(&bid(), &unsigned, &BUDGET, &usage())), Some(RefusalCode::InvalidSignature));

        let low = SignedBid { amount: amount(9), ..bid() };
        assert_eq!(
            check(&low, &BidFacts { balance: U256::ZERO, ..facts() }, &BUDGET, &usage()),
            Err(Refusal::BidTooLow { min_next_bid: U256::from(10) })
        );

        let poor = BidFacts { balance: U256::from(19), ..facts() };
        assert_eq!(code(check(&bid(), &poor, &BUDGET, &usage())), Some(RefusalCode::InsufficientBalance));

        let no_permit = BidFacts { permit: None, ..facts() };
        assert_eq!(code(check(&bid(), &no_permit, &BUDGET, &usage())), Some(RefusalCode::InsufficientAllowance));
        // An allowance that covers the bid needs no permit (e.g. the permit was front-run).
        let allowed = BidFacts { permit: None, allowance: U256::from(20), ..facts() };
        assert_eq!(check(&bid(), &allowed, &BUDGET, &usage()), Ok(()));
        for permit in [
            PermitFacts { value: U256::from(19), deadline: NOW + 60, signed_by_bidder: true },
            PermitFacts { value: U256::from(100), deadline: NOW - 1, signed_by_bidder: true },
            PermitFacts { value: U256::from(100), deadline: NOW + 60, signed_by_bidder: false },
        ] {
            let facts = BidFacts { permit: Some(permit), ..facts() };
            assert_eq!(code(check(&bid(), &facts, &BUDGET, &usage())), Some(RefusalCode::InsufficientAllowance));
        }
    }

    #[test]
    fn budgets_make_the_relay_unavailable_last() {
        let reason = |usage: Usage| match check(&bid(), &facts(), &BUDGET, &usage) {
            Err(Refusal::RelayUnavailable { reason, .. }) => Some(reason),
            _ => None,
        };
        assert_eq!(reason(Usage { relayer_balance: U256::from(49), ..usage() }), Some(Unavailable::RelayerBalance));
        assert_eq!(reason(Usage { gas_last_day: 5000, ..usage() }), Some(Unavailable::DailyGas));
        assert_eq!(reason(Usage { member_gas_last_day: 1000, ..usage() }), Some(Unavailable::MemberDailyGas));
        assert_eq!(reason(Usage { member_bids_last_hour: 2, ..usage() }), Some(Unavailable::MemberHourlyBids));
        assert_eq!(reason(Usage { member_bids_last_hour: 1, member_gas_last_day: 999, ..usage() }), None);
        // A bad bid is reported before an exhausted budget.
        let low = SignedBid { amount: amount(9), ..bid() };
        let spent = Usage { gas_last_day: 5000, ..usage() };
        assert_eq!(code(check(&low, &facts(), &BUDGET, &spent)), Some(RefusalCode::BidTooLow));
        assert_eq!(
            remaining_gas_today(&BUDGET, &Usage { member_gas_last_day: 400, gas_last_day: 4800, ..usage() }),
            200
        );
    }

    #[test]
    fn contract_errors_map_to_codes() {
        assert_eq!(failure_code("BidTooLow"), "bid_too_low");
        assert_eq!(failure_code("AuctionEnded"), "auction_not_live");
        assert_eq!(failure_code("Whatever"), "reverted");
    }
}
