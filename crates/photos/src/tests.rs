//! Pipeline and store tests against the generated corpus.

use image::{GenericImageView, ImageDecoder};

use crate::corpus;
use crate::{PhotoError, PhotoLimits, PhotoStore, ProcessedPhoto, SourceFormat, is_valid_key, process, sha256_hex};

fn limits() -> PhotoLimits {
    PhotoLimits::default()
}

fn ok(bytes: &[u8]) -> ProcessedPhoto {
    process(bytes, &limits()).expect("corpus photo is accepted")
}

fn err(bytes: &[u8]) -> PhotoError {
    process(bytes, &limits()).expect_err("corpus file is refused")
}

/// The APPn markers (0xE0..=0xEF) and COM (0xFE) segments before the first scan.
fn jpeg_metadata_markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "starts with SOI");
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        assert_eq!(jpeg[i], 0xFF, "segment starts with a marker");
        let marker = jpeg[i + 1];
        if marker == 0xDA {
            break;
        }
        if (0xE0..=0xEF).contains(&marker) || marker == 0xFE {
            markers.push(marker);
        }
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        i += 2 + len;
    }
    markers
}

/// The chunk types of a PNG, in order.
fn png_chunks(png: &[u8]) -> Vec<String> {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let mut chunks = Vec::new();
    let mut i = 8;
    while i + 8 <= png.len() {
        let len = u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]) as usize;
        chunks.push(String::from_utf8_lossy(&png[i + 4..i + 8]).into_owned());
        i += 12 + len;
    }
    chunks
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn decode(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory(bytes).expect("rendition decodes")
}

// --- refusals ------------------------------------------------------------------

#[test]
fn empty_upload_is_refused_as_empty() {
    let e = err(&[]);
    assert!(matches!(e, PhotoError::Empty), "{e:?}");
    assert_eq!((e.code(), e.status()), ("photo_empty", 422));
}

#[test]
fn oversize_upload_is_refused_before_anything_else() {
    let limit = limits().max_upload_bytes;
    let e = err(&corpus::oversize(limit + 1));
    assert!(matches!(e, PhotoError::UploadTooLarge { limit: l } if l == limit), "{e:?}");
    assert_eq!((e.code(), e.status()), ("upload_too_large", 413));
}

#[test]
fn upload_of_exactly_the_limit_is_accepted() {
    let small = PhotoLimits { max_upload_bytes: 10_000, ..limits() };
    let photo = process(&corpus::oversize(10_000), &small).expect("at the limit");
    assert_eq!((photo.width, photo.height), (64, 64));
    assert!(matches!(process(&corpus::oversize(10_001), &small), Err(PhotoError::UploadTooLarge { limit: 10_000 })));
}

#[test]
fn non_photos_are_unsupported_media_types() {
    for (name, bytes) in [
        ("svg", corpus::svg()),
        ("text renamed .jpg", corpus::text_named_jpg()),
        ("gif", corpus::gif()),
        ("one byte", vec![0xFF]),
    ] {
        let e = err(&bytes);
        assert!(matches!(e, PhotoError::UnsupportedFormat), "{name}: {e:?}");
        assert_eq!((e.code(), e.status()), ("unsupported_media_type", 415));
    }
}

#[test]
fn decompression_bomb_is_refused_from_its_header() {
    let bomb = corpus::png_declaring(100_000, 100_000);
    assert!(bomb.len() < 100, "the bomb itself is tiny");
    let started = std::time::Instant::now();
    let e = err(&bomb);
    assert!(matches!(e, PhotoError::TooManyPixels { width: 100_000, height: 100_000, limit: 40_000_000 }), "{e:?}");
    assert_eq!((e.code(), e.status()), ("image_too_large", 413));
    // Allocating 30 GB would take (much) longer than this, or abort.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn pixel_limit_is_inclusive() {
    let tight = PhotoLimits { max_pixels: 400, ..limits() };
    assert!(process(&corpus::png(20, 20), &tight).is_ok());
    let e = process(&corpus::png(21, 20), &tight).expect_err("one column too many");
    assert!(matches!(e, PhotoError::TooManyPixels { width: 21, height: 20, limit: 400 }), "{e:?}");
}

#[test]
fn pixel_limit_applies_to_every_format() {
    let tight = PhotoLimits { max_pixels: 1000, ..limits() };
    for bytes in [corpus::jpeg(40, 40), corpus::webp(40, 40), corpus::png(40, 40)] {
        let e = process(&bytes, &tight).expect_err("over the limit");
        assert!(matches!(e, PhotoError::TooManyPixels { .. }), "{e:?}");
    }
}

#[test]
fn truncated_jpeg_is_corrupt() {
    let e = err(&corpus::truncated_jpeg());
    assert!(matches!(e, PhotoError::Corrupt(_)), "{e:?}");
    assert_eq!((e.code(), e.status()), ("image_corrupt", 422));
}

#[test]
fn truncated_png_and_webp_are_corrupt() {
    for bytes in [corpus::png(64, 64), corpus::webp(64, 64)] {
        let cut = &bytes[..bytes.len() / 2];
        let e = err(cut);
        assert!(matches!(e, PhotoError::Corrupt(_)), "{e:?}");
    }
    // Header only, or header plus a few bytes.
    let jpeg = corpus::jpeg(32, 32);
    for len in [3, 20, 200] {
        let e = err(&jpeg[..len]);
        assert!(matches!(e, PhotoError::Corrupt(_)), "{len}: {e:?}");
    }
}

#[test]
fn small_png_with_garbage_data_is_corrupt_not_too_large() {
    let e = err(&corpus::png_declaring(100, 100));
    assert!(matches!(e, PhotoError::Corrupt(_)), "{e:?}");
}

#[test]
fn error_codes_and_statuses_are_stable() {
    let storage = PhotoError::Storage(object_store::Error::NotImplemented);
    assert_eq!((storage.code(), storage.status()), ("storage_error", 500));
    assert!(!storage.is_client_error());
    assert!(PhotoError::Empty.is_client_error());
}

// --- metadata ------------------------------------------------------------------

#[test]
fn gps_exif_is_present_in_input_and_absent_from_every_rendition() {
    let input = corpus::jpeg_with_gps_exif(1200, 800);
    assert!(contains(&input, corpus::EXIF_HEADER));
    assert!(contains(&input, corpus::GPS_IFD_POINTER));
    assert!(contains(&input, corpus::GPS_LATITUDE_ENTRY));
    assert!(contains(&input, corpus::EXIF_MAKE));
    assert!(jpeg_metadata_markers(&input).contains(&0xE1), "APP1 in input");
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&input)).expect("decodes");
    assert!(decoder.exif_metadata().expect("reads").is_some());

    let photo = ok(&input);
    assert_eq!(photo.renditions.len(), 3, "full, w320, w1024");
    for r in &photo.renditions {
        assert_eq!(r.content_type, "image/jpeg");
        // Only the encoder's own JFIF APP0 header is left.
        assert_eq!(jpeg_metadata_markers(&r.bytes), vec![0xE0], "{}", r.name);
        assert!(!contains(&r.bytes, corpus::EXIF_HEADER), "{}", r.name);
        assert!(!contains(&r.bytes, corpus::EXIF_MAKE), "{}", r.name);
        let mut decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&r.bytes[..])).expect("decodes");
        assert!(decoder.exif_metadata().expect("reads").is_none());
        assert!(decoder.icc_profile().expect("reads").is_none());
    }
}

#[test]
fn png_text_and_exif_chunks_are_stripped() {
    let input = corpus::png_with_metadata(80, 60);
    let chunks = png_chunks(&input);
    assert!(chunks.contains(&"tEXt".to_owned()) && chunks.contains(&"eXIf".to_owned()));
    assert!(contains(&input, corpus::PNG_COMMENT));

    let photo = ok(&input);
    let full = photo.full().expect("full rendition");
    // Opaque, so it became a JPEG.
    assert_eq!(full.content_type, "image/jpeg");
    assert!(!contains(&full.bytes, corpus::PNG_COMMENT));
    assert_eq!(jpeg_metadata_markers(&full.bytes), vec![0xE0]);
}

#[test]
fn transparent_png_stays_png_with_only_critical_chunks() {
    let photo = ok(&corpus::png_with_alpha(400, 300));
    assert_eq!(photo.source_format, SourceFormat::Png);
    for r in &photo.renditions {
        assert_eq!(r.content_type, "image/png");
        assert!(r.key.ends_with(".png"), "{}", r.key);
        let chunks = png_chunks(&r.bytes);
        assert!(chunks.iter().all(|c| matches!(c.as_str(), "IHDR" | "IDAT" | "IEND")), "{}: {chunks:?}", r.name);
        assert!(decode(&r.bytes).color().has_alpha());
    }
    // The left edge was fully transparent and stays so.
    let full = decode(&photo.full().expect("full").bytes).to_rgba8();
    assert_eq!(full.get_pixel(0, 150)[3], 0);
    assert_eq!(full.get_pixel(399, 150)[3], 255);
}

#[test]
fn unused_alpha_channel_becomes_jpeg() {
    let photo = ok(&corpus::png_with_opaque_alpha(100, 80));
    assert_eq!(photo.full().expect("full").content_type, "image/jpeg");
}

// --- orientation ---------------------------------------------------------------

/// Where the stored top-left red block lands once each EXIF orientation is
/// applied, as (right side?, bottom side?).
const RED_CORNER: [(u16, bool, bool); 8] = [
    (1, false, false),
    (2, true, false),
    (3, true, true),
    (4, false, true),
    (5, false, false),
    (6, true, false),
    (7, true, true),
    (8, false, true),
];

fn is_red(p: &image::Rgb<u8>) -> bool {
    p[0] > 180 && p[1] < 80 && p[2] < 80
}

fn is_green(p: &image::Rgb<u8>) -> bool {
    p[1] > 120 && p[0] < 80
}

#[test]
fn exif_orientation_is_applied_to_pixels_and_dimensions() {
    let (w, h) = (160, 96);
    for (orientation, right, bottom) in RED_CORNER {
        let photo = ok(&corpus::jpeg_rotated(w, h, orientation));
        let swapped = orientation >= 5;
        let (ew, eh) = if swapped { (h, w) } else { (w, h) };
        assert_eq!((photo.width, photo.height), (ew, eh), "orientation {orientation}");
        let full = photo.full().expect("full");
        assert_eq!((full.width, full.height), (ew, eh));
        let img = decode(&full.bytes).to_rgb8();
        assert_eq!(img.dimensions(), (ew, eh));
        let x = |far: bool| if far { ew - 4 } else { 3 };
        let y = |far: bool| if far { eh - 4 } else { 3 };
        assert!(is_red(img.get_pixel(x(right), y(bottom))), "orientation {orientation}: red corner");
        // The three other corners are background.
        for (r, b) in [(!right, bottom), (right, !bottom), (!right, !bottom)] {
            assert!(is_green(img.get_pixel(x(r), y(b))), "orientation {orientation}: corner ({r},{b}) is background");
        }
        // No orientation tag survives to rotate it a second time.
        assert_eq!(jpeg_metadata_markers(&full.bytes), vec![0xE0]);
    }
}

// --- renditions ----------------------------------------------------------------

#[test]
fn renditions_have_configured_widths_and_keep_aspect_ratio() {
    let photo = ok(&corpus::jpeg(2400, 1600));
    let sizes: Vec<(&str, u32, u32)> = photo.renditions.iter().map(|r| (r.name.as_str(), r.width, r.height)).collect();
    assert_eq!(sizes, vec![("full", 2400, 1600), ("w320", 320, 213), ("w1024", 1024, 683), ("w2048", 2048, 1365),]);
    for r in &photo.renditions {
        let img = decode(&r.bytes);
        assert_eq!(img.dimensions(), (r.width, r.height), "{}", r.name);
    }
    assert_eq!(photo.rendition("w1024").map(|r| r.width), Some(1024));
    assert!(photo.rendition("w4096").is_none());
}

#[test]
fn renditions_never_upscale() {
    let photo = ok(&corpus::jpeg(600, 900));
    let names: Vec<&str> = photo.renditions.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec!["full", "w320"]);
    assert_eq!((photo.renditions[1].width, photo.renditions[1].height), (320, 480));

    // A width equal to the photo's is the master itself, not a rendition.
    let photo = ok(&corpus::png(320, 200));
    assert_eq!(photo.renditions.len(), 1);
    assert_eq!((photo.width, photo.height), (320, 200));
}

#[test]
fn custom_widths_are_deduplicated_and_zero_is_ignored() {
    let custom = PhotoLimits { rendition_widths: vec![100, 0, 50, 100, 400], ..limits() };
    let photo = process(&corpus::webp(150, 150), &custom).expect("accepted");
    let names: Vec<&str> = photo.renditions.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec!["full", "w50", "w100"]);
}

#[test]
fn extreme_aspect_ratio_keeps_at_least_one_pixel() {
    let photo = ok(&corpus::png(4000, 2));
    let w320 = photo.rendition("w320").expect("w320");
    assert_eq!((w320.width, w320.height), (320, 1));
}

#[test]
fn every_supported_format_is_recognised_by_content() {
    for (bytes, format) in [
        (corpus::jpeg(64, 48), SourceFormat::Jpeg),
        (corpus::png(64, 48), SourceFormat::Png),
        (corpus::png_16bit(64, 48), SourceFormat::Png),
        (corpus::webp(64, 48), SourceFormat::WebP),
    ] {
        let photo = ok(&bytes);
        assert_eq!(photo.source_format, format);
        assert_eq!((photo.width, photo.height), (64, 48));
        assert_eq!(SourceFormat::sniff(&bytes), Some(format));
    }
}

#[test]
fn demo_photos_go_through_the_pipeline() {
    for seed in 0..3 {
        let photo = ok(&corpus::demo_photo(seed, 1280, 960));
        assert_eq!((photo.width, photo.height), (1280, 960));
        assert_eq!(photo.renditions.len(), 3);
    }
}

// --- WebP alternates ---------------------------------------------------------------

/// The chunk fourccs of a RIFF/WebP file, in order.
fn webp_chunks(webp: &[u8]) -> Vec<String> {
    assert!(webp.starts_with(b"RIFF") && &webp[8..12] == b"WEBP", "a WebP file");
    let mut chunks = Vec::new();
    let mut i = 12;
    while i + 8 <= webp.len() {
        let len = u32::from_le_bytes([webp[i + 4], webp[i + 5], webp[i + 6], webp[i + 7]]) as usize;
        chunks.push(String::from_utf8_lossy(&webp[i..i + 4]).into_owned());
        i += 8 + len.next_multiple_of(2);
    }
    chunks
}

#[test]
fn scaled_renditions_have_metadata_free_webp_alternates() {
    let photo = ok(&corpus::jpeg_with_gps_exif(1200, 800));
    let names: Vec<(&str, u32, u32)> = photo.webp.iter().map(|r| (r.name.as_str(), r.width, r.height)).collect();
    assert_eq!(names, vec![("w320", 320, 213), ("w1024", 1024, 683)], "no WebP of the full master");
    for webp in &photo.webp {
        let jpeg = photo.rendition(&webp.name).expect("a JPEG of the same name");
        assert_eq!((webp.width, webp.height), (jpeg.width, jpeg.height));
        assert_eq!(webp.content_type, "image/webp");
        assert_eq!(webp.key, format!("{}.webp", sha256_hex(&webp.bytes)));
        assert!(is_valid_key(&webp.key));
        // Lossy, and nothing but the image data: no EXIF, XMP or ICCP chunk.
        assert_eq!(webp_chunks(&webp.bytes), vec!["VP8 "], "{}", webp.name);
        assert!(!contains(&webp.bytes, corpus::EXIF_MAKE));
        let decoded = decode(&webp.bytes);
        assert_eq!(decoded.dimensions(), (webp.width, webp.height));
        // Same picture as the JPEG, up to compression error.
        let (a, b) = (decoded.to_rgb8(), decode(&jpeg.bytes).to_rgb8());
        let diff: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
        assert!(
            diff / (a.as_raw().len() as u64) < 8,
            "{}: mean difference {}",
            webp.name,
            diff / a.as_raw().len() as u64
        );
        assert_eq!(photo.webp(&webp.name), Some(webp));
    }
    assert_eq!(photo.objects().count(), photo.renditions.len() + photo.webp.len());
}

#[test]
fn webp_alternates_are_oriented_like_the_jpegs() {
    // Stored 1600x960 with orientation 6: displayed 960x1600, red at the top right.
    let photo = ok(&corpus::jpeg_rotated(1600, 960, 6));
    assert_eq!((photo.width, photo.height), (960, 1600));
    for webp in &photo.webp {
        let img = decode(&webp.bytes).to_rgb8();
        let (w, h) = img.dimensions();
        assert_eq!((w, h), (webp.width, webp.height));
        assert!(h > w, "{}: portrait", webp.name);
        assert!(is_red(img.get_pixel(w - 3, 2)), "{}: red corner at the top right", webp.name);
        assert!(is_green(img.get_pixel(2, 2)) && is_green(img.get_pixel(w - 3, h - 3)), "{}", webp.name);
    }
    assert_eq!(photo.webp.len(), 1, "w320 only: 1024 is wider than the photo");
}

#[test]
fn transparent_png_gets_webp_alternates_with_alpha() {
    let photo = ok(&corpus::png_with_alpha(800, 600));
    let w320 = photo.webp("w320").expect("w320 WebP");
    let img = decode(&w320.bytes);
    assert!(img.color().has_alpha());
    let rgba = img.to_rgba8();
    assert_eq!(rgba.get_pixel(0, 120)[3], 0, "the transparent edge stays transparent");
    assert_eq!(rgba.get_pixel(319, 120)[3], 255);
}

#[test]
fn webp_is_skipped_where_it_cannot_describe_the_size() {
    // 100x16666 fits JPEG but not WebP (16383 px per side at most).
    let narrow = PhotoLimits { rendition_widths: vec![100, 110], ..limits() };
    let photo = process(&corpus::png(120, 20_000), &narrow).expect("accepted");
    let w100 = photo.rendition("w100").expect("w100 JPEG");
    assert_eq!((w100.width, w100.height), (100, 16_666));
    assert!(photo.webp("w100").is_none());
    let w110 = photo.rendition("w110").expect("w110 JPEG");
    assert_eq!(w110.height, 18_333);
    assert!(photo.webp.is_empty());
}

// --- other JPEG flavours ---------------------------------------------------------------

#[test]
fn greyscale_progressive_and_cmyk_jpegs_are_rendered() {
    let grey = ok(&corpus::jpeg_greyscale(640, 480));
    let progressive = ok(&corpus::jpeg_progressive(640, 480));
    let cmyk = ok(&corpus::jpeg_cmyk(640, 480));
    for photo in [&grey, &progressive, &cmyk] {
        assert_eq!((photo.width, photo.height), (640, 480));
        let names: Vec<&str> = photo.renditions.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["full", "w320"]);
        assert_eq!(photo.webp.len(), 1);
        for r in photo.objects() {
            assert_eq!(decode(&r.bytes).dimensions(), (r.width, r.height), "{}", r.name);
        }
        // The Adobe marker of the CMYK file is metadata too.
        assert_eq!(jpeg_metadata_markers(&photo.renditions[0].bytes), vec![0xE0]);
    }
    // Grey stays grey; the progressive gradient matches its baseline twin; CMYK red is red.
    let full = decode(&grey.renditions[0].bytes).to_rgb8();
    let p = full.get_pixel(400, 300);
    assert!(p[0].abs_diff(p[1]) <= 2 && p[1].abs_diff(p[2]) <= 2, "{p:?}");
    let baseline = decode(&ok(&corpus::jpeg(640, 480)).renditions[0].bytes).to_rgb8();
    let twin = decode(&progressive.renditions[0].bytes).to_rgb8();
    let diff: u64 = baseline.as_raw().iter().zip(twin.as_raw()).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    assert!(diff / (baseline.as_raw().len() as u64) < 6, "progressive decodes to the same picture");
    for r in cmyk.objects() {
        let img = decode(&r.bytes).to_rgb8();
        assert!(
            is_red(img.get_pixel(r.width / 2, r.height / 2)),
            "{}: {:?}",
            r.name,
            img.get_pixel(r.width / 2, r.height / 2)
        );
    }
}

// --- hashing -------------------------------------------------------------------

#[test]
fn sha256_is_deterministic_and_commits_to_the_full_rendition() {
    let input = corpus::jpeg_with_gps_exif(700, 500);
    let a = ok(&input);
    let b = ok(&input);
    assert_eq!(a, b, "same input, same output, byte for byte");

    let full = a.full().expect("full");
    assert_eq!(a.sha256, sha256_hex(&full.bytes));
    assert_eq!(a.sha256.len(), 64);
    assert!(a.sha256.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
    assert_eq!(full.key, format!("{}.jpg", a.sha256));
}

#[test]
fn keys_are_content_addressed() {
    let photo = ok(&corpus::jpeg(1100, 700));
    for r in &photo.renditions {
        assert_eq!(r.key, format!("{}.jpg", sha256_hex(&r.bytes)));
        assert_eq!(r.key_hash(), sha256_hex(&r.bytes));
        assert!(is_valid_key(&r.key));
    }
    let other = ok(&corpus::jpeg(1100, 701));
    assert_ne!(other.sha256, photo.sha256);
}

#[test]
fn metadata_does_not_change_the_hash() {
    // The same pixels with and without EXIF normalise to the same master.
    let plain = ok(&corpus::jpeg(300, 200));
    let tagged = ok(&corpus::jpeg_with_gps_exif(300, 200));
    assert_eq!(plain.sha256, tagged.sha256);
}

// --- storage -------------------------------------------------------------------

const BAD_KEYS: [&str; 8] = [
    "../etc/passwd",
    "",
    "..",
    "/etc/passwd",
    "abc.jpg",
    "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789.jpg",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.gif",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.jpg/..",
];

async fn round_trip(store: &PhotoStore) {
    store.ping().await.expect("reachable");
    let photo = ok(&corpus::jpeg_with_gps_exif(1100, 700));
    let alpha = ok(&corpus::png_with_alpha(64, 64));
    for r in &photo.renditions {
        assert!(store.get(&r.key).await.expect("get").is_none(), "not yet stored");
    }
    store.put_all(&photo).await.expect("stored");
    store.put_all(&photo).await.expect("stored again: idempotent");
    store.put_all(&alpha).await.expect("stored");
    for r in photo.renditions.iter().chain(&alpha.renditions) {
        let got = store.get(&r.key).await.expect("get").expect("present");
        assert_eq!(got.bytes, r.bytes);
        assert_eq!(got.content_type, r.content_type);
        assert_eq!(got.etag, format!("\"{}\"", r.key_hash()));
        assert!(store.exists(&r.key).await.expect("head"));
    }
    for key in BAD_KEYS {
        assert!(store.get(key).await.expect("no error").is_none(), "{key:?}");
        assert!(!store.exists(key).await.expect("no error"), "{key:?}");
        store.delete(key).await.expect("no-op");
    }
    let gone = &photo.renditions[1].key;
    store.delete(gone).await.expect("deleted");
    store.delete(gone).await.expect("deleting again is fine");
    assert!(store.get(gone).await.expect("get").is_none());
    assert!(store.get(&photo.renditions[0].key).await.expect("get").is_some(), "other renditions stay");
}

#[tokio::test]
async fn local_directory_store_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("nested/photos");
    let store = PhotoStore::from_url(root.to_str().expect("utf-8 path")).expect("created");
    assert!(root.is_dir(), "directory is created");
    round_trip(&store).await;

    // Objects are plain files named by their key, and rewriting is harmless.
    let photo = ok(&corpus::jpeg(400, 300));
    store.put_all(&photo).await.expect("stored");
    let files = || std::fs::read_dir(&root).expect("lists").count();
    let before = files();
    store.put_all(&photo).await.expect("stored again");
    assert_eq!(files(), before);
    let full = photo.full().expect("full");
    assert_eq!(std::fs::read(root.join(&full.key)).expect("file exists"), full.bytes);
    // Nothing escaped the directory.
    assert!(!dir.path().join("etc").exists());
}

#[tokio::test]
async fn file_url_store_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = url::Url::from_directory_path(dir.path()).expect("absolute path");
    let store = PhotoStore::from_url(url.as_str()).expect("created");
    round_trip(&store).await;
}

#[tokio::test]
async fn memory_store_round_trips() {
    let store = PhotoStore::from_url("memory://").expect("memory");
    round_trip(&store).await;
}

#[tokio::test]
async fn ping_fails_when_the_directory_vanishes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("photos");
    let store = PhotoStore::from_url(root.to_str().expect("utf-8 path")).expect("created");
    store.ping().await.expect("healthy");
    std::fs::remove_dir_all(&root).expect("removed");
    let e = store.ping().await.expect_err("unhealthy");
    assert_eq!(e.code(), "storage_error");
}

#[test]
fn s3_urls_are_configured_without_network() {
    let store = PhotoStore::from_url(
        "s3://commissary-photos/listings?region=eu-west-1&endpoint=http://127.0.0.1:9&allow_http=true",
    )
    .expect("configured");
    assert!(format!("{store:?}").contains("listings"));

    for bad in
        ["", "s3://bucket/photos?regoin=eu-west-1", "gs://bucket/photos", "ftp://example.com/photos", "not a url://"]
    {
        let e = PhotoStore::from_url(bad).expect_err(bad);
        assert_eq!(e.code(), "storage_error", "{bad}");
    }
}
