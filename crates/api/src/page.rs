//! The member and steward web page (`web/` in the repository), bundled by `build.rs`
//! (esbuild: TypeScript, Preact, viem) and compiled into the binary, so a deployment
//! is one file and nothing loads from elsewhere. Routing is hash-based: only `/` and
//! the content-hashed bundle under `/assets/` exist.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, get, web};

use crate::state::AppState;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

const INDEX: &str = "index.html";

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// A strong validator derived from the content, so a new build invalidates caches.
fn etag(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("\"{}\"", &hex::encode(Sha256::digest(body))[..32])
}

/// The origin of an RPC URL (`http://127.0.0.1:8545`), as CSP `connect-src` wants it.
fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    matches!(parsed.scheme(), "http" | "https" | "ws" | "wss").then(|| parsed.origin().ascii_serialization())
}

/// The page's Content-Security-Policy: scripts and styles only from this site (no
/// inline code), connections only to this site and the chain's RPC, no framing.
pub fn content_security_policy(rpc_url: Option<&str>) -> String {
    let rpc = rpc_url.and_then(origin_of).map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'{rpc}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; \
         manifest-src 'self'"
    )
}

/// Features a bid page never needs; denying them means an injected script cannot either.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), \
     geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), \
     publickey-credentials-get=(), serial=(), usb=(), xr-spatial-tracking=()";

fn secure(response: &mut HttpResponseBuilder, state: &AppState) {
    response
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(state.config.chain.rpc_url.as_deref()),
        ))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header(("Permissions-Policy", PERMISSIONS_POLICY))
        .insert_header(("Cross-Origin-Opener-Policy", "same-origin"));
}

fn is_loopback(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(name, port)| if port.parse::<u16>().is_ok() { name } else { host });
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

/// On a developer machine the page may be opened as `127.0.0.1:PORT` while SIWE
/// messages must name the public `localhost:PORT`: send such visitors to the public URL
/// (only between loopback names, so a proxy's Host header never causes a redirect).
fn loopback_redirect(req: &HttpRequest, state: &AppState) -> Option<HttpResponse> {
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    let expected = &state.config.siwe.domain;
    if host == expected || !is_loopback(host) || !is_loopback(expected) {
        return None;
    }
    let location = format!("{}{}", state.config.siwe.uri.trim_end_matches('/'), req.uri().path());
    Some(HttpResponse::TemporaryRedirect().insert_header((header::LOCATION, location)).finish())
}

fn serve(asset: &Asset, req: &HttpRequest, state: &AppState, cache: &'static str) -> HttpResponse {
    let tag = etag(asset.body);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response.insert_header((header::ETAG, tag)).insert_header((header::CACHE_CONTROL, cache));
    if asset.name == INDEX {
        secure(&mut response, state);
    }
    if fresh {
        return response.finish();
    }
    response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type))).body(asset.body)
}

/// The page itself. Its name never changes, so browsers revalidate (`no-cache`) and get
/// 304 while the ETag matches.
#[get("/{file:(|index\\.html)}")]
pub async fn serve_page(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    if let Some(redirect) = loopback_redirect(&req, &state) {
        return redirect;
    }
    match find(INDEX) {
        Some(asset) => serve(asset, &req, &state, "no-cache"),
        None => HttpResponse::NotFound().finish(),
    }
}

/// The bundle: names carry a content hash, so a year of immutable caching is safe.
#[get("/assets/{name}")]
pub async fn serve_asset(state: web::Data<AppState>, name: web::Path<String>, req: HttpRequest) -> HttpResponse {
    match find(name.as_str()).filter(|a| a.name != INDEX) {
        Some(asset) => serve(asset, &req, &state, "public, max-age=31536000, immutable"),
        None => HttpResponse::NotFound().finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_allows_only_the_site_and_the_rpc_origin() {
        let csp = content_security_policy(Some("http://127.0.0.1:8545/some/path"));
        assert!(csp.contains("connect-src 'self' http://127.0.0.1:8545;"), "{csp}");
        assert!(csp.contains("script-src 'self';"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(content_security_policy(None).contains("connect-src 'self';"));
        assert!(content_security_policy(Some("javascript:alert(1)")).contains("connect-src 'self';"));
    }

    #[test]
    fn loopback_names_are_recognised() {
        assert!(is_loopback("127.0.0.1:8080"));
        assert!(is_loopback("localhost:8080"));
        assert!(is_loopback("[::1]:8080"));
        assert!(!is_loopback("commissary.ampled.coop"));
        assert!(!is_loopback("localhost.evil.example:80"));
    }

    #[test]
    fn the_bundle_has_a_page_a_script_and_a_stylesheet() {
        let index = std::str::from_utf8(find(INDEX).expect("index.html").body).expect("UTF-8");
        for asset in ASSETS.iter().filter(|a| a.name != INDEX) {
            assert!(index.contains(&format!("/assets/{}", asset.name)), "index.html references {}", asset.name);
        }
        assert!(ASSETS.iter().any(|a| a.content_type.starts_with("text/javascript")));
        assert!(ASSETS.iter().any(|a| a.content_type.starts_with("text/css")));
        assert!(!index.contains("<script>"), "no inline script");
    }
}
