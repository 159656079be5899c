//! The Commissary's domain: listings, token amounts, schedules and auction rules.
//!
//! This crate does no I/O and knows nothing of HTTP, SQL or the chain client; the
//! adapters (`commissary-db`, `commissary-api`, `commissary-chain`) translate to and
//! from these types.

pub mod address;
pub mod auction;
pub mod fulfillment;
pub mod listing;
pub mod listing_hash;
pub mod money;
pub mod notification;
pub mod profile;
pub mod report;
pub mod validation;

pub use address::Address;
pub use auction::{AuctionTerms, min_next_bid};
pub use listing::{
    Category, Condition, Fulfilment, ListingDetails, ListingId, ListingInput, ListingStatus, Pickup, Schedule, Shipping,
};
pub use listing_hash::{ListingDocument, keccak256};
pub use money::{MoneyError, TokenAmount};
pub use validation::{FieldError, ValidationErrors};
