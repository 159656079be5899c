//! Turning a draft into a queued on-chain auction, in one transaction.

use chrono::{DateTime, Utc};

use commissary_domain::{ListingDocument, ListingId, can_publish};

use crate::chain::jobs::{self, Job};
use crate::listings::ListingRecord;
use crate::photos::PhotoRecord;
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
        let photos = photos::list_for(conn, id)?;
        can_publish(record.status, &record.details, photos.len(), now).map_err(DbError::PublishRefused)?;
        freeze(conn, &record, &photos, now)
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
        let photos = photos::list_for(conn, id)?;
        freeze(conn, &record, &photos, now)
    })
}

/// The freeze and the job, from the listing and photos its caller's transaction read.
fn freeze(
    conn: &mut DbConnection,
    record: &ListingRecord,
    photos: &[PhotoRecord],
    now: DateTime<Utc>,
) -> DbResult<ListingDocument> {
    let shas: Vec<String> = photos.iter().map(|p| p.sha256.clone()).collect();
    let document = ListingDocument::new(&record.details, &shas);
    listings::freeze_for_publish(conn, record.id, document.as_str(), &document.hash_hex(), now)?;
    jobs::enqueue(conn, &Job::PublishListing { listing_id: record.id }, now)?;
    Ok(document)
}

/// Records the job that will cancel the listing's auction on chain (idempotent).
pub fn queue_cancellation(conn: &mut DbConnection, id: ListingId, now: DateTime<Utc>) -> DbResult<String> {
    jobs::enqueue(conn, &Job::CancelListing { listing_id: id }, now)
}
