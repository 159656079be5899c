//! The steward's use cases as functions of the database and the photo store, shared by the
//! handlers and `commissary dev`: create a draft, attach a photo, publish; and all three
//! in a row.

use chrono::{DateTime, Utc};

use commissary_db::Db;
use commissary_db::listings::{self, ListingRecord};
use commissary_db::photos::{self, NewPhoto, PhotoRecord, RenditionRef};
use commissary_db::publication;
use commissary_domain::{Address, ListingDetails, ListingId, ListingInput};
use commissary_photos::{PhotoLimits, PhotoStore, ProcessedPhoto, process};

use crate::error::{ApiError, ApiResult, or_not_found};

/// Validates `input` and stores it as a draft of `steward`.
pub async fn create_draft(
    db: &Db,
    input: ListingInput,
    steward: Address,
    now: DateTime<Utc>,
) -> ApiResult<ListingRecord> {
    let details = ListingDetails::create(input, now)?;
    let record = ListingRecord::new_draft(details, steward, now);
    let inserted = record.clone();
    db.run(move |conn| listings::insert(conn, &inserted)).await?;
    tracing::info!(listing = %record.id, "draft created");
    Ok(record)
}

/// What the database records of a processed photo: its hash, size and rendition keys
/// (the WebP alternates too, told apart by their content type).
fn attachable(processed: &ProcessedPhoto) -> NewPhoto {
    NewPhoto {
        sha256: processed.sha256.clone(),
        width: processed.width,
        height: processed.height,
        renditions: processed
            .objects()
            .map(|r| RenditionRef {
                name: r.name.clone(),
                width: r.width,
                height: r.height,
                key: r.key.clone(),
                content_type: r.content_type.to_owned(),
            })
            .collect(),
    }
}

/// Normalises an uploaded image (on the blocking pool), stores its renditions, and attaches
/// it to the draft last in order. Blobs first, row second: a row never points at a missing
/// blob, and a blob without a row is harmless content-addressed data.
pub async fn attach_photo(
    db: &Db,
    store: &PhotoStore,
    listing_id: ListingId,
    bytes: Vec<u8>,
    limits: PhotoLimits,
) -> ApiResult<PhotoRecord> {
    let processed =
        tokio::task::spawn_blocking(move || process(&bytes, &limits)).await.map_err(ApiError::internal)??;
    store.put_all(&processed).await?;
    let new_photo = attachable(&processed);
    let record = db
        .transaction(move |conn| photos::add(conn, listing_id, new_photo, Utc::now()))
        .await
        .map_err(or_not_found("listing"))?;
    tracing::info!(photo = %record.id, sha256 = %record.sha256, "photo added");
    Ok(record)
}

/// Publishes a draft if the domain allows it now (see [`commissary_domain::can_publish`]:
/// every missing piece is reported at once): freezes its document and queues the job that
/// creates its auction, checked and done in one transaction.
pub async fn publish(db: &Db, id: ListingId, now: DateTime<Utc>) -> ApiResult<()> {
    db.run(move |conn| publication::publish(conn, id, now)).await.map_err(or_not_found("listing"))?;
    tracing::info!(listing = %id, "publication queued");
    Ok(())
}

/// A new listing with its photos, published at once (demo data, imports).
pub async fn create_attach_publish(
    db: &Db,
    store: &PhotoStore,
    input: ListingInput,
    steward: Address,
    images: Vec<Vec<u8>>,
    limits: &PhotoLimits,
) -> ApiResult<ListingId> {
    let draft = create_draft(db, input, steward, Utc::now()).await?;
    for image in images {
        attach_photo(db, store, draft.id, image, limits.clone()).await?;
    }
    publish(db, draft.id, Utc::now()).await?;
    Ok(draft.id)
}
