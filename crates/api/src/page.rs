//! The member and steward web page (`web/` in the repository), compiled into the
//! binary so a deployment is one file. Routing is hash-based, so only these paths exist.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: &[Asset] = &[
    Asset { path: "", content_type: "text/html; charset=utf-8", body: include_str!("../../../web/index.html") },
    Asset {
        path: "index.html",
        content_type: "text/html; charset=utf-8",
        body: include_str!("../../../web/index.html"),
    },
    Asset { path: "app.js", content_type: "text/javascript; charset=utf-8", body: include_str!("../../../web/app.js") },
    Asset { path: "lib.js", content_type: "text/javascript; charset=utf-8", body: include_str!("../../../web/lib.js") },
    Asset {
        path: "wallet.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../../web/wallet.js"),
    },
    Asset { path: "style.css", content_type: "text/css; charset=utf-8", body: include_str!("../../../web/style.css") },
];

/// A strong validator derived from the content, so a new build invalidates caches.
fn etag(body: &str) -> String {
    use sha2::{Digest, Sha256};
    format!("\"{}\"", &hex::encode(Sha256::digest(body.as_bytes()))[..32])
}

/// Serves one of the page's files. Names carry no content hash, so browsers revalidate
/// (`no-cache`) and get 304 while the ETag matches.
#[get("/{file:(|index\\.html|app\\.js|lib\\.js|wallet\\.js|style\\.css)}")]
pub async fn asset(file: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let Some(asset) = ASSETS.iter().find(|a| a.path == file.as_str()) else {
        return HttpResponse::NotFound().finish();
    };
    let tag = etag(asset.body);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response.insert_header((header::ETAG, tag)).insert_header((header::CACHE_CONTROL, "no-cache"));
    if fresh {
        return response.finish();
    }
    response.content_type(asset.content_type).body(asset.body)
}
