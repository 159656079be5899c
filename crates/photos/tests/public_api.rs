//! The pipeline as the API crate drives it, through the public surface only.

use commissary_photos::{CACHE_CONTROL_IMMUTABLE, PhotoError, PhotoLimits, PhotoStore, corpus, is_valid_key, process};

#[tokio::test]
async fn upload_process_store_and_serve() {
    let store = PhotoStore::from_url("memory://").expect("memory store");
    let upload = corpus::jpeg_with_gps_exif(1600, 1200);
    // The API runs the CPU-bound part on a blocking thread.
    let photo = tokio::task::spawn_blocking(move || process(&upload, &PhotoLimits::default()))
        .await
        .expect("no panic")
        .expect("accepted");
    store.put_all(&photo).await.expect("stored");

    assert_eq!((photo.width, photo.height), (1600, 1200));
    let names: Vec<&str> = photo.renditions.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["full", "w320", "w1024"]);
    for rendition in &photo.renditions {
        assert!(is_valid_key(&rendition.key));
        let served = store.get(&rendition.key).await.expect("store works").expect("present");
        assert_eq!(served.bytes, rendition.bytes);
        assert_eq!(served.content_type, "image/jpeg");
        assert!(served.etag.starts_with('"') && served.etag.ends_with('"'));
    }
    assert!(CACHE_CONTROL_IMMUTABLE.contains("immutable"));
    assert!(store.get("../etc/passwd").await.expect("no error").is_none());
}

#[test]
fn every_corpus_refusal_maps_to_an_http_status() {
    let limits = PhotoLimits::default();
    let cases: [(&str, Vec<u8>, &str, u16); 6] = [
        ("0 bytes", Vec::new(), "photo_empty", 422),
        ("over 20 MiB", corpus::oversize(limits.max_upload_bytes + 1), "upload_too_large", 413),
        ("svg", corpus::svg(), "unsupported_media_type", 415),
        ("text named .jpg", corpus::text_named_jpg(), "unsupported_media_type", 415),
        ("100000x100000 png", corpus::png_declaring(100_000, 100_000), "image_too_large", 413),
        ("truncated jpeg", corpus::truncated_jpeg(), "image_corrupt", 422),
    ];
    for (name, bytes, code, status) in cases {
        let err: PhotoError = process(&bytes, &limits).expect_err(name);
        assert_eq!((err.code(), err.status()), (code, status), "{name}: {err}");
    }
}
