//! The Commissary's side of the escrow auction contract.
//!
//! * [`bindings`]: `sol!` bindings generated from the committed ABI artifacts;
//! * [`ChainWorker`]: while holding a database lease, runs the indexer (events →
//!   projections in `commissary_db::chain`), the job runner (publish / cancel listings),
//!   the sender (the only user of the operator's nonce) and the keeper (settles ended
//!   auctions with `settleMany`);
//! * [`deploy`]: development deployment and minting;
//! * `testkit` (feature): anvil process and test helpers.
//!
//! See `README.md` for the schema and the crash-safety argument.

pub mod bindings;
pub mod config;
pub mod deploy;
pub mod error;
mod indexer;
mod jobs;
mod keeper;
pub mod rpc;
mod sender;
mod worker;

pub use config::{ChainConfig, Secret};
pub use error::{ChainError, ChainResult};
pub use worker::ChainWorker;

/// The address type of the bindings and the configuration.
pub use alloy::primitives::Address;

/// Converts a chain address to the domain's.
pub fn to_domain_address(address: Address) -> commissary_domain::Address {
    commissary_domain::Address(address.into_array())
}

/// Converts a domain address to the chain's.
pub fn from_domain_address(address: commissary_domain::Address) -> Address {
    Address::from(address.0)
}

#[cfg(feature = "testkit")]
pub mod testkit;
