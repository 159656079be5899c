use reqwest::StatusCode;
use serde_json::{Value, json};

use commissary_photos::corpus;

use crate::helpers::*;

async fn draft(app: &TestApp, steward: &reqwest::Client) -> String {
    app.create_listing(steward, listing_body("Photographed gear")).await["id"].as_str().expect("id").to_owned()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn fetch(app: &TestApp, url: &str) -> reqwest::Response {
    app.client().get(app.url(url)).send().await.expect("fetch photo")
}

#[actix_rt::test]
async fn gps_exif_is_stripped_from_every_served_rendition() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let id = draft(&app, &steward).await;
    let original = corpus::jpeg_with_gps_exif(2400, 1600);
    assert!(
        contains(&original, corpus::EXIF_HEADER) && contains(&original, corpus::GPS_IFD_POINTER),
        "fixture has GPS"
    );

    let response = app.upload(&steward, &id, "holiday.jpg", original).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let photo: Value = response.json().await.expect("json");
    assert_eq!((photo["width"].as_u64(), photo["height"].as_u64()), (Some(2400), Some(1600)));
    let sha = photo["sha256"].as_str().expect("sha");
    assert_eq!(sha.len(), 64);
    let urls = photo["urls"].as_object().expect("urls");
    assert_eq!(urls.keys().collect::<Vec<_>>(), ["full", "w1024", "w2048", "w320"]);

    for (name, url) in urls {
        let response = fetch(&app, url.as_str().expect("url")).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
        let bytes = response.bytes().await.expect("bytes");
        assert!(!contains(&bytes, corpus::EXIF_HEADER), "{name} still has EXIF");
        assert!(!contains(&bytes, corpus::EXIF_MAKE), "{name} still names the camera");
        if name == "full" {
            let digest = commissary_photos::sha256_hex(&bytes);
            assert_eq!(digest, sha, "the photo hash is the served full rendition's SHA-256");
        }
    }
}

#[actix_rt::test]
async fn webp_alternates_are_offered_served_and_removed_with_the_photo() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let id = draft(&app, &steward).await;
    let photo: Value =
        app.upload(&steward, &id, "amp.jpg", corpus::jpeg_with_gps_exif(2400, 1600)).await.json().await.expect("json");
    let webp = photo["webp_urls"].as_object().expect("webp_urls");
    assert_eq!(webp.keys().collect::<Vec<_>>(), ["w1024", "w2048", "w320"], "no WebP of the full master");
    for (name, url) in webp {
        let url = url.as_str().expect("url");
        assert_ne!(Some(url), photo["urls"][name].as_str(), "{name}: its own object");
        let response = fetch(&app, url).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert_eq!(response.headers()["content-type"], "image/webp");
        assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
        let bytes = response.bytes().await.expect("bytes");
        assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP", "{name} is a WebP file");
        assert!(!contains(&bytes, corpus::EXIF_MAKE), "{name} still names the camera");
    }
    // The listing view offers the same alternates.
    let listing: Value = get_json(&app, &steward, &format!("/api/v1/listings/{id}")).await;
    assert_eq!(&listing["photos"][0]["webp_urls"], &photo["webp_urls"]);

    let w320 = webp["w320"].as_str().expect("url").to_owned();
    let photo_id = photo["id"].as_str().expect("id");
    let delete =
        steward.delete(app.url(&format!("/api/v1/listings/{id}/photos/{photo_id}"))).send().await.expect("delete");
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    assert_eq!(fetch(&app, &w320).await.status(), StatusCode::NOT_FOUND, "WebP blobs go with the photo");
}

#[actix_rt::test]
async fn exif_orientation_is_applied() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let id = draft(&app, &steward).await;
    let response = app.upload(&steward, &id, "sideways.jpg", corpus::jpeg_rotated(400, 200, 6)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let photo: Value = response.json().await.expect("json");
    assert_eq!(
        (photo["width"].as_u64(), photo["height"].as_u64()),
        (Some(200), Some(400)),
        "90° turn swaps dimensions"
    );
}

#[actix_rt::test]
async fn png_and_webp_are_accepted_by_content_not_name() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let id = draft(&app, &steward).await;
    for (name, bytes) in [
        ("a.webp", corpus::png(640, 480)),
        ("b.jpg", corpus::webp(500, 300)),
        ("c.png", corpus::png_with_alpha(300, 300)),
    ] {
        let response = app.upload(&steward, &id, name, bytes).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{name}: {}", response.text().await.unwrap_or_default());
    }
    let listing: Value = get_json(&app, &steward, &format!("/api/v1/listings/{id}")).await;
    let photos = listing["photos"].as_array().expect("photos");
    assert_eq!(photos.len(), 3);
    assert_eq!(photos.iter().map(|p| p["position"].as_u64().expect("pos")).collect::<Vec<_>>(), [0, 1, 2]);
    let alpha = fetch(&app, photos[2]["urls"]["full"].as_str().expect("url")).await;
    assert_eq!(alpha.headers()["content-type"], "image/png", "transparency keeps PNG");
}

#[actix_rt::test]
async fn hostile_and_broken_files_are_rejected_with_the_right_status() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let id = draft(&app, &steward).await;
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("empty.jpg", Vec::new(), StatusCode::UNPROCESSABLE_ENTITY, "photo_empty"),
        ("cut.jpg", corpus::truncated_jpeg(), StatusCode::UNPROCESSABLE_ENTITY, "image_corrupt"),
        ("bomb.png", corpus::png_declaring(100_000, 100_000), StatusCode::PAYLOAD_TOO_LARGE, "image_too_large"),
        ("vector.svg", corpus::svg(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        ("notes.jpg", corpus::text_named_jpg(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        ("huge.jpg", corpus::oversize(20 * 1024 * 1024 + 1), StatusCode::PAYLOAD_TOO_LARGE, "upload_too_large"),
    ];
    for (name, bytes, status, code) in cases {
        let response = app.upload(&steward, &id, name, bytes).await;
        assert_eq!(error_code(response).await, (status, code.to_owned()), "{name}");
    }
    let listing: Value = get_json(&app, &steward, &format!("/api/v1/listings/{id}")).await;
    assert_eq!(listing["photos"], json!([]), "no rejected upload left a row");
    let stored = std::fs::read_dir(&app.photo_dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(stored, 0, "no rejected upload left a blob");

    let no_field = steward
        .post(app.url(&format!("/api/v1/listings/{id}/photos")))
        .multipart(reqwest::multipart::Form::new().text("caption", "hi"))
        .send()
        .await
        .expect("send");
    // The form is exactly one `photo` field: anything else is named as unexpected.
    assert_eq!(error_code(no_field).await, (StatusCode::BAD_REQUEST, "unexpected_field".into()));
}

#[actix_rt::test]
async fn twelve_photos_at_most_and_no_duplicates() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let id = draft(&app, &steward).await;
    for i in 0..12u32 {
        let response = app.upload(&steward, &id, "p.png", corpus::png(40 + i, 30)).await;
        assert_eq!(response.status(), StatusCode::CREATED, "photo {i}");
    }
    let thirteenth = app.upload(&steward, &id, "p.png", corpus::png(99, 30)).await;
    assert_eq!(error_code(thirteenth).await, (StatusCode::CONFLICT, "too_many_photos".into()));

    let other = draft(&app, &steward).await;
    assert_eq!(app.upload(&steward, &other, "p.png", corpus::png(40, 30)).await.status(), StatusCode::CREATED);
    let duplicate = app.upload(&steward, &other, "again.png", corpus::png(40, 30)).await;
    assert_eq!(error_code(duplicate).await, (StatusCode::CONFLICT, "duplicate_photo".into()));
}

#[actix_rt::test]
async fn photos_are_reordered_and_deleted() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let id = draft(&app, &steward).await;
    let mut ids = Vec::new();
    for w in [50, 60, 70] {
        let photo: Value = app.upload(&steward, &id, "p.png", corpus::png(w, 40)).await.json().await.expect("json");
        ids.push(photo["id"].as_str().expect("id").to_owned());
    }
    let order_url = app.url(&format!("/api/v1/listings/{id}/photos/order"));
    let reversed: Vec<&String> = ids.iter().rev().collect();
    let response = steward.put(&order_url).json(&json!({ "photo_ids": reversed })).send().await.expect("reorder");
    assert_eq!(response.status(), StatusCode::OK);
    let listing: Value = get_json(&app, &steward, &format!("/api/v1/listings/{id}")).await;
    let shown: Vec<&str> =
        listing["photos"].as_array().expect("photos").iter().map(|p| p["id"].as_str().expect("id")).collect();
    assert_eq!(shown, reversed.iter().map(|s| s.as_str()).collect::<Vec<_>>());

    for bad in [
        json!({ "photo_ids": [ids[0]] }),
        json!({ "photo_ids": [ids[0], ids[0], ids[1]] }),
        json!({ "photo_ids": [ids[0], ids[1], ids[2], uuid::Uuid::now_v7()] }),
    ] {
        let response = steward.put(&order_url).json(&bad).send().await.expect("reorder");
        assert_eq!(error_code(response).await, (StatusCode::CONFLICT, "photo_order_mismatch".into()));
    }

    let full_url = listing["photos"][0]["urls"]["full"].as_str().expect("url").to_owned();
    let delete =
        steward.delete(app.url(&format!("/api/v1/listings/{id}/photos/{}", ids[2]))).send().await.expect("delete");
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    assert_eq!(fetch(&app, &full_url).await.status(), StatusCode::NOT_FOUND, "unreferenced blobs are removed");
    let missing =
        steward.delete(app.url(&format!("/api/v1/listings/{id}/photos/{}", ids[2]))).send().await.expect("delete");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let member = app.member().await;
    let forbidden =
        member.delete(app.url(&format!("/api/v1/listings/{id}/photos/{}", ids[1]))).send().await.expect("delete");
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let upload = app.upload(&member, &id, "p.png", corpus::png(10, 10)).await;
    assert_eq!(upload.status(), StatusCode::FORBIDDEN);
}

#[actix_rt::test]
async fn served_photos_support_conditional_requests() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let id = draft(&app, &steward).await;
    let photo: Value = app.upload(&steward, &id, "p.jpg", corpus::jpeg(800, 600)).await.json().await.expect("json");
    let url = photo["urls"]["w320"].as_str().expect("w320");
    let first = fetch(&app, url).await;
    let etag = first.headers()["etag"].to_str().expect("etag").to_owned();
    assert!(etag.starts_with('"') && etag.len() == 66, "{etag}");
    let again = app.client().get(app.url(url)).header("if-none-match", &etag).send().await.expect("get");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    for bad in ["/photos/../../etc/passwd", "/photos/abc.jpg", &format!("/photos/{}.jpg", "0".repeat(64))] {
        assert_eq!(fetch(&app, bad).await.status(), StatusCode::NOT_FOUND, "{bad}");
    }
}

#[actix_rt::test]
async fn deleting_a_draft_removes_its_photos() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let id = draft(&app, &steward).await;
    let photo: Value = app.upload(&steward, &id, "p.png", corpus::png(64, 64)).await.json().await.expect("json");
    let url = photo["urls"]["full"].as_str().expect("url").to_owned();
    assert_eq!(fetch(&app, &url).await.status(), StatusCode::OK);
    assert_eq!(
        steward.delete(app.url(&format!("/api/v1/listings/{id}"))).send().await.expect("delete").status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(fetch(&app, &url).await.status(), StatusCode::NOT_FOUND);
}
