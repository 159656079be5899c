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
