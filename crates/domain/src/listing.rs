//! Listings of donated gear: what a steward enters, how it is validated, and the
//! lifecycle a listing moves through.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::TokenAmount;
use crate::validation::ValidationErrors;

pub const TITLE_MAX_CHARS: usize = 120;
pub const DESCRIPTION_MAX_CHARS: usize = 10_000;
pub const DONOR_CREDIT_MAX_CHARS: usize = 200;
pub const FULFILMENT_TEXT_MAX_CHARS: usize = 500;
pub const MIN_AUCTION_DURATION: Duration = Duration::minutes(5);
pub const MAX_AUCTION_DURATION: Duration = Duration::days(30);
pub const DEFAULT_MIN_INCREMENT_BPS: u16 = 500;
pub const DEFAULT_EXTENSION_SECS: u32 = 300;
/// The contract rejects extension windows longer than a day.
pub const MAX_EXTENSION_SECS: u32 = 86_400;
pub const MAX_PHOTOS_PER_LISTING: usize = 12;
/// The fields a new listing must have (a patch may leave any out).
pub const REQUIRED_ON_CREATE: [&str; 6] = ["title", "category", "condition", "reserve_price", "starts_at", "ends_at"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ListingId(pub Uuid);

impl ListingId {
    /// Time-ordered ids keep inserts local in B-tree indexes and sort like creation time.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for ListingId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for ListingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for ListingId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

crate::string_enum!(
    /// What kind of gear a listing is.
    pub Category {
        Instruments => "instruments",
        Amplifiers => "amplifiers",
        Effects => "effects",
        Recording => "recording",
        Audio => "audio",
        Accessories => "accessories",
        Other => "other",
    }
);

crate::string_enum!(
    /// The donor's honest account of the item's state.
    pub Condition {
        New => "new",
        LikeNew => "like_new",
        Good => "good",
        Fair => "fair",
        ForParts => "for_parts",
    }
);

crate::string_enum!(
    /// Where a listing is in its life. Drafts are edited by stewards; `publishing` is
    /// the window between the publish request and the chain confirming the auction.
    pub ListingStatus {
        Draft => "draft",
        Publishing => "publishing",
        Scheduled => "scheduled",
        Live => "live",
        Ended => "ended",
        Settled => "settled",
        Unsold => "unsold",
        Cancelled => "cancelled",
    }
);

/// The auction window, in whole UTC seconds (the contract stores `uint40` seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl Schedule {
    pub fn duration(&self) -> Duration {
        self.ends_at - self.starts_at
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Pickup {
    pub available: bool,
    /// Where the winner collects the item, e.g. "Leeds rehearsal rooms, weekday evenings".
    #[serde(default)]
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Shipping {
    pub available: bool,
    /// Who pays, which regions, how it is packed.
    #[serde(default)]
    pub note: Option<String>,
}

/// How the winner receives the item.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fulfilment {
    pub pickup: Pickup,
    pub shipping: Shipping,
}

/// Raw listing fields as a steward sends them; every field optional so the same
/// type serves create (all required ones present) and patch (any subset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub condition: Option<String>,
    pub donor_credit: Option<Option<String>>,
    pub reserve_price: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub min_increment_bps: Option<i64>,
    pub extension_secs: Option<i64>,
    pub pickup: Option<Pickup>,
    pub shipping: Option<Shipping>,
}

/// A fully validated listing: every invariant the contract and the members rely on holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingDetails {
    pub title: String,
    pub description: String,
    pub category: Category,
    pub condition: Condition,
    pub donor_credit: Option<String>,
    pub reserve_price: TokenAmount,
    pub schedule: Schedule,
    pub min_increment_bps: u16,
    pub extension_secs: u32,
    pub fulfilment: Fulfilment,
}

impl ListingDetails {
    /// Validates a new listing. `now` matters only for rejecting auctions that would
    /// already be over; the start may be in the past (it then opens at publication).
    pub fn create(input: ListingInput, now: DateTime<Utc>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let present = [
            input.title.is_some(),
            input.category.is_some(),
            input.condition.is_some(),
            input.reserve_price.is_some(),
            input.starts_at.is_some(),
            input.ends_at.is_some(),
        ];
        for (field, present) in REQUIRED_ON_CREATE.into_iter().zip(present) {
            if !present {
                errors.push(field, "required", format!("{field} is required"));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Self::build(input, None, now)
    }

    /// Applies a partial update and re-validates the whole listing, so a patch can
    /// never leave a draft in a state `create` would have rejected.
    pub fn patch(&self, input: ListingInput, now: DateTime<Utc>) -> Result<Self, ValidationErrors> {
        Self::build(input, Some(self), now)
    }

    fn build(input: ListingInput, base: Option<&Self>, now: DateTime<Utc>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();

        let title = match input.title {
            Some(raw) => {
                let trimmed = raw.trim().to_owned();
                let chars = trimmed.chars().count();
                if chars == 0 {
                    errors.push("title", "empty", "title must not be blank");
                } else if chars > TITLE_MAX_CHARS {
                    errors.push(
                        "title",
                        "too_long",
                        format!("title has {chars} characters; at most {TITLE_MAX_CHARS}"),
                    );
                } else if trimmed.chars().any(char::is_control) {
                    errors.push("title", "control_characters", "title must be a single line of text");
                }
                trimmed
            }
            None => base.map(|b| b.title.clone()).unwrap_or_default(),
        };

        let description = match input.description {
            Some(raw) => {
                let normalised = raw.replace("\r\n", "\n");
                let chars = normalised.chars().count();
                if chars > DESCRIPTION_MAX_CHARS {
                    errors.push(
                        "description",
                        "too_long",
                        format!("description has {chars} characters; at most {DESCRIPTION_MAX_CHARS}"),
                    );
                }
                normalised
            }
            None => base.map(|b| b.description.clone()).unwrap_or_default(),
        };

        let category = match input.category {
            Some(raw) => raw.parse::<Category>().map_err(|_| {
                errors.push("category", "invalid_choice", format!("category must be one of {}", join(Category::ALL)));
            }),
            None => base.map(|b| b.category).ok_or(()),
        };

        let condition = match input.condition {
            Some(raw) => raw.parse::<Condition>().map_err(|_| {
                errors.push(
                    "condition",
                    "invalid_choice",
                    format!("condition must be one of {}", join(Condition::ALL)),
                );
            }),
            None => base.map(|b| b.condition).ok_or(()),
        };

        let donor_credit = match input.donor_credit {
            Some(Some(raw)) => {
                let trimmed = raw.trim().to_owned();
                let chars = trimmed.chars().count();
                if chars > DONOR_CREDIT_MAX_CHARS {
                    errors.push(
                        "donor_credit",
                        "too_long",
                        format!("donor_credit has at most {DONOR_CREDIT_MAX_CHARS} characters"),
                    );
                }
                if trimmed.is_empty() { None } else { Some(trimmed) }
            }
            Some(None) => None,
            None => base.and_then(|b| b.donor_credit.clone()),
        };

        let reserve_price = match input.reserve_price {
            Some(raw) => match TokenAmount::parse(&raw) {
                Ok(amount) if amount.is_zero() => {
                    errors.push("reserve_price", "must_be_positive", "reserve_price must be greater than zero");
                    Err(())
                }
                Ok(amount) => Ok(amount),
                Err(e) => {
                    errors.push("reserve_price", e.code(), e.to_string());
                    Err(())
                }
            },
            None => base.map(|b| b.reserve_price).ok_or(()),
        };

        let starts_at = match input.starts_at {
            Some(raw) => parse_time(&raw, "starts_at", &mut errors),
            None => base.map(|b| b.schedule.starts_at).ok_or(()),
        };
        let ends_at = match input.ends_at {
            Some(raw) => parse_time(&raw, "ends_at", &mut errors),
            None => base.map(|b| b.schedule.ends_at).ok_or(()),
        };
        if let (Ok(start), Ok(end)) = (starts_at, ends_at) {
            let duration = end - start;
            if end <= start {
                errors.push("ends_at", "before_start", "ends_at must be after starts_at");
            } else if duration < MIN_AUCTION_DURATION {
                errors.push("ends_at", "duration_too_short", "an auction lasts at least 5 minutes");
            } else if duration > MAX_AUCTION_DURATION {
                errors.push("ends_at", "duration_too_long", "an auction lasts at most 30 days");
            }
            if end <= now {
                errors.push("ends_at", "in_the_past", "ends_at must be in the future");
            }
        }

        let min_increment_bps = match input.min_increment_bps {
            Some(v) if (1..=10_000).contains(&v) => u16::try_from(v).map_err(|_| ()),
            Some(_) => {
                errors.push("min_increment_bps", "out_of_range", "min_increment_bps must be between 1 and 10000");
                Err(())
            }
            None => Ok(base.map_or(DEFAULT_MIN_INCREMENT_BPS, |b| b.min_increment_bps)),
        };

        let extension_secs = match input.extension_secs {
            Some(v) if (0..=i64::from(MAX_EXTENSION_SECS)).contains(&v) => u32::try_from(v).map_err(|_| ()),
            Some(_) => {
                errors.push(
                    "extension_secs",
                    "out_of_range",
                    format!("extension_secs must be between 0 and {MAX_EXTENSION_SECS}"),
                );
                Err(())
            }
            None => Ok(base.map_or(DEFAULT_EXTENSION_SECS, |b| b.extension_secs)),
        };

        let default_fulfilment =
            Fulfilment { pickup: Pickup { available: true, location: None }, shipping: Shipping::default() };
        let base_fulfilment = base.map_or(default_fulfilment, |b| b.fulfilment.clone());
        let fulfilment = Fulfilment {
            pickup: input.pickup.map(normalise_pickup).unwrap_or(base_fulfilment.pickup),
            shipping: input.shipping.map(normalise_shipping).unwrap_or(base_fulfilment.shipping),
        };
        if !fulfilment.pickup.available && !fulfilment.shipping.available {
            errors.push("pickup", "no_fulfilment", "offer pickup, shipping or both so the winner can receive the item");
        }
        for (field, text) in
            [("pickup.location", &fulfilment.pickup.location), ("shipping.note", &fulfilment.shipping.note)]
        {
            if text.as_ref().is_some_and(|t| t.chars().count() > FULFILMENT_TEXT_MAX_CHARS) {
                errors.push(field, "too_long", format!("{field} has at most {FULFILMENT_TEXT_MAX_CHARS} characters"));
            }
        }

        match (category, condition, reserve_price, starts_at, ends_at, min_increment_bps, extension_secs) {
            (
                Ok(category),
                Ok(condition),
                Ok(reserve_price),
                Ok(starts_at),
                Ok(ends_at),
                Ok(min_increment_bps),
                Ok(extension_secs),
            ) if errors.is_empty() => Ok(Self {
                title,
                description,
                category,
                condition,
                donor_credit,
                reserve_price,
                schedule: Schedule { starts_at, ends_at },
                min_increment_bps,
                extension_secs,
                fulfilment,
            }),
            _ => Err(errors),
        }
    }
}

fn normalise_text(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn normalise_pickup(p: Pickup) -> Pickup {
    Pickup { available: p.available, location: normalise_text(p.location) }
}

fn normalise_shipping(s: Shipping) -> Shipping {
    Shipping { available: s.available, note: normalise_text(s.note) }
}

/// RFC 3339 with an explicit offset, converted to UTC and truncated to whole seconds
/// because the contract keeps second-resolution `uint40` times.
fn parse_time(raw: &str, field: &'static str, errors: &mut ValidationErrors) -> Result<DateTime<Utc>, ()> {
    match DateTime::parse_from_rfc3339(raw) {
        Ok(t) => {
            let utc = t.with_timezone(&Utc);
            DateTime::from_timestamp(utc.timestamp(), 0).ok_or(())
        }
        Err(_) => {
            errors.push(
                field,
                "invalid_datetime",
                format!("{field} must be an RFC 3339 date-time, e.g. 2026-12-01T18:00:00Z"),
            );
            Err(())
        }
    }
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").expect("valid").with_timezone(&Utc)
    }

    fn valid_input() -> ListingInput {
        ListingInput {
            title: Some("  Fender Deluxe Reverb '68  ".into()),
            description: Some("Donated by the Leeds collective.\r\nWorks fine.".into()),
            category: Some("amplifiers".into()),
            condition: Some("good".into()),
            donor_credit: Some(Some("Leeds Collective".into())),
            reserve_price: Some("1000000000000000000".into()),
            starts_at: Some("2026-11-25T10:00:00+01:00".into()),
            ends_at: Some("2026-11-28T18:00:00.750Z".into()),
            ..Default::default()
        }
    }

    fn codes(errors: &ValidationErrors) -> Vec<(String, &'static str)> {
        errors.0.iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    #[test]
    fn creates_with_defaults_and_normalisation() {
        let listing = ListingDetails::create(valid_input(), now()).expect("valid");
        assert_eq!(listing.title, "Fender Deluxe Reverb '68");
        assert_eq!(listing.description, "Donated by the Leeds collective.\nWorks fine.");
        assert_eq!(listing.schedule.starts_at.to_rfc3339(), "2026-11-25T09:00:00+00:00");
        assert_eq!(listing.schedule.ends_at.to_rfc3339(), "2026-11-28T18:00:00+00:00");
        assert_eq!(listing.min_increment_bps, 500);
        assert_eq!(listing.extension_secs, 300);
        assert!(listing.fulfilment.pickup.available);
    }

    #[test]
    fn reports_every_missing_field() {
        let errors = ListingDetails::create(ListingInput::default(), now()).expect_err("invalid");
        let fields: Vec<_> = codes(&errors).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["title", "category", "condition", "reserve_price", "starts_at", "ends_at"]);
    }

    #[test]
    fn rejects_each_bad_field() {
        let cases: Vec<(ListingInput, &str, &str)> = vec![
            (ListingInput { title: Some("   ".into()), ..valid_input() }, "title", "empty"),
            (ListingInput { title: Some("x".repeat(121)), ..valid_input() }, "title", "too_long"),
            (ListingInput { description: Some("x".repeat(10_001)), ..valid_input() }, "description", "too_long"),
            (ListingInput { category: Some("synths".into()), ..valid_input() }, "category", "invalid_choice"),
            (ListingInput { condition: Some("mint".into()), ..valid_input() }, "condition", "invalid_choice"),
            (ListingInput { reserve_price: Some("0".into()), ..valid_input() }, "reserve_price", "must_be_positive"),
            (
                ListingInput { reserve_price: Some("1.5".into()), ..valid_input() },
                "reserve_price",
                "not_decimal_integer",
            ),
            (ListingInput { starts_at: Some("tomorrow".into()), ..valid_input() }, "starts_at", "invalid_datetime"),
            (
                ListingInput { ends_at: Some("2026-11-25T09:04:59Z".into()), ..valid_input() },
                "ends_at",
                "duration_too_short",
            ),
            (
                ListingInput { ends_at: Some("2026-12-25T09:00:01Z".into()), ..valid_input() },
                "ends_at",
                "duration_too_long",
            ),
            (ListingInput { ends_at: Some("2026-11-25T08:00:00Z".into()), ..valid_input() }, "ends_at", "before_start"),
            (ListingInput { min_increment_bps: Some(0), ..valid_input() }, "min_increment_bps", "out_of_range"),
            (ListingInput { min_increment_bps: Some(10_001), ..valid_input() }, "min_increment_bps", "out_of_range"),
            (ListingInput { extension_secs: Some(86_401), ..valid_input() }, "extension_secs", "out_of_range"),
            (ListingInput { extension_secs: Some(-1), ..valid_input() }, "extension_secs", "out_of_range"),
            (
                ListingInput { pickup: Some(Pickup { available: false, location: None }), ..valid_input() },
                "pickup",
                "no_fulfilment",
            ),
        ];
        for (input, field, code) in cases {
            let errors = ListingDetails::create(input, now()).expect_err(field);
            assert!(codes(&errors).contains(&(field.to_owned(), code)), "{field}/{code}: got {errors:?}");
        }
    }

    #[test]
    fn boundaries_are_inclusive() {
        let exact_min = ListingInput { ends_at: Some("2026-11-25T09:05:00Z".into()), ..valid_input() };
        assert!(ListingDetails::create(exact_min, now()).is_ok());
        let exact_max = ListingInput { ends_at: Some("2026-12-25T09:00:00Z".into()), ..valid_input() };
        assert!(ListingDetails::create(exact_max, now()).is_ok());
        let bps = ListingInput { min_increment_bps: Some(10_000), extension_secs: Some(86_400), ..valid_input() };
        assert!(ListingDetails::create(bps, now()).is_ok());
        let title = ListingInput { title: Some("é".repeat(120)), ..valid_input() };
        assert!(ListingDetails::create(title, now()).is_ok(), "length counts characters, not bytes");
    }

    #[test]
    fn rejects_auction_already_over() {
        let past = ListingInput {
            starts_at: Some("2026-11-20T00:00:00Z".into()),
            ends_at: Some("2026-11-24T11:59:59Z".into()),
            ..valid_input()
        };
        let errors = ListingDetails::create(past, now()).expect_err("over");
        assert_eq!(codes(&errors), [("ends_at".to_owned(), "in_the_past")]);
    }

    #[test]
    fn patch_revalidates_the_whole_listing() {
        let listing = ListingDetails::create(valid_input(), now()).expect("valid");
        let patched = listing
            .patch(
                ListingInput { title: Some("Deluxe Reverb".into()), donor_credit: Some(None), ..Default::default() },
                now(),
            )
            .expect("valid patch");
        assert_eq!(patched.title, "Deluxe Reverb");
        assert_eq!(patched.donor_credit, None);
        assert_eq!(patched.reserve_price, listing.reserve_price);
        let shrunk =
            listing.patch(ListingInput { ends_at: Some("2026-11-25T09:01:00Z".into()), ..Default::default() }, now());
        assert!(shrunk.is_err(), "moving only the end must still respect the minimum duration");
    }
}
