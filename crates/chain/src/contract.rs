//! The auction contract in domain terms: its logs decoded into typed domain events, and its
//! reverts decoded into the generated `CommissaryAuctionErrors`, with which of them no
//! retry can fix.

use alloy::primitives::U256;
use alloy::rpc::types::Log;
use alloy::sol_types::{SolEvent, SolInterface};
use alloy::transports::TransportError;
use chrono::{DateTime, Utc};

use commissary_domain::{AuctionEvent, AuctionId, LoggedEvent, TokenAmount};

use commissary_db::members::credits::{CreditEvent, CreditKind};

use commissary_db::max_bids::MaxBidLog;

use crate::bindings::CommissaryAuction::{
    AuctionCancelled, AuctionCreated, AuctionSettled, BidPlaced, CommissaryAuctionErrors, MaxBidRevoked, MaxBidUsed,
    RefundCredited, Withdrawn,
};
use crate::error::{ChainError, ChainResult};
use crate::rpc::hex32;

fn inconsistent(what: impl std::fmt::Display) -> ChainError {
    ChainError::Inconsistent(what.to_string())
}

pub(crate) fn as_i64(v: u64) -> ChainResult<i64> {
    i64::try_from(v).map_err(|_| inconsistent(format!("{v} out of range")))
}

/// A chain time (unix seconds) as a UTC instant.
pub(crate) fn chain_time(seconds: u64) -> ChainResult<DateTime<Utc>> {
    DateTime::from_timestamp(as_i64(seconds)?, 0).ok_or_else(|| inconsistent(format!("time {seconds} out of range")))
}

pub(crate) fn auction_id(id: U256) -> ChainResult<AuctionId> {
    u64::try_from(id).map(AuctionId::new).map_err(|_| inconsistent(format!("auction id {id} out of range")))
}

fn amount(value: u128) -> ChainResult<TokenAmount> {
    TokenAmount::from_u128(value).map_err(|_| inconsistent(format!("amount {value} exceeds uint96")))
}

/// Decodes one of the auction's logs (`None` for other events); `block_time` is its block's.
pub(crate) fn decode_log(log: &Log, block_time: DateTime<Utc>) -> ChainResult<Option<LoggedEvent>> {
    let missing = |what: &str| inconsistent(format!("log without {what}"));
    let topic = log.topic0().copied().unwrap_or_default();
    let (id, event) = if topic == AuctionCreated::SIGNATURE_HASH {
        let e = log.log_decode::<AuctionCreated>().map_err(inconsistent)?.inner.data;
        let event = AuctionEvent::AuctionCreated {
            listing_hash: hex32(&e.listingHash),
            reserve_price: amount(e.reservePrice.to::<u128>())?,
            start_time: chain_time(e.startTime.to::<u64>())?,
            end_time: chain_time(e.endTime.to::<u64>())?,
            min_increment_bps: e.minIncrementBps,
            extension_secs: e.extensionWindow,
        };
        (e.auctionId, event)
    } else if topic == BidPlaced::SIGNATURE_HASH {
        let e = log.log_decode::<BidPlaced>().map_err(inconsistent)?.inner.data;
        let event = AuctionEvent::BidPlaced {
            bidder: crate::to_domain_address(e.bidder),
            amount: amount(e.amount.to::<u128>())?,
            end_time: chain_time(e.endTime.to::<u64>())?,
        };
        (e.auctionId, event)
    } else if topic == AuctionSettled::SIGNATURE_HASH {
        let e = log.log_decode::<AuctionSettled>().map_err(inconsistent)?.inner.data;
        let winner = (!e.winner.is_zero()).then(|| crate::to_domain_address(e.winner));
        (e.auctionId, AuctionEvent::AuctionSettled { winner, amount: amount(e.amount.to::<u128>())? })
    } else if topic == AuctionCancelled::SIGNATURE_HASH {
        let e = log.log_decode::<AuctionCancelled>().map_err(inconsistent)?.inner.data;
        (e.auctionId, AuctionEvent::AuctionCancelled)
    } else {
        return Ok(None);
    };
    Ok(Some(LoggedEvent {
        tx_hash: hex32(&log.transaction_hash.ok_or_else(|| missing("transaction hash"))?),
        log_index: as_i64(log.log_index.ok_or_else(|| missing("log index"))?)?,
        block_number: as_i64(log.block_number.ok_or_else(|| missing("block number"))?)?,
        block_hash: hex32(&log.block_hash.ok_or_else(|| missing("block hash"))?),
        block_time,
        auction_id: auction_id(id)?,
        event,
    }))
}

/// Decodes a `RefundCredited` or `Withdrawn` log (`None` for other events).
pub(crate) fn decode_credit(log: &Log, block_time: DateTime<Utc>) -> ChainResult<Option<CreditEvent>> {
    let missing = |what: &str| inconsistent(format!("log without {what}"));
    let topic = log.topic0().copied().unwrap_or_default();
    let (kind, bidder, amount) = if topic == RefundCredited::SIGNATURE_HASH {
        let e = log.log_decode::<RefundCredited>().map_err(inconsistent)?.inner.data;
        (CreditKind::Credited, e.bidder, e.amount)
    } else if topic == Withdrawn::SIGNATURE_HASH {
        let e = log.log_decode::<Withdrawn>().map_err(inconsistent)?.inner.data;
        (CreditKind::Withdrawn, e.bidder, e.amount)
    } else {
        return Ok(None);
    };
    Ok(Some(CreditEvent {
        tx_hash: hex32(&log.transaction_hash.ok_or_else(|| missing("transaction hash"))?),
        log_index: as_i64(log.log_index.ok_or_else(|| missing("log index"))?)?,
        block_number: as_i64(log.block_number.ok_or_else(|| missing("block number"))?)?,
        block_time,
        bidder: crate::to_domain_address(bidder),
        kind,
        amount,
    }))
}

/// Decodes a `MaxBidUsed` or `MaxBidRevoked` log (`None` for other events).
pub(crate) fn decode_max_bid(log: &Log) -> ChainResult<Option<MaxBidLog>> {
    let topic = log.topic0().copied().unwrap_or_default();
    Ok(if topic == MaxBidUsed::SIGNATURE_HASH {
        let e = log.log_decode::<MaxBidUsed>().map_err(inconsistent)?.inner.data;
        Some(MaxBidLog::Used { hash: hex32(&e.maxBidHash), amount: amount(e.amount.to::<u128>())? })
    } else if topic == MaxBidRevoked::SIGNATURE_HASH {
        let e = log.log_decode::<MaxBidRevoked>().map_err(inconsistent)?.inner.data;
        Some(MaxBidLog::Revoked { hash: hex32(&e.maxBidHash) })
    } else {
        None
    })
}

/// Why a call would revert, as far as the node said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Revert {
    /// The contract error's name (e.g. `InvalidSchedule`), or the node's message.
    pub reason: String,
    /// The ABI-encoded contract error (`0x` hex), when the node returned it.
    pub data: Option<String>,
}

/// The revert a failed call or estimate reports, or `None` when the failure was not one.
pub(crate) fn revert_of(error: &TransportError) -> Option<Revert> {
    let payload = error.as_error_resp()?;
    if let Some(data) = payload.as_revert_data() {
        let hex = format!("0x{}", alloy::primitives::hex::encode(&data));
        if let Ok(decoded) = CommissaryAuctionErrors::abi_decode(&data) {
            return Some(Revert { reason: error_name(&decoded).to_owned(), data: Some(hex) });
        }
        return Some(Revert { reason: format!("reverted: {}", payload.message), data: Some(hex) });
    }
    let message = payload.message.to_ascii_lowercase();
    (payload.code == 3 || message.contains("revert"))
        .then(|| Revert { reason: format!("reverted: {}", payload.message), data: None })
}

/// The contract error recorded with a failed intent, if it was one of ours.
pub(crate) fn recorded_error(revert_data: Option<&str>) -> Option<CommissaryAuctionErrors> {
    let bytes = alloy::primitives::hex::decode(revert_data?).ok()?;
    CommissaryAuctionErrors::abi_decode(&bytes).ok()
}

pub(crate) fn error_name(error: &CommissaryAuctionErrors) -> &'static str {
    CommissaryAuctionErrors::name_by_selector(error.selector()).unwrap_or("reverted")
}

/// Whether `createAuction` failing with `error` fails for good: the listing's terms break a
/// rule of the contract, so sending it again can never succeed.
pub(crate) fn create_is_permanent(error: &CommissaryAuctionErrors) -> bool {
    use CommissaryAuctionErrors as E;
    match error {
        E::InvalidSchedule(_)
        | E::ZeroReservePrice(_)
        | E::InvalidMinIncrement(_)
        | E::ExtensionWindowTooLong(_)
        | E::EndTimeTooLate(_) => true,
        // Access, pause and every other error may be cleared by an operator.
        _ => false,
    }
}

/// How a `cancel` that failed with `error` ends, if it ends the job at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CancelFailure {
    /// Someone bid first.
    HasBids,
    /// Settled or cancelled already.
    Closed,
}

pub(crate) fn cancel_failure(error: &CommissaryAuctionErrors) -> Option<CancelFailure> {
    use CommissaryAuctionErrors as E;
    match error {
        E::AuctionHasBids(_) => Some(CancelFailure::HasBids),
        E::AuctionClosed(_) => Some(CancelFailure::Closed),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use alloy::sol_types::SolError;

    use super::*;
    use crate::bindings::CommissaryAuction;

    #[test]
    fn recorded_reverts_decode_into_contract_errors() {
        let data = CommissaryAuction::InvalidSchedule { startTime: Default::default(), endTime: Default::default() }
            .abi_encode();
        let hex = format!("0x{}", alloy::primitives::hex::encode(&data));
        let error = recorded_error(Some(&hex)).expect("decodes");
        assert_eq!(error_name(&error), "InvalidSchedule");
        assert!(create_is_permanent(&error));
        assert_eq!(cancel_failure(&error), None);

        let bids = CommissaryAuction::AuctionHasBids { auctionId: U256::from(3) }.abi_encode();
        let error = CommissaryAuctionErrors::abi_decode(&bids).expect("decodes");
        assert_eq!(error_name(&error), "AuctionHasBids");
        assert!(!create_is_permanent(&error));
        assert_eq!(cancel_failure(&error), Some(CancelFailure::HasBids));

        let late = CommissaryAuction::EndTimeTooLate { endTime: Default::default(), extensionWindow: 600 }.abi_encode();
        assert!(create_is_permanent(&CommissaryAuctionErrors::abi_decode(&late).expect("decodes")));

        assert!(recorded_error(None).is_none());
        assert!(recorded_error(Some("0xdeadbeef")).is_none(), "not one of the contract's errors");
    }

    fn log(data: alloy::primitives::LogData) -> Log {
        use alloy::primitives::{Address, B256};
        Log {
            inner: alloy::primitives::Log { address: Address::repeat_byte(1), data },
            block_hash: Some(B256::repeat_byte(2)),
            block_number: Some(7),
            block_timestamp: None,
            transaction_hash: Some(B256::repeat_byte(3)),
            transaction_index: Some(0),
            log_index: Some(0),
            removed: false,
        }
    }

    #[test]
    fn logs_outside_the_projection_are_ignored() {
        // The contract's other events (here a bidder revoking its signed bids) never stop the
        // indexer: they are not fetched, and decoded as nothing if they were.
        let revoked = CommissaryAuction::NonceInvalidated {
            bidder: alloy::primitives::Address::repeat_byte(9),
            nonce: U256::from(4),
        };
        let time = chain_time(100).expect("time");
        assert!(decode_log(&log(revoked.encode_log_data()), time).expect("decodes").is_none());

        let settled = CommissaryAuction::AuctionSettled {
            auctionId: U256::from(5),
            winner: alloy::primitives::Address::repeat_byte(9),
            amount: alloy::primitives::Uint::<96, 2>::from(42u64),
        };
        let event = decode_log(&log(settled.encode_log_data()), time).expect("decodes").expect("an auction event");
        assert_eq!(event.auction_id, AuctionId::new(5));
        assert!(
            matches!(event.event, AuctionEvent::AuctionSettled { amount, .. } if amount == TokenAmount::from_u128(42).expect("fits"))
        );
    }
}
