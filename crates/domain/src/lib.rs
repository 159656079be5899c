//! The Commissary's domain: listings, token amounts, schedules and auction rules.
//!
//! This crate does no I/O and knows nothing of HTTP, SQL or the chain client; the
//! adapters (`commissary-db`, `commissary-api`, `commissary-chain`) translate to and
//! from these types and ask it every question about a listing's or an auction's state.
//!
//! Modules, each importing only those below it:
//!
//! ```text
//! openapi       (feature `openapi`) JSON Schemas of the value types
//! lifecycle     listing state machine: can_edit, can_publish, can_cancel, cancel_step
//! max_bid       maximum bids: ordered checks of an authorization, the re-bid plan
//!   relay       gasless bids: the relayer's ordered checks, budgets, relay status
//!   projection  AuctionState: contract events folded into an auction; its listing status
//!     events    typed contract events (AuctionEvent, LoggedEvent)
//!       auction AuctionId, AuctionTerms, min_next_bid, phase_at
//!         listing, listing_hash   listings, their validation and canonical document
//!           address, money, validation, secret, string_enum   value types
//! ```

pub mod address;
pub mod auction;
pub mod events;
pub mod fulfillment;
pub mod lifecycle;
pub mod listing;
pub mod listing_hash;
pub mod max_bid;
pub mod member;
pub mod money;
pub mod notification;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod profile;
pub mod projection;
pub mod relay;
pub mod report;
pub mod secret;
pub mod string_enum;
pub mod validation;

pub use address::Address;
pub use auction::{AuctionId, AuctionTerms, min_next_bid};
pub use events::{AuctionEvent, LoggedEvent};
pub use lifecycle::{CancelRefused, CancelStep, Cancellation, ListingTransition, PublishRefused, can_publish};
pub use listing::{
    Category, Condition, Fulfilment, ListingDetails, ListingId, ListingInput, ListingStatus, Pickup, Schedule, Shipping,
};
pub use listing_hash::{ListingDocument, keccak256};
pub use member::{BidderState, bidder_state};
pub use money::{MoneyError, ONE_AMPLED, TokenAmount};
pub use projection::{AuctionState, AuctionStatus, OnChainAuction, Settlement};
/// 256-bit unsigned integers (token amounts before their uint96 check, nonces, wei).
pub use ruint::aliases::U256;
pub use secret::Secret;
pub use string_enum::UnknownVariant;
pub use validation::{FieldError, ValidationErrors};
