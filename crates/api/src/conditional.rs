//! Conditional reads of JSON that changes at any moment (listings: bids, status, edits,
//! photos, watchers). The validator is a digest of the exact bytes the response would
//! carry, so it changes exactly when what the response says changes, whichever write
//! (API, indexer, another replica) made the change, and needs no bookkeeping of versions.
//!
//! The tag is weak (`W/"…"`): the `Compress` middleware may re-encode the bytes, and a
//! strong tag promises byte-identical representations. `If-None-Match` uses the weak
//! comparison (RFC 9110 §13.1.2), so the `W/` makes no difference to revalidation.

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

/// Revalidate on every use (a bid may land any second), but a matching client gets
/// `304` without a body.
const PUBLIC: &str = "no-cache";
/// Stewards see drafts: never in a shared cache.
const PRIVATE: &str = "private, no-cache";

fn tag_of(body: &[u8]) -> String {
    format!("W/\"{}\"", &hex::encode(Sha256::digest(body))[..32])
}

/// Whether `If-None-Match` names `tag` (or is `*`), comparing weakly.
fn matches(req: &HttpRequest, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(tag);
    req.headers().get_all(header::IF_NONE_MATCH).filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',').any(|t| {
            let t = t.trim();
            t == "*" || opaque(t) == ours
        })
    })
}

/// A JSON body serialized once, with its tag: what the read cache keeps.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub body: Bytes,
    pub etag: String,
}

impl Rendered {
    /// `body` as JSON and the digest of exactly those bytes.
    pub fn of<T: Serialize>(body: &T) -> ApiResult<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| ApiError::internal(format!("could not serialize the response: {e}")))?;
        let etag = tag_of(&bytes);
        Ok(Self { body: Bytes::from(bytes), etag })
    }

    /// Bytes held (body and tag), for the cache's bound.
    pub fn size(&self) -> usize {
        self.body.len() + self.etag.len()
    }
}

/// `body` as JSON with its ETag, or `304 Not Modified` (no body) when the client holds it.
/// `private`: the response may show what only this viewer may see.
pub fn json<T: Serialize>(req: &HttpRequest, body: &T, private: bool) -> ApiResult<HttpResponse> {
    Ok(respond(req, &Rendered::of(body)?, private))
}

/// The response for a rendered body: `200` with it, or `304` when the client holds it.
pub fn respond(req: &HttpRequest, rendered: &Rendered, private: bool) -> HttpResponse {
    let fresh = matches(req, &rendered.etag);
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::ETAG, rendered.etag.clone()))
        .insert_header((header::CACHE_CONTROL, if private { PRIVATE } else { PUBLIC }))
        // The session decides whether drafts are shown.
        .insert_header((header::VARY, HeaderValue::from_static("Cookie")));
    if fresh {
        return response.finish();
    }
    response.content_type(mime_json()).body(rendered.body.clone())
}

fn mime_json() -> HeaderValue {
    HeaderValue::from_static("application/json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        let tag = tag_of(b"{}");
        assert!(tag.starts_with("W/\"") && tag.len() == 36);
        let with = |v: &str| TestRequest::default().insert_header((header::IF_NONE_MATCH, v)).to_http_request();
        assert!(matches(&with(&tag), &tag));
        assert!(matches(&with(tag.trim_start_matches("W/")), &tag));
        assert!(matches(&with(&format!("\"other\", {tag}")), &tag));
        assert!(matches(&with("*"), &tag));
        assert!(!matches(&with("\"other\""), &tag));
        assert!(!matches(&TestRequest::default().to_http_request(), &tag));
        assert_ne!(tag_of(b"{\"a\":1}"), tag_of(b"{\"a\":2}"));
    }
}
