//! Turning a draft into a queued on-chain auction, in one transaction.

use chrono::{DateTime, Utc};

use commissary_domain::{ListingDocument, ListingId, can_publish};

use crate::chain::jobs::{self, Job};
use crate::{DbConnection, DbError, DbResult, listings, photos};

/// Publishes a draft if the domain allows it now (see [`can_publish`]; every missing
/// piece is reported at once as [`DbError::PublishRefused`]), then queues it as
/// [`queue_publication`] does. The check runs in the transaction that freezes the
/// document, after taking the draft's row lock (photo writes take it first too), so a
/// photo removed or an edit saved concurrently cannot slip between the check and the
/// freeze.
pub fn publish(conn: &mut DbConnection, id: ListingId, now: DateTime<Utc>) -> DbResult<ListingDocument> {
    crate::connection::transaction(conn, |conn| {
        let record = listings::touch_draft(conn, id, now)?;
        let photo_count = photos::list_for(conn, id)?.len();
        can_publish(record.status, &record.details, photo_count, now).map_err(DbError::PublishRefused)?;
        queue_publication(conn, id, now)
    })
}

/// Freezes the draft's canonical document and hash, moves it to `publishing` and
/// records the job that will send `createAuction`. Status change and job commit
/// together: a listing is `publishing` exactly when a job exists to publish it. Checks
/// nothing of the domain's publishing rules: [`publish`] does; fixtures that need a
/// listing already under way (started in the past, no photo) call this directly.
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
