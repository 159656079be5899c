//! The Commissary service as a library, so integration tests start exactly what the
//! `commissary` binary runs.
//!
//! ```text
//! dev (feature `dev`)   anvil + contracts + demo listings, then `app`
//!   app                 database, photo store, HTTP server, chain worker
//!     config            defaults → TOML → environment, validated
//!     telemetry         logging
//! ```

pub mod app;
pub mod config;
/// `commissary dev` (feature `dev`, on by default): generated demo data and photos.
#[cfg(feature = "dev")]
pub mod dev;
pub mod telemetry;

pub use app::{RunningApp, start};
pub use config::{Config, Settings};
