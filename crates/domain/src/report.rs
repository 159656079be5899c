//! The stewards' books: exact AMPLED amounts and monthly totals per category.

use std::collections::BTreeMap;

use ruint::aliases::U256;

use crate::money::TokenAmount;

/// Base units per AMPLED (18 decimals).
const DECIMALS: usize = 18;

/// An amount in AMPLED as an exact decimal: `15`, `15.5`, `0.000000000000000001`.
pub fn ampled(amount: &TokenAmount) -> String {
    ampled_u256(amount.as_u256())
}

fn ampled_u256(value: U256) -> String {
    let digits = value.to_string();
    let padded = format!("{digits:0>width$}", width = DECIMALS + 1);
    let (whole, fraction) = padded.split_at(padded.len() - DECIMALS);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() { whole.to_owned() } else { format!("{whole}.{fraction}") }
}

/// One closed auction as the summary counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// `YYYY-MM` of the auction's end (UTC).
    pub month: String,
    pub category: String,
    /// The winning bid; `None` when unsold.
    pub sold_for: Option<TokenAmount>,
}

/// Totals of one month and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthTotals {
    pub month: String,
    pub category: String,
    pub auctions: u64,
    pub sold: u64,
    pub unsold: u64,
    /// AMPLED paid by winners (tokens redeemed), exact decimal.
    pub redeemed: String,
}

/// Sums outcomes per month and category, in month then category order.
pub fn summarise(outcomes: &[Outcome]) -> Vec<MonthTotals> {
    let mut groups: BTreeMap<(&str, &str), (u64, u64, U256)> = BTreeMap::new();
    for o in outcomes {
        let entry = groups.entry((o.month.as_str(), o.category.as_str())).or_insert((0, 0, U256::ZERO));
        match &o.sold_for {
            Some(amount) => {
                entry.0 += 1;
                entry.2 = entry.2.saturating_add(amount.as_u256());
            }
            None => entry.1 += 1,
        }
    }
    groups
        .into_iter()
        .map(|((month, category), (sold, unsold, redeemed))| MonthTotals {
            month: month.to_owned(),
            category: category.to_owned(),
            auctions: sold + unsold,
            sold,
            unsold,
            redeemed: ampled_u256(redeemed),
        })
        .collect()
}

/// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled.
/// A leading `=`, `+`, `-`, `@` gets a `'` so spreadsheets do not run it as a formula.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\r', '\n']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(v: u128) -> TokenAmount {
        TokenAmount::from_u128(v).expect("fits")
    }

    #[test]
    fn amounts_are_exact_decimals() {
        const ONE: u128 = 1_000_000_000_000_000_000;
        assert_eq!(ampled(&amount(0)), "0");
        assert_eq!(ampled(&amount(15 * ONE)), "15");
        assert_eq!(ampled(&amount(15 * ONE + ONE / 2)), "15.5");
        assert_eq!(ampled(&amount(1)), "0.000000000000000001");
        let max = TokenAmount::parse("79228162514264337593543950335").expect("uint96 max");
        assert_eq!(ampled(&max), "79228162514.264337593543950335");
    }

    #[test]
    fn totals_per_month_and_category() {
        const ONE: u128 = 1_000_000_000_000_000_000;
        let o = |month: &str, category: &str, sold: Option<u128>| Outcome {
            month: month.into(),
            category: category.into(),
            sold_for: sold.map(amount),
        };
        let totals = summarise(&[
            o("2026-12", "instruments", Some(10 * ONE)),
            o("2026-11", "amplifiers", None),
            o("2026-12", "instruments", Some(ONE / 4)),
            o("2026-12", "instruments", None),
        ]);
        assert_eq!(
            totals,
            vec![
                MonthTotals {
                    month: "2026-11".into(),
                    category: "amplifiers".into(),
                    auctions: 1,
                    sold: 0,
                    unsold: 1,
                    redeemed: "0".into()
                },
                MonthTotals {
                    month: "2026-12".into(),
                    category: "instruments".into(),
                    auctions: 3,
                    sold: 2,
                    unsold: 1,
                    redeemed: "10.25".into()
                },
            ]
        );
    }

    #[test]
    fn csv_fields_are_escaped() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
