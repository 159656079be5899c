//! Refunds the contract credited to a bidder (when pushing them failed) and withdrawals,
//! as indexed from `RefundCredited` / `Withdrawn`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use ruint::aliases::U256;

use commissary_domain::Address;

use super::schema::chain_credits;
use crate::chain::{chain_time, corrupt};
use crate::{DbConnection, DbResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditKind {
    Credited,
    Withdrawn,
}

impl CreditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Credited => "credited",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// A `RefundCredited` or `Withdrawn` log of the auction contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditEvent {
    pub tx_hash: String,
    pub log_index: i64,
    pub block_number: i64,
    pub block_time: DateTime<Utc>,
    pub bidder: Address,
    pub kind: CreditKind,
    pub amount: U256,
}

/// Records credit events once per `(tx_hash, log_index)` (again is harmless: the indexer
/// records a range's credits before applying the range, and a rollback forgets those
/// above its ancestor).
pub fn record(conn: &mut DbConnection, events: &[CreditEvent]) -> DbResult<()> {
    for event in events {
        let exists: i64 = chain_credits::table
            .filter(chain_credits::tx_hash.eq(&event.tx_hash))
            .filter(chain_credits::log_index.eq(event.log_index))
            .count()
            .get_result(conn)?;
        if exists > 0 {
            continue;
        }
        diesel::insert_into(chain_credits::table)
            .values((
                chain_credits::tx_hash.eq(&event.tx_hash),
                chain_credits::log_index.eq(event.log_index),
                chain_credits::block_number.eq(event.block_number),
                chain_credits::block_time.eq(event.block_time.timestamp()),
                chain_credits::bidder.eq(event.bidder.to_lower_hex()),
                chain_credits::kind.eq(event.kind.as_str()),
                chain_credits::amount.eq(event.amount.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditEntry {
    pub kind: CreditKind,
    pub amount: U256,
    pub tx_hash: String,
    pub block_number: i64,
    pub at: DateTime<Utc>,
}

/// Every credit and withdrawal of `bidder`, newest first.
pub fn history(conn: &mut DbConnection, bidder: Address) -> DbResult<Vec<CreditEntry>> {
    let rows: Vec<(String, String, String, i64, i64)> = chain_credits::table
        .filter(chain_credits::bidder.eq(bidder.to_lower_hex()))
        .order((chain_credits::block_number.desc(), chain_credits::log_index.desc()))
        .select((
            chain_credits::kind,
            chain_credits::amount,
            chain_credits::tx_hash,
            chain_credits::block_number,
            chain_credits::block_time,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(kind, amount, tx_hash, block_number, block_time)| {
            let kind = match kind.as_str() {
                "credited" => CreditKind::Credited,
                "withdrawn" => CreditKind::Withdrawn,
                _ => return Err(corrupt("chain_credits", "kind", &kind)),
            };
            let amount = amount.parse::<U256>().map_err(|_| corrupt("chain_credits", "amount", &amount))?;
            Ok(CreditEntry { kind, amount, tx_hash, block_number, at: chain_time(block_time)? })
        })
        .collect()
}

/// What the contract holds for `bidder` at the indexed block: credits only grow by
/// `RefundCredited` and `withdraw()` always takes all of them.
pub fn balance(history: &[CreditEntry]) -> U256 {
    history.iter().rev().fold(U256::ZERO, |total, entry| match entry.kind {
        CreditKind::Credited => total + entry.amount,
        CreditKind::Withdrawn => total.saturating_sub(entry.amount),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: CreditKind, amount: u64) -> CreditEntry {
        CreditEntry {
            kind,
            amount: U256::from(amount),
            tx_hash: String::new(),
            block_number: 0,
            at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn balance_folds_oldest_first() {
        // Newest first, as `history` returns them.
        let history = [entry(CreditKind::Credited, 7), entry(CreditKind::Withdrawn, 5), entry(CreditKind::Credited, 5)];
        assert_eq!(balance(&history), U256::from(7));
        assert_eq!(balance(&[]), U256::ZERO);
    }
}
