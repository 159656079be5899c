//! Photo rows: which stored images belong to which listing, in which order.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use commissary_domain::ListingId;
use commissary_domain::listing::MAX_PHOTOS_PER_LISTING;

use crate::listings::touch_draft;
use crate::schema::photos;
use crate::{Conflict, DbConnection, DbError, DbResult};

/// One stored rendition of a photo, addressed by its object-store key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenditionRef {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub key: String,
    pub content_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRecord {
    pub id: Uuid,
    pub listing_id: ListingId,
    pub position: u32,
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub renditions: Vec<RenditionRef>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = photos)]
struct PhotoRow {
    id: String,
    listing_id: String,
    position: i32,
    sha256: String,
    width: i32,
    height: i32,
    renditions: String,
    created_at: NaiveDateTime,
}

impl TryFrom<PhotoRow> for PhotoRecord {
    type Error = DbError;
    fn try_from(row: PhotoRow) -> DbResult<Self> {
        let corrupt = |f: &str| DbError::Corrupt(format!("photos.{f} of {}", row.id));
        Ok(Self {
            id: row.id.parse().map_err(|_| corrupt("id"))?,
            listing_id: row.listing_id.parse().map_err(|_| corrupt("listing_id"))?,
            position: u32::try_from(row.position).map_err(|_| corrupt("position"))?,
            width: u32::try_from(row.width).map_err(|_| corrupt("width"))?,
            height: u32::try_from(row.height).map_err(|_| corrupt("height"))?,
            renditions: serde_json::from_str(&row.renditions).map_err(|_| corrupt("renditions"))?,
            sha256: row.sha256,
            created_at: row.created_at.and_utc(),
        })
    }
}

/// What the photo pipeline produced, ready to attach to a listing.
#[derive(Debug, Clone)]
pub struct NewPhoto {
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub renditions: Vec<RenditionRef>,
}

fn i32_of(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Attaches a photo to a draft, last in order. Enforces the per-listing limit and
/// rejects the same image twice; call inside a transaction.
pub fn add(
    conn: &mut DbConnection,
    listing_id: ListingId,
    photo: NewPhoto,
    now: DateTime<Utc>,
) -> DbResult<PhotoRecord> {
    touch_draft(conn, listing_id, now)?;
    let existing = list_for(conn, listing_id)?;
    if existing.len() >= MAX_PHOTOS_PER_LISTING {
        return Err(DbError::Conflict(Conflict::TooManyPhotos));
    }
    if existing.iter().any(|p| p.sha256 == photo.sha256) {
        return Err(DbError::Conflict(Conflict::DuplicatePhoto));
    }
    let position = existing.last().map_or(0, |p| p.position + 1);
    let now = crate::storable(now);
    let record = PhotoRecord {
        id: Uuid::now_v7(),
        listing_id,
        position,
        sha256: photo.sha256,
        width: photo.width,
        height: photo.height,
        renditions: photo.renditions,
        created_at: now,
    };
    let row = PhotoRow {
        id: record.id.to_string(),
        listing_id: listing_id.to_string(),
        position: i32_of(position),
        sha256: record.sha256.clone(),
        width: i32_of(record.width),
        height: i32_of(record.height),
        renditions: serde_json::to_string(&record.renditions).map_err(|e| DbError::Corrupt(e.to_string()))?,
        created_at: now.naive_utc(),
    };
    diesel::insert_into(photos::table)
        .values(row)
        .execute(conn)
        .map_err(|e| DbError::from(e).on_unique(Conflict::DuplicatePhoto))?;
    Ok(record)
}

pub fn list_for(conn: &mut DbConnection, listing_id: ListingId) -> DbResult<Vec<PhotoRecord>> {
    photos::table
        .filter(photos::listing_id.eq(listing_id.to_string()))
        .order((photos::position.asc(), photos::id.asc()))
        .select(PhotoRow::as_select())
        .load(conn)?
        .into_iter()
        .map(PhotoRecord::try_from)
        .collect()
}

/// Photos of many listings at once (for list pages), each listing's in order.
pub fn list_for_many(conn: &mut DbConnection, listing_ids: &[ListingId]) -> DbResult<Vec<PhotoRecord>> {
    if listing_ids.is_empty() {
        return Ok(Vec::new());
    }
    photos::table
        .filter(photos::listing_id.eq_any(listing_ids.iter().map(ToString::to_string).collect::<Vec<_>>()))
        .order((photos::listing_id.asc(), photos::position.asc()))
        .select(PhotoRow::as_select())
        .load(conn)?
        .into_iter()
        .map(PhotoRecord::try_from)
        .collect()
}

/// Removes a photo from a draft; the remaining photos keep their relative order.
pub fn delete(
    conn: &mut DbConnection,
    listing_id: ListingId,
    photo_id: Uuid,
    now: DateTime<Utc>,
) -> DbResult<PhotoRecord> {
    touch_draft(conn, listing_id, now)?;
    let photo = list_for(conn, listing_id)?.into_iter().find(|p| p.id == photo_id).ok_or(DbError::NotFound)?;
    diesel::delete(photos::table.find(photo_id.to_string())).execute(conn)?;
    Ok(photo)
}

/// Sets the display order. `order` must name every photo of the listing exactly once.
pub fn reorder(
    conn: &mut DbConnection,
    listing_id: ListingId,
    order: &[Uuid],
    now: DateTime<Utc>,
) -> DbResult<Vec<PhotoRecord>> {
    touch_draft(conn, listing_id, now)?;
    let current = list_for(conn, listing_id)?;
    let mut wanted: Vec<Uuid> = order.to_vec();
    wanted.sort();
    wanted.dedup();
    let mut have: Vec<Uuid> = current.iter().map(|p| p.id).collect();
    have.sort();
    if wanted.len() != order.len() || wanted != have {
        return Err(DbError::Conflict(Conflict::PhotoOrderMismatch));
    }
    for (position, id) in order.iter().enumerate() {
        diesel::update(photos::table.find(id.to_string()))
            .set(photos::position.eq(i32::try_from(position).unwrap_or(i32::MAX)))
            .execute(conn)?;
    }
    list_for(conn, listing_id)
}

/// Whether any listing still uses an image, so shared content-addressed blobs are
/// only deleted when the last reference goes.
pub fn is_sha_referenced(conn: &mut DbConnection, sha256: &str) -> DbResult<bool> {
    let count: i64 = photos::table.filter(photos::sha256.eq(sha256)).count().get_result(conn)?;
    Ok(count > 0)
}
