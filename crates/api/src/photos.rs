//! Photo endpoints: stewards upload, remove and order a draft's photos; anyone reads
//! the renditions at stable, immutable URLs.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::Utc;
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use commissary_db::photos::{self as store, PhotoRecord, RenditionRef};
use commissary_db::{Conflict, DbError};
use commissary_photos::{CACHE_CONTROL_IMMUTABLE, PhotoError, WEBP_CONTENT_TYPE};

use crate::error::{ApiError, ApiResult, ErrorBody, or_not_found};
use crate::listing_path::ListingPath;
use crate::session::Steward;
use crate::state::AppState;
use crate::workflow;

pub const PHOTO_FIELD: &str = "photo";
/// How long an upload waits for a free processing slot before the client is told to retry.
const PROCESSING_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// SHA-256 of the normalised image; the listing hash commits to these, in order.
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub position: u32,
    /// Rendition name (`full`, `w320`, `w1024`, `w2048`) to its URL (JPEG, or PNG
    /// for a photo with transparency).
    pub urls: BTreeMap<String, String>,
    /// The same scaled renditions as WebP (`w320`, `w1024`, `w2048`; never `full`),
    /// for a `<source type="image/webp" srcset>`; empty for photos uploaded before
    /// WebP renditions existed.
    pub webp_urls: BTreeMap<String, String>,
}

pub fn photo_url(key: &str) -> String {
    format!("/photos/{key}")
}

impl From<PhotoRecord> for PhotoResponse {
    fn from(p: PhotoRecord) -> Self {
        Self {
            id: p.id,
            sha256: p.sha256,
            width: p.width,
            height: p.height,
            position: p.position,
            urls: urls_of(&p.renditions, false),
            webp_urls: urls_of(&p.renditions, true),
        }
    }
}

/// Rendition name to URL, of either the WebP alternates or the primary renditions.
fn urls_of(renditions: &[RenditionRef], webp: bool) -> BTreeMap<String, String> {
    renditions
        .iter()
        .filter(|r| (r.content_type == WEBP_CONTENT_TYPE) == webp)
        .map(|r| (r.name.clone(), photo_url(&r.key)))
        .collect()
}

/// The upload form (read by `read_photo_field`, not by serde).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// A JPEG, PNG or WebP image: at most `max_upload_bytes` and `max_pixels` (20 MiB and
    /// 40 MP by default); its content decides (415 for other formats, 422 for a corrupt one).
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoOrderRequest {
    /// Every photo id of the listing, in the wanted order.
    pub photo_ids: Vec<Uuid>,
}

fn parse_photo_id(raw: &str) -> ApiResult<Uuid> {
    raw.parse().map_err(|_| ApiError::not_found("photo"))
}

/// Reads the `photo` field, refusing to buffer more than the upload limit.
async fn read_photo_field(mut form: Multipart, limit: usize) -> ApiResult<Vec<u8>> {
    let malformed = |e: actix_multipart::MultipartError| {
        ApiError::bad_request("invalid_multipart", format!("malformed multipart body: {e}"))
    };
    // The form is exactly one field, `photo`, as described: anything else is refused rather
    // than ignored.
    let unexpected = || ApiError::bad_request("unexpected_field", format!("the form has one field, \"{PHOTO_FIELD}\""));
    let mut photo = None;
    while let Some(mut field) = form.try_next().await.map_err(malformed)? {
        if field.name() != Some(PHOTO_FIELD) || photo.is_some() {
            return Err(unexpected());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.try_next().await.map_err(malformed)? {
            if bytes.len() + chunk.len() > limit {
                return Err(PhotoError::UploadTooLarge { limit }.into());
            }
            bytes.extend_from_slice(&chunk);
        }
        photo = Some(bytes);
    }
    if let Some(bytes) = photo {
        return Ok(bytes);
    }
    Err(ApiError::bad_request("missing_photo_field", "send the image as multipart/form-data field \"photo\""))
}

/// Uploads a photo to a draft (multipart field `photo`; JPEG, PNG or WebP; ≤ 20 MiB).
#[utoipa::path(post, path = "/api/v1/listings/{id}/photos", tag = "photos", params(("id" = commissary_domain::ListingId, Path)),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = PhotoResponse),
              (status = 400, body = ErrorBody, description = "not multipart, no `photo` field, or another field"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody, description = "every photo slot stayed busy for 30 s; `Retry-After`")))]
#[post("/listings/{id}/photos")]
#[tracing::instrument(skip_all, fields(listing = %listing.id(), steward = %steward.address))]
pub async fn upload(
    state: web::Data<AppState>,
    steward: Steward,
    listing: ListingPath,
    req: HttpRequest,
    form: Multipart,
) -> ApiResult<HttpResponse> {
    let listing_id = listing.id();
    let limits = state.config.photo_limits.clone();
    // Reject early, before reading a byte, when the client declares an oversized body.
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limits.max_upload_bytes + 64 * 1024) {
        return Err(PhotoError::UploadTooLarge { limit: limits.max_upload_bytes }.into());
    }
    // Fail fast on a listing that cannot take photos, before the expensive decode.
    if !listing.0.status.can_edit() {
        return Err(ApiError::conflict("listing_not_draft", "photos can only be changed on drafts"));
    }
    let count = state.db.run(move |conn| store::list_for(conn, listing_id)).await?.len();
    if count >= commissary_domain::listing::MAX_PHOTOS_PER_LISTING {
        return Err(DbError::Conflict(Conflict::TooManyPhotos).into());
    }
    let bytes = read_photo_field(form, limits.max_upload_bytes).await?;
    let _permit = tokio::time::timeout(PROCESSING_QUEUE_WAIT, state.photo_permits.acquire())
        .await
        .map_err(|_| ApiError::too_many_requests(60))?
        .map_err(ApiError::internal)?;
    let record = workflow::attach_photo(&state.db, &state.photos, listing_id, bytes, limits).await?;
    Ok(HttpResponse::Created().json(PhotoResponse::from(record)))
}

/// Removes a photo from a draft.
#[utoipa::path(delete, path = "/api/v1/listings/{id}/photos/{photo_id}", tag = "photos",
    params(("id" = commissary_domain::ListingId, Path), ("photo_id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
// Hex and dashes only, so `DELETE …/photos/order` is no photo but a wrong method (405).
#[delete("/listings/{id}/photos/{photo_id:[0-9a-fA-F-]+}")]
#[tracing::instrument(skip_all, fields(steward = %steward.address))]
pub async fn remove(
    state: web::Data<AppState>,
    steward: Steward,
    listing: ListingPath,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let listing_id = listing.id();
    let photo_id = parse_photo_id(&path.into_inner().1)?;
    let removed = state
        .db
        .transaction(move |conn| store::delete(conn, listing_id, photo_id, Utc::now()))
        .await
        .map_err(or_not_found("photo"))?;
    delete_unreferenced_blobs(&state, removed).await;
    Ok(HttpResponse::NoContent().finish())
}

/// Sets the order of a draft's photos.
#[utoipa::path(put, path = "/api/v1/listings/{id}/photos/order", tag = "photos", request_body = PhotoOrderRequest,
    params(("id" = commissary_domain::ListingId, Path)),
    responses((status = 200, body = Vec<PhotoResponse>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`listing_not_draft`, or `photo_order_mismatch`: not every photo once")))]
#[put("/listings/{id}/photos/order")]
#[tracing::instrument(skip_all, fields(steward = %steward.address))]
pub async fn reorder(
    state: web::Data<AppState>,
    steward: Steward,
    listing: ListingPath,
    body: crate::body::JsonBody<PhotoOrderRequest>,
) -> ApiResult<web::Json<Vec<PhotoResponse>>> {
    let listing_id = listing.id();
    let order = body.into_inner().photo_ids;
    let photos = state
        .db
        .transaction(move |conn| store::reorder(conn, listing_id, &order, Utc::now()))
        .await
        .map_err(or_not_found("listing"))?;
    Ok(web::Json(photos.into_iter().map(PhotoResponse::from).collect()))
}

/// Serves a rendition. Keys are content hashes, so responses never change: strong
/// ETag plus a year of immutable caching.
#[utoipa::path(get, path = "/photos/{key}", tag = "photos", params(("key" = String, Path)),
    responses((status = 200, description = "The rendition (JPEG, PNG or WebP)",
               content((String = "image/jpeg"), (String = "image/png"), (String = "image/webp"))),
              (status = 304, description = "Not modified (`If-None-Match`)"), (status = 404, body = ErrorBody)))]
#[get("/photos/{key}")]
#[tracing::instrument(skip_all, fields(key = %key))]
pub async fn serve(state: web::Data<AppState>, key: web::Path<String>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let Some(object) = state.photos.get(&key).await? else {
        return Err(ApiError::not_found("photo"));
    };
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == object.etag || tag.trim() == "*"));
    let mut response = if matches { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::ETAG, object.etag.clone()))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL_IMMUTABLE))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if matches {
        return Ok(response.finish());
    }
    Ok(response.content_type(object.content_type).body(object.bytes))
}

/// Deletes a removed photo's blobs unless another listing still shows the same image.
/// Failure only leaks storage, so it is logged rather than failing the request.
pub(crate) async fn delete_unreferenced_blobs(state: &AppState, photo: PhotoRecord) {
    let sha = photo.sha256.clone();
    match state.db.run(move |conn| store::is_sha_referenced(conn, &sha)).await {
        Ok(false) => {
            for rendition in &photo.renditions {
                if let Err(e) = state.photos.delete(&rendition.key).await {
                    tracing::warn!(key = %rendition.key, error = %e, "could not delete photo blob");
                }
            }
        }
        Ok(true) => {}
        Err(e) => tracing::warn!(error = %e, "could not check photo references"),
    }
}
