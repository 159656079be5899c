//! The extractor of every `/listings/{id}/...` route: parses the id and loads the
//! listing (with its status), so a handler starts from the stored listing or the client
//! gets a 404 naming it.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use commissary_db::listings::{self, ListingRecord};
use commissary_domain::ListingId;

use crate::error::{ApiError, or_not_found};
use crate::state::AppState;

/// The listing named by the path's `{id}`.
#[derive(Debug, Clone)]
pub struct ListingPath(pub ListingRecord);

impl ListingPath {
    pub fn id(&self) -> ListingId {
        self.0.id
    }
}

/// The listing id of a path segment; anything else names no listing.
pub fn parse_listing_id(raw: &str) -> Result<ListingId, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("listing"))
}

impl FromRequest for ListingPath {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let id = req.match_info().get("id").map(parse_listing_id);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let id = id.ok_or_else(|| ApiError::internal("route without {id}"))??;
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let record = state.db.run(move |conn| listings::get(conn, id)).await.map_err(or_not_found("listing"))?;
            Ok(Self(record))
        })
    }
}
