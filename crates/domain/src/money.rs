//! Token amounts in base units. Never floats: $AMPLED has 18 decimals and the
//! contract stores bids as `uint96`, so every amount the service accepts must fit there.

use std::fmt;
use std::str::FromStr;

use ruint::aliases::U256;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One whole $AMPLED in base units (the token has 18 decimals).
pub const ONE_AMPLED: u128 = 1_000_000_000_000_000_000;

/// The largest amount the auction contract can hold in a `uint96` slot.
pub const MAX_UINT96: U256 = U256::from_limbs([u64::MAX, u32::MAX as u64, 0, 0]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must be a decimal string of token base units (digits only)")]
    NotDecimal,
    #[error("amount must not have leading zeros")]
    LeadingZero,
    #[error("amount exceeds the contract's maximum (2^96 - 1 base units)")]
    TooLarge,
}

impl MoneyError {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotDecimal => "not_decimal_integer",
            Self::LeadingZero => "leading_zero",
            Self::TooLarge => "amount_too_large",
        }
    }
}

/// An amount of $AMPLED in base units (10^-18 token), at most `2^96 - 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TokenAmount(U256);

impl TokenAmount {
    pub const ZERO: Self = Self(U256::ZERO);

    /// Parses a canonical decimal string: ASCII digits, no sign, no leading zeros, no
    /// separators. Being strict means each amount has exactly one spelling, which the
    /// listing hash relies on.
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        if input.is_empty() || !input.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotDecimal);
        }
        if input.len() > 1 && input.starts_with('0') {
            return Err(MoneyError::LeadingZero);
        }
        // 2^96 has 29 digits; anything longer overflows without parsing.
        if input.len() > 29 {
            return Err(MoneyError::TooLarge);
        }
        let value = U256::from_str_radix(input, 10).map_err(|_| MoneyError::NotDecimal)?;
        Self::from_u256(value)
    }

    pub fn from_u256(value: U256) -> Result<Self, MoneyError> {
        if value > MAX_UINT96 { Err(MoneyError::TooLarge) } else { Ok(Self(value)) }
    }

    pub fn from_u128(value: u128) -> Result<Self, MoneyError> {
        Self::from_u256(U256::from(value))
    }

    pub fn as_u256(&self) -> U256 {
        self.0
    }

    /// Always fits: the constructor bounds amounts to `uint96`.
    pub fn as_u128(&self) -> u128 {
        self.0.to::<u128>()
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
}

impl fmt::Display for TokenAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for TokenAmount {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for TokenAmount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TokenAmount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_canonical_decimals() {
        assert_eq!(TokenAmount::parse("0").map(|a| a.to_string()), Ok("0".into()));
        assert_eq!(TokenAmount::parse("1000000000000000000").map(|a| a.as_u128()), Ok(1_000_000_000_000_000_000));
        let max = "79228162514264337593543950335";
        assert_eq!(TokenAmount::parse(max).map(|a| a.to_string()), Ok(max.into()));
    }

    #[test]
    fn rejects_non_canonical_or_oversized() {
        for bad in ["", " 1", "1 ", "+1", "-1", "1.5", "1e18", "0x10", "1_000", "½"] {
            assert_eq!(TokenAmount::parse(bad), Err(MoneyError::NotDecimal), "{bad:?}");
        }
        assert_eq!(TokenAmount::parse("007"), Err(MoneyError::LeadingZero));
        assert_eq!(TokenAmount::parse("79228162514264337593543950336"), Err(MoneyError::TooLarge));
        assert_eq!(TokenAmount::parse(&"9".repeat(78)), Err(MoneyError::TooLarge));
    }

    #[test]
    fn serialises_as_decimal_string() {
        let amount = TokenAmount::parse("123456789012345678901").expect("valid");
        assert_eq!(serde_json::to_string(&amount).expect("json"), "\"123456789012345678901\"");
        let back: TokenAmount = serde_json::from_str("\"123456789012345678901\"").expect("json");
        assert_eq!(back, amount);
        assert!(serde_json::from_str::<TokenAmount>("123").is_err(), "numbers are not accepted");
    }
}
