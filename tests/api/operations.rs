use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

#[actix_rt::test]
async fn probes_answer() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let health: Value = client.get(app.url("/healthz")).send().await.expect("healthz").json().await.expect("json");
    assert_eq!(health["status"], "ok");
    let ready = client.get(app.url("/readyz")).send().await.expect("readyz");
    assert_eq!(ready.status(), StatusCode::OK);
}

#[actix_rt::test]
async fn metrics_count_requests_by_route() {
    let app = TestApp::spawn().await;
    let client = app.client();
    client.get(app.url("/api/v1/listings")).send().await.expect("list");
    let text = client.get(app.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    assert!(text.contains("http_requests_total{method=\"GET\",route=\"/api/v1/listings\",status=\"200\"}"), "{text}");
    assert!(text.contains("http_request_duration_seconds"), "{text}");
}

#[actix_rt::test]
async fn openapi_describes_every_endpoint_and_docs_are_self_contained() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let spec: Value = client.get(app.url("/api/openapi.json")).send().await.expect("spec").json().await.expect("json");
    assert!(spec["openapi"].as_str().expect("version").starts_with("3.1"));
    let paths = spec["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/auth/nonce", "get"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/listings", "post"),
        ("/api/v1/listings", "get"),
        ("/api/v1/listings/{id}", "get"),
        ("/api/v1/listings/{id}", "patch"),
        ("/api/v1/listings/{id}", "delete"),
        ("/api/v1/listings/{id}/photos", "post"),
        ("/api/v1/listings/{id}/photos/{photo_id}", "delete"),
        ("/api/v1/listings/{id}/photos/order", "put"),
        ("/photos/{key}", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing from OpenAPI");
    }
    let docs = client.get(app.url("/api/docs")).send().await.expect("docs");
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.expect("html");
    assert!(html.contains("/api/openapi.json"));
    assert!(!html.contains("https://"), "no CDN or external assets");
}

#[actix_rt::test]
async fn unknown_routes_are_json_404s() {
    let app = TestApp::spawn().await;
    let response = app.client().get(app.url("/api/v1/nothing-here")).send().await.expect("get");
    assert_eq!(error_code(response).await, (StatusCode::NOT_FOUND, "not_found".into()));
}

#[actix_rt::test]
async fn a_wrong_method_on_a_known_path_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for (method, path, allow) in [
        ("TRACE", "/readyz", "GET"),
        ("POST", "/healthz", "GET"),
        ("PUT", "/api/v1/listings", "GET, POST"),
        ("POST", "/api/v1/listings/0190f5a4-7c1e-7000-8000-000000000000", "GET, DELETE, PATCH"),
        ("GET", "/api/v1/listings/0190f5a4-7c1e-7000-8000-000000000000/photos/order", "PUT"),
        ("PATCH", "/api/v1/me/watchlist/not-even-a-uuid", "PUT, DELETE"),
        ("DELETE", "/", "GET"),
    ] {
        let response = client
            .request(reqwest::Method::from_bytes(method.as_bytes()).expect("method"), app.url(path))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let got = response.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let mut got: Vec<&str> = got.split(", ").collect();
        let mut want: Vec<&str> = allow.split(", ").collect();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "Allow of {method} {path}");
        assert_eq!(error_code(response).await.1, "method_not_allowed");
    }
    // An allowed method still reaches its handler; an unknown path stays a 404.
    let response = client.get(app.url("/api/v1/listings/not-a-uuid")).send().await.expect("get");
    assert_eq!(error_code(response).await, (StatusCode::NOT_FOUND, "not_found".into()));
    let response = client.post(app.url("/api/v1/nothing-here")).send().await.expect("post");
    assert_eq!(error_code(response).await, (StatusCode::NOT_FOUND, "not_found".into()));
}

#[actix_rt::test]
async fn the_description_states_the_constraints_the_service_enforces() {
    let app = TestApp::spawn().await;
    let spec = get_json(&app, &app.client(), "/api/openapi.json").await;
    let schemas = &spec["components"]["schemas"];
    let request = &schemas["ListingRequest"]["properties"];
    assert_eq!(request["min_increment_bps"]["minimum"], 1);
    assert_eq!(request["min_increment_bps"]["maximum"], 10_000);
    assert_eq!(request["extension_secs"]["minimum"], 0);
    assert_eq!(request["extension_secs"]["maximum"], commissary_domain::listing::MAX_EXTENSION_SECS);
    assert_eq!(
        schemas["NewListing"]["required"],
        serde_json::json!(commissary_domain::listing::REQUIRED_ON_CREATE),
        "a new listing's required fields"
    );
    let categories: Vec<&str> = commissary_domain::Category::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(schemas["Category"]["enum"], serde_json::json!(categories));
    assert!(schemas["TokenAmount"]["pattern"].as_str().expect("pattern").ends_with("|79228162514264337593543950335)$"));
    assert_eq!(schemas["ListingId"]["format"], "uuid");

    let paths = spec["paths"].as_object().expect("paths");
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("item") {
            let id = operation["operationId"].as_str().expect("operationId").to_owned();
            assert!(ids.insert(id.clone()), "{method} {path}: operationId {id} is not unique");
            let responses = operation["responses"].as_object().expect("responses");
            assert!(responses.contains_key("500"), "{method} {path} lists no 500");
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path} lists no 404");
            }
            if operation["requestBody"]["content"].get("application/json").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(responses.contains_key(status), "{method} {path} lists no {status}");
                }
            }
        }
    }
    // POST /api/v1/listings links to what takes the new listing's id.
    let links = spec["paths"]["/api/v1/listings"]["post"]["responses"]["201"]["links"].as_object().expect("links");
    for target in ["get_api_v1_listings_id", "patch_api_v1_listings_id", "post_api_v1_listings_id_publish"] {
        assert_eq!(links[target]["operationId"], target);
        assert_eq!(links[target]["parameters"]["id"], "$response.body#/id");
    }
}
