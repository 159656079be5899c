//! The OpenAPI 3.1 description, a self-contained docs page (no CDN), and the answer to a
//! request no route took: 405 with `Allow` on a described path, 404 otherwise.
//!
//! # How an operation is described (follow this for a new one)
//!
//! - Schemas come from the types the handler parses into: domain value types implement
//!   `ToSchema` (`commissary-domain`'s `openapi` feature: `TokenAmount`, `Address`,
//!   `ListingId`, every `string_enum!`), so a DTO field holding raw text for collected
//!   validation names its parsed type: `#[schema(value_type = Option<Category>)]`,
//!   `#[param(value_type = Option<ListingSort>)]`. Integer ranges and text lengths use the
//!   domain's constants (`maximum = 86400` next to `MAX_EXTENSION_SECS`…), and a rule JSON
//!   Schema cannot state (a schedule relative to now, one of pickup/shipping) is said in
//!   the field's doc and answered with 422 `validation_failed`.
//! - Path ids are typed (`("id" = ListingId, Path)`); a malformed one is a 404, like an
//!   unknown one.
//! - `responses(...)` lists the operation's own outcomes: success, 401 (a `Member` or
//!   `Steward` extractor), 403 (`Steward`, or steward-only filters), 404 (a missing
//!   resource), 409, 422, 429, 503, each with `body = ErrorBody`.
//! - What follows from an operation's shape is added by [`document`], so nobody has to
//!   remember it: 400 for a query string or JSON body that does not parse (`invalid_query`,
//!   `invalid_json`), 413/415 for JSON bodies, 404 for path parameters, 500 everywhere,
//!   unique `operationId`s (`{method}_{path}`), and the `links` from `POST /api/v1/listings`
//!   to every operation taking a listing id.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get};
use serde_json::{Map, Value, json};
use utoipa::OpenApi;

use crate::error::{ApiError, ApiResult};

#[derive(OpenApi)]
#[openapi(
    info(title = "Commissary API", description = "The auction engine of the Ampled music co-op: donated gear, bid for with $AMPLED.", version = "1"),
    paths(
        crate::auth::nonce, crate::auth::login, crate::auth::logout, crate::auth::me,
        crate::listings::create, crate::listings::list, crate::listings::get_one, crate::listings::update, crate::listings::remove,
        crate::auctions::publish, crate::auctions::cancel, crate::auctions::bids,
        crate::photos::upload, crate::photos::remove, crate::photos::reorder, crate::photos::serve,
        crate::health::healthz, crate::health::readyz, crate::health::metrics, crate::health::public_config,
        crate::live::public_events, crate::live::listing_events, crate::live::my_events,
        crate::members::my_bids, crate::members::my_credits, crate::members::watchlist, crate::members::watch,
        crate::members::unwatch,
        crate::relay::bid_quote, crate::relay::relay_bid, crate::relay::relay_status,
        crate::max_bid::max_bid_quote, crate::max_bid::put_max_bid, crate::max_bid::get_max_bid,
        crate::max_bid::delete_max_bid,
        crate::after_sale::fulfillment::claim, crate::after_sale::fulfillment::get_one,
        crate::after_sale::fulfillment::transition, crate::after_sale::fulfillment::confirm_receipt,
        crate::after_sale::fulfillment::queue,
        crate::after_sale::inbox::list, crate::after_sale::inbox::read, crate::after_sale::inbox::get_settings,
        crate::after_sale::inbox::put_settings, crate::after_sale::inbox::unsubscribe_page,
        crate::after_sale::inbox::unsubscribe_one_click,
        crate::after_sale::profile::get_profile, crate::after_sale::profile::put_profile,
        crate::after_sale::profile::confirm_email,
        crate::after_sale::reports::auctions_csv, crate::after_sale::reports::summary,
        openapi_json, docs,
    ),
    // Schemas only parameters name (utoipa collects those of bodies and responses itself).
    components(schemas(crate::error::ErrorBody, commissary_db::views::ListingSort, commissary_domain::ListingId,
        commissary_domain::Category, commissary_domain::notification::NotificationKind)),
    tags(
        (name = "auth", description = "Sign-In with Ethereum"),
        (name = "listings", description = "Donated gear up for auction"),
        (name = "photos", description = "Listing photos"),
        (name = "auctions", description = "On-chain auctions: publishing, cancelling, bids"),
        (name = "operations", description = "Probes, metrics and this description"),
        (name = "live", description = "Server-Sent Events: auction events as they are indexed, resumable with Last-Event-ID"),
        (name = "relay", description = "Gasless bids: EIP-712 signed bids and maximum bids sent by the co-op's relayer"),
        (name = "members", description = "The signed-in member's auctions, credits and watchlist"),
        (name = "fulfillment", description = "Won gear on its way to the winner"),
        (name = "notifications", description = "In-app notifications and email settings"),
        (name = "profile", description = "Display name and email address"),
        (name = "reports", description = "The stewards' books"),
    )
)]
pub struct ApiDoc;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Paths served outside the description (the web page), for the 405 answer.
const UNDESCRIBED_GET_PATHS: [&str; 3] = ["/", "/index.html", "/assets/{name}"];

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}

/// `get_api_v1_listings_id_photos_order` for `get /api/v1/listings/{id}/photos/order`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for part in path.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        id.push('_');
        id.push_str(part);
    }
    id
}

/// The description as served: utoipa's, plus what follows from each operation's shape
/// (see the module doc).
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
        complete(&mut doc);
        doc
    })
}

fn complete(doc: &mut Value) {
    // A new listing is a `ListingRequest` with the fields `create` requires.
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut)
        && let Some(mut new_listing) = schemas.get("ListingRequest").cloned()
    {
        let required = commissary_domain::listing::REQUIRED_ON_CREATE;
        new_listing["required"] = json!(required);
        for field in required {
            // `null` is "absent", which a required field cannot be.
            if let Some(property) = new_listing.pointer_mut(&format!("/properties/{field}")) {
                not_null(property);
            }
        }
        schemas.insert("NewListing".into(), new_listing);
        if let Some(body) =
            doc.pointer_mut("/paths/~1api~1v1~1listings/post/requestBody/content/application~1json/schema")
        {
            *body = json!({"$ref": "#/components/schemas/NewListing"});
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    let mut links = Map::new();
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let id = operation_id(method, path);
            let Some(operation) = operation.as_object_mut() else { continue };
            operation.insert("operationId".into(), Value::String(id.clone()));
            let parameters = operation.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
            let located = |location: &str| parameters.iter().any(|p| p["in"] == location);
            let json_body = operation
                .get("requestBody")
                .and_then(|b| b.get("content"))
                .is_some_and(|c| c.get("application/json").is_some());
            let responses = operation.entry("responses").or_insert_with(|| Value::Object(Map::new())).as_object_mut();
            let Some(responses) = responses else { continue };
            let mut add = |status: &str, description: &str| {
                responses.entry(status).or_insert_with(|| error_response(description));
            };
            if located("query") || json_body {
                add("400", "The query string or body does not parse (`invalid_query`, `invalid_json`, …)");
            }
            if json_body {
                add("413", "The body is larger than the limit (`payload_too_large`)");
                add("415", "The body is not `application/json` (`unsupported_media_type`)");
            }
            if located("path") {
                add("404", "Nothing has this id (a malformed id names nothing either)");
            }
            add("500", "Something went wrong on the server's side (`internal_error`)");
            // Every operation on a listing is reachable from the listing a steward creates.
            let listing_param = if path.starts_with("/api/v1/listings/{id}") {
                Some("id")
            } else if path.starts_with("/api/v1/me/watchlist/{listing_id}") {
                Some("listing_id")
            } else {
                None
            };
            // Not those that need more than a listing (a photo id, a fulfillment record), nor
            // reading or revoking the member's maximum bid, which a new listing cannot have yet.
            if let Some(param) = listing_param
                && !["/photos/{photo_id}", "/fulfillment", "/claim"].iter().any(|part| path.contains(part))
                && !(method != "put" && path.ends_with("/max-bid"))
            {
                let mut parameters = Map::new();
                parameters.insert(param.to_owned(), json!("$response.body#/id"));
                links.insert(
                    id.clone(),
                    json!({"operationId": id, "parameters": parameters, "description": "The listing just created"}),
                );
            }
        }
    }
    if let Some(created) = paths
        .get_mut("/api/v1/listings")
        .and_then(|item| item.get_mut("post"))
        .and_then(|op| op.get_mut("responses"))
        .and_then(|r| r.get_mut("201"))
        .and_then(Value::as_object_mut)
    {
        created.insert("links".into(), Value::Object(links));
    }
}

/// `schema` without its `null` alternative (utoipa's `Option<T>`).
fn not_null(schema: &mut Value) {
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            schema["type"] = only;
        }
    }
    if let Some(one_of) = schema.get("oneOf").and_then(Value::as_array) {
        let rest: Vec<Value> = one_of.iter().filter(|s| s.get("type") != Some(&json!("null"))).cloned().collect();
        if rest.len() == 1 {
            let mut replacement = rest[0].clone();
            if let (Some(target), Some(source)) = (replacement.as_object_mut(), schema.as_object()) {
                for (key, value) in source {
                    if key != "oneOf" {
                        target.entry(key.clone()).or_insert_with(|| value.clone());
                    }
                }
            }
            *schema = replacement;
        }
    }
}

/// The methods the description (or the page) serves on `path`, if it knows the path.
fn allowed_methods(path: &str) -> Option<Vec<String>> {
    static TABLE: OnceLock<Vec<(Vec<String>, Vec<String>)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let split = |template: &str| template.split('/').map(str::to_owned).collect::<Vec<_>>();
        let mut table: Vec<(Vec<String>, Vec<String>)> = document()["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(template, item)| {
                        let methods = METHODS
                            .iter()
                            .filter(|m| item.get(**m).is_some())
                            .map(|m| m.to_ascii_uppercase())
                            .collect();
                        (split(template), methods)
                    })
                    .collect()
            })
            .unwrap_or_default();
        table.extend(UNDESCRIBED_GET_PATHS.iter().map(|t| (split(t), vec!["GET".to_owned()])));
        table
    });
    let segments: Vec<&str> = path.split('/').collect();
    let matches = |template: &[String]| {
        template.len() == segments.len()
            && template
                .iter()
                .zip(&segments)
                .all(|(t, s)| if t.starts_with('{') && t.ends_with('}') { !s.is_empty() } else { t == s })
    };
    // A fixed segment wins over a parameter (`/photos/order` over `/photos/{photo_id}`), as
    // the description has it.
    let literals = |template: &[String]| template.iter().filter(|t| !t.starts_with('{')).count();
    let best = table.iter().filter(|(t, _)| matches(t)).map(|(t, _)| literals(t)).max()?;
    let mut found: Vec<String> = Vec::new();
    for (_, methods) in table.iter().filter(|(t, _)| matches(t) && literals(t) == best) {
        for method in methods {
            if !found.contains(method) {
                found.push(method.clone());
            }
        }
    }
    (!found.is_empty()).then_some(found)
}

/// What a request no route took gets: 405 with `Allow` when the path is known (the
/// method is not), otherwise 404.
pub async fn fallback(req: HttpRequest) -> ApiResult<HttpResponse> {
    match allowed_methods(req.path()) {
        Some(methods) if !methods.iter().any(|m| m == req.method().as_str()) => {
            let allow = methods.join(", ");
            let mut response = HttpResponse::from_error(ApiError::new(
                actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{} is not allowed here; allowed: {allow}", req.method()),
            ));
            if let Ok(value) = header::HeaderValue::from_str(&allow) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            Ok(response)
        }
        _ => Err(ApiError::not_found("route")),
    }
}

/// The OpenAPI document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "This OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
#[get("/api/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// Human-readable API reference rendered in the browser from `/api/openapi.json`.
#[utoipa::path(get, path = "/api/docs", tag = "operations",
    responses((status = 200, description = "The reference page", content_type = "text/html", body = String)))]
#[get("/api/docs")]
pub async fn docs() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(include_str!("docs.html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `^((a|b)(,(a|b))*)?$` for a comma-separated list of the texts.
    fn list_pattern(texts: &[&str]) -> String {
        let one = texts.join("|");
        format!("^(({one})(,({one}))*)?$")
    }

    #[test]
    fn list_parameters_list_exactly_the_enums_texts() {
        let statuses: Vec<&str> = commissary_domain::ListingStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(crate::listings::STATUS_LIST_PATTERN, list_pattern(&statuses));
        let states: Vec<&str> =
            commissary_domain::fulfillment::FulfillmentState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(crate::after_sale::fulfillment::STATE_LIST_PATTERN, list_pattern(&states));
    }

    #[test]
    fn known_paths_answer_405_and_unknown_ones_404() {
        assert_eq!(allowed_methods("/api/v1/listings"), Some(vec!["GET".to_owned(), "POST".to_owned()]));
        assert_eq!(allowed_methods("/api/v1/listings/x/photos/order"), Some(vec!["PUT".to_owned()]));
        assert_eq!(allowed_methods("/api/v1/listings/x/photos/y"), Some(vec!["DELETE".to_owned()]));
        assert_eq!(allowed_methods("/assets/app.js"), Some(vec!["GET".to_owned()]));
        assert_eq!(allowed_methods("/api/v1/listings//photos"), None);
        assert_eq!(allowed_methods("/api/v1/nothing"), None);
    }

    #[test]
    fn every_operation_id_is_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for item in document()["paths"].as_object().expect("paths").values() {
            for operation in item.as_object().expect("item").values() {
                assert!(seen.insert(operation["operationId"].as_str().expect("id").to_owned()));
            }
        }
    }
}
