//! The Commissary's side of the escrow auction contract.
//!
//! Modules import one way, `worker → components → context`:
//!
//! ```text
//! worker                          ChainWorker: lease, then one task per component
//!   indexer, sender, jobs, keeper, the components (one `Component` trait, one run loop);
//!   relay_tracker, max_bidder     the relayer's sender is a second `Sender`; max_bidder
//!                                 defends members' maximum bids through it
//!     relay, relay::max_bid       the API's chain side of relaying bids and maximum bids
//!                                 (facts, typed data, calldata, simulation)
//!     component                   the trait and the loop: tick, wake, back off, stop
//!     outbox                      record_intent: any SolCall as a transaction intent
//!       context                   Ctx (config, db, rpc, operator account), Wake, backoff
//!         signer                  Account: signing, fees, broadcast
//!         contract                logs → typed domain events; reverts → contract errors
//!         rpc                     endpoints, blocks, logs, find_created (chain types only)
//!           bindings, config, error
//! deploy, testkit                 tools on top (development deployment, test helpers)
//! ```
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
mod component;
pub mod config;
mod context;
mod contract;
pub mod deploy;
pub mod error;
mod indexer;
mod jobs;
mod keeper;
mod max_bidder;
mod outbox;
pub mod relay;
mod relay_tracker;
pub mod rpc;
mod sender;
mod signer;
mod worker;

pub use config::{ChainConfig, RelayConfig};
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
