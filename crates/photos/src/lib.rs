//! The listing-photo pipeline of Commissary.
//!
//! [`process`] turns an upload into validated, metadata-free renditions
//! (JPEG, PNG and WebP in; JPEG, or PNG when there is real transparency, out,
//! plus WebP alternates of the scaled-down sizes),
//! and [`PhotoStore`] keeps them content-addressed in any `object_store`
//! backend. There is no HTTP and no database here: the API crate decides who
//! may upload, enforces the per-listing photo count, records keys and serves
//! objects with [`CACHE_CONTROL_IMMUTABLE`] and [`StoredObject::etag`].
//!
//! ```no_run
//! # async fn demo(upload: &[u8]) -> Result<(), commissary_photos::PhotoError> {
//! use commissary_photos::{PhotoLimits, PhotoStore, process};
//!
//! let store = PhotoStore::from_url("./data/photos")?;
//! let limits = PhotoLimits::default();
//! // CPU-bound: the API runs this on a blocking thread.
//! let photo = process(upload, &limits)?;
//! store.put_all(&photo).await?;
//! println!("{} is {}x{}", photo.sha256, photo.width, photo.height);
//! # Ok(()) }
//! ```
//!
//! Modules import one way: `store` (object store) → `process` (sniff, validate,
//! decode) → `render` (resize, encode on two threads) → `error`; `corpus`
//! (feature) only generates input bytes.
//!
//! Features:
//! - `test-corpus`: the [`corpus`] module, which generates test and demo
//!   photos in code (used by the API's tests and `commissary dev` seeding).

mod error;
mod process;
mod render;
mod store;

#[cfg(any(test, feature = "test-corpus"))]
pub mod corpus;

pub use error::PhotoError;
pub use process::{PhotoLimits, ProcessedPhoto, SourceFormat, process};
pub use render::{FULL_RENDITION, JPEG_CONTENT_TYPE, PNG_CONTENT_TYPE, Rendition, WEBP_CONTENT_TYPE, sha256_hex};
pub use store::{CACHE_CONTROL_IMMUTABLE, PhotoStore, StoredObject, is_valid_key, parse_key};

#[cfg(test)]
mod tests;
