//! The Commissary service as a library, so integration tests start exactly what the
//! `commissary` binary runs.
//!
//! ```text
//! dev (feature `dev`)   anvil + contracts + demo listings, then `app`
//!   app                 database, photo store, HTTP server, chain worker
//!     relay             the API's chain side of gasless bids, `[relay]` settings
//!     config            defaults → TOML → environment, validated
//!     telemetry         logging
//! ```

pub mod after_sale;
pub mod after_sale_config;
pub mod app;
pub mod config;
/// `commissary dev` (feature `dev`, on by default): generated demo data and photos.
#[cfg(feature = "dev")]
pub mod dev;
pub mod relay;
pub mod telemetry;

pub use app::{RunningApp, start};
pub use config::{Config, Settings};
