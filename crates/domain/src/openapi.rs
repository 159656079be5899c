//! JSON Schemas of the domain's value types (feature `openapi`), built from the same
//! constants and parsers the types use, so the API's description states exactly what
//! the service accepts: a token amount's pattern is derived from `MAX_UINT96`, an enum's
//! values from its variants (see `string_enum`), a listing id is a UUID.

use std::borrow::Cow;

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{RefOr, schema::SchemaType};
use utoipa::{PartialSchema, ToSchema};

use crate::address::Address;
use crate::listing::ListingId;
use crate::money::{MAX_UINT96, TokenAmount};

/// A regular expression for the canonical decimal spellings (no sign, no leading zero) of
/// `0..=max` (or `1..=max` without `zero`), digit by digit from `max`'s decimal text.
pub fn decimal_at_most_pattern(max: &str, zero: bool) -> String {
    let digits: Vec<u32> = max.chars().filter_map(|c| c.to_digit(10)).collect();
    let len = digits.len();
    let mut alternatives: Vec<String> = Vec::new();
    if zero {
        alternatives.push("0".into());
    }
    if len > 1 {
        // Every shorter number.
        alternatives.push(format!("[1-9][0-9]{{0,{}}}", len - 2));
    }
    // Numbers as long as `max`: equal to it up to position i, smaller there, anything after.
    for i in 0..len {
        let low = if i == 0 { 1 } else { 0 };
        if digits[i] > low {
            let prefix: String = digits[..i].iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect();
            let rest = len - i - 1;
            let tail = if rest > 0 { format!("[0-9]{{{rest}}}") } else { String::new() };
            alternatives.push(format!("{prefix}[{low}-{}]{tail}", digits[i] - 1));
        }
    }
    alternatives.push(max.to_owned());
    format!("^({})$", alternatives.join("|"))
}

fn amount_schema(zero: bool, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .pattern(Some(decimal_at_most_pattern(&MAX_UINT96.to_string(), zero)))
        .description(Some(description))
        .examples(["25000000000000000000"])
        .into()
}

impl PartialSchema for TokenAmount {
    fn schema() -> RefOr<Schema> {
        amount_schema(
            true,
            "Token base units (1 AMPLED = 10^18) as a canonical decimal string: digits only, no leading zero, \
             at most 2^96 - 1 (the contract's uint96).",
        )
    }
}

impl ToSchema for TokenAmount {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("TokenAmount")
    }
}

/// A token amount that must be greater than zero (a reserve price).
pub struct PositiveTokenAmount;

impl PartialSchema for PositiveTokenAmount {
    fn schema() -> RefOr<Schema> {
        amount_schema(false, "A token amount (see TokenAmount) greater than zero.")
    }
}

impl ToSchema for PositiveTokenAmount {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PositiveTokenAmount")
    }
}

impl PartialSchema for Address {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .pattern(Some("^0[xX][0-9a-fA-F]{40}$"))
            .description(Some("A 20-byte Ethereum address in hex; sent EIP-55 checksummed, accepted in any case."))
            .examples(["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"])
            .into()
    }
}

impl ToSchema for Address {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Address")
    }
}

impl PartialSchema for ListingId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .into()
    }
}

impl ToSchema for ListingId {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ListingId")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_amount_pattern_matches_exactly_the_parsers_range() {
        // For a small maximum every number can be checked: the pattern lists, in order,
        // 0, the shorter numbers and the alternatives below and equal to max.
        assert_eq!(decimal_at_most_pattern("250", true), "^(0|[1-9][0-9]{0,1}|[1-1][0-9]{2}|2[0-4][0-9]{1}|250)$");
        assert_eq!(decimal_at_most_pattern("7", false), "^([1-6]|7)$");
        assert_eq!(decimal_at_most_pattern("10", true), "^(0|[1-9][0-9]{0,0}|10)$");
        let max = MAX_UINT96.to_string();
        assert_eq!(max, "79228162514264337593543950335");
        assert!(TokenAmount::parse(&max).is_ok());
    }
}
