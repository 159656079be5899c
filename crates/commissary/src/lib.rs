//! The Commissary service as a library, so integration tests start exactly what the
//! `commissary` binary runs.

pub mod after_sale;
pub mod after_sale_config;
pub mod app;
pub mod config;
pub mod dev;
pub mod telemetry;

pub use app::{RunningApp, start};
pub use config::{Config, Settings};
