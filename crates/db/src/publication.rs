//! Turning a draft into a queued on-chain auction, in one transaction.

use chrono::{DateTime, Utc};

use commissary_domain::{ListingDocument, ListingId};

use crate::chain::jobs::{self, Job};
use crate::{DbConnection, DbResult, listings, photos};

/// Freezes the draft's canonical document and hash, moves it to `publishing` and
/// records the job that will send `createAuction`. Status change and job commit
/// together: a listing is `publishing` exactly when a job exists to publish it.
pub fn queue_publication(conn: &mut DbConnection, id: ListingId, now: DateTime<Utc>) -> DbResult<ListingDocument> {
    crate::connection::transaction(conn, |conn| {
        let record = listings::get(conn, id)?;
        let shas: Vec<String> = photos::list_for(conn, id)?.into_iter().map(|p| p.sha256).collect();
        let document = ListingDocument::new(&record.details, &shas);
        listings::freeze_for_publish(conn, id, document.as_str(), &document.hash_hex(), now)?;
        jobs::enqueue(conn, &Job::PublishListing { listing_id: id }, now)?;
        Ok(document)
    })
}

/// Records the job that will cancel the listing's auction on chain (idempotent).
pub fn queue_cancellation(conn: &mut DbConnection, id: ListingId, now: DateTime<Utc>) -> DbResult<String> {
    jobs::enqueue(conn, &Job::CancelListing { listing_id: id }, now)
}
