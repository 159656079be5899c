//! Validation, decoding and rendition of an uploaded photo.
//!
//! Everything here is pure and synchronous: bytes in, encoded renditions out.

use std::io::Cursor;
use std::time::Instant;

use bytes::Bytes;
use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngDecoder, PngEncoder};
use image::codecs::webp::WebPDecoder;
use image::imageops::{self, FilterType};
use image::metadata::Orientation;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageError, ImageFormat, RgbImage, RgbaImage,
};
use sha2::{Digest, Sha256};

use crate::PhotoError;

/// JPEG quality of every rendition: visually lossless for photos of gear at
/// roughly a third of the size of quality 95.
const JPEG_QUALITY: u8 = 85;

/// Baseline JPEG cannot describe a side longer than this.
const JPEG_MAX_SIDE: u32 = u16::MAX as u32;

/// MIME type of JPEG renditions.
pub const JPEG_CONTENT_TYPE: &str = "image/jpeg";
/// MIME type of PNG renditions (only for images with real transparency).
pub const PNG_CONTENT_TYPE: &str = "image/png";

/// Name of the normalised full-size rendition.
pub const FULL_RENDITION: &str = "full";

/// Size limits and rendition sizes of the pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoLimits {
    /// Largest accepted upload, in bytes (default 20 MiB).
    pub max_upload_bytes: usize,
    /// Largest accepted `width * height`, read from the header before any
    /// pixel buffer exists (default 40 megapixels).
    pub max_pixels: u64,
    /// Widths of the scaled-down renditions (default 320, 1024 and 2048).
    /// Widths not smaller than the photo are skipped: we never upscale.
    pub rendition_widths: Vec<u32>,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        Self { max_upload_bytes: 20 * 1024 * 1024, max_pixels: 40_000_000, rendition_widths: vec![320, 1024, 2048] }
    }
}

/// The container format of an upload, recognised from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// JPEG / JFIF / Exif.
    Jpeg,
    /// PNG.
    Png,
    /// WebP (lossy, lossless or extended).
    WebP,
}

impl SourceFormat {
    /// Recognises a supported format from the first bytes of a file; the file
    /// name and the client's declared content type are deliberately ignored.
    #[must_use]
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match image::guess_format(bytes).ok()? {
            ImageFormat::Jpeg => Some(Self::Jpeg),
            ImageFormat::Png => Some(Self::Png),
            ImageFormat::WebP => Some(Self::WebP),
            _ => None,
        }
    }

    /// The MIME type of the format.
    #[must_use]
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Jpeg => JPEG_CONTENT_TYPE,
            Self::Png => PNG_CONTENT_TYPE,
            Self::WebP => "image/webp",
        }
    }
}

/// One encoded size of a photo, ready to be stored under [`Rendition::key`].
#[derive(Clone, PartialEq, Eq)]
pub struct Rendition {
    /// `"full"` for the normalised master, `"w<width>"` (e.g. `"w320"`) for
    /// the scaled-down ones.
    pub name: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `"image/jpeg"` or `"image/png"`.
    pub content_type: &'static str,
    /// Content-addressed object key: lowercase hex SHA-256 of [`bytes`](Self::bytes)
    /// plus the extension, e.g. `"3a7b…e1.jpg"`.
    pub key: String,
    /// The encoded image, free of any metadata.
    pub bytes: Bytes,
}

impl Rendition {
    /// The SHA-256 part of the key, which is also the rendition's ETag.
    #[must_use]
    pub fn key_hash(&self) -> &str {
        self.key.split('.').next().unwrap_or(&self.key)
    }
}

// Hand-written so that logging a rendition does not dump megabytes of bytes.
impl std::fmt::Debug for Rendition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendition")
            .field("name", &self.name)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("content_type", &self.content_type)
            .field("key", &self.key)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// The result of [`process`]: a validated photo and all its renditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    /// Lowercase hex SHA-256 of the `"full"` rendition's bytes. This is what a
    /// listing's hash commits to; the same input always yields the same value.
    pub sha256: String,
    /// Width after EXIF orientation was applied.
    pub width: u32,
    /// Height after EXIF orientation was applied.
    pub height: u32,
    /// What the upload was.
    pub source_format: SourceFormat,
    /// `"full"` first, then the scaled-down renditions from narrowest to widest.
    pub renditions: Vec<Rendition>,
}

impl ProcessedPhoto {
    /// The normalised full-size rendition (always present in what
    /// [`process`] returns; `None` only for a hand-built value without one).
    #[must_use]
    pub fn full(&self) -> Option<&Rendition> {
        self.rendition(FULL_RENDITION)
    }

    /// The rendition called `name` (`"full"`, `"w320"`, ...), if it exists.
    #[must_use]
    pub fn rendition(&self, name: &str) -> Option<&Rendition> {
        self.renditions.iter().find(|r| r.name == name)
    }
}

/// Validates an upload and produces its metadata-free renditions.
///
/// Checks, in order: empty, byte size, format by content, pixel count from
/// the header (before any pixel buffer is allocated), then decodes under
/// [`image::Limits`], applies the EXIF orientation and re-encodes every
/// rendition from pixels, so no EXIF, GPS, XMP, ICC or text chunk survives.
///
/// CPU-bound and synchronous: the caller runs it on a blocking thread.
///
/// # Errors
///
/// Every [`PhotoError`] variant except [`PhotoError::Storage`].
pub fn process(bytes: &[u8], limits: &PhotoLimits) -> Result<ProcessedPhoto, PhotoError> {
    let started = Instant::now();
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > limits.max_upload_bytes {
        return Err(PhotoError::UploadTooLarge { limit: limits.max_upload_bytes });
    }
    let format = SourceFormat::sniff(bytes).ok_or(PhotoError::UnsupportedFormat)?;

    let mut decoder = open_decoder(format, bytes, limits)?;
    let (width, height) = decoder.dimensions();
    let too_many_pixels = || PhotoError::TooManyPixels { width, height, limit: limits.max_pixels };
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(too_many_pixels());
    }
    if width == 0 || height == 0 {
        return Err(PhotoError::Corrupt("the image has no pixels".into()));
    }
    // zune-jpeg is lenient and pads a cut-off scan with grey; a half-uploaded
    // photo must be refused, not published with a grey bottom half.
    if format == SourceFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(PhotoError::Corrupt("the JPEG is truncated (no end-of-image marker)".into()));
    }

    // Second line of defence: the decoders themselves refuse to go past what
    // the header check allowed, whatever the file claims later on.
    let mut decode_limits = decode_limits(limits);
    decode_limits.max_image_width = Some(width);
    decode_limits.max_image_height = Some(height);
    decode_limits.reserve(decoder.total_bytes()).map_err(|_| too_many_pixels())?;
    decoder.set_limits(decode_limits).map_err(|e| map_decode_error(e, too_many_pixels))?;

    // A broken EXIF block is not worth refusing a photo over: show it as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| map_decode_error(e, too_many_pixels))?;
    image.apply_orientation(orientation);

    let photo = render(image, format, &limits.rendition_widths)?;
    tracing::debug!(
        sha256 = %photo.sha256,
        width = photo.width,
        height = photo.height,
        format = ?format,
        renditions = photo.renditions.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "processed photo"
    );
    Ok(photo)
}

/// Limits without dimensions: the header has not been read yet, and a
/// dimension limit tripping inside a constructor would lose the declared size
/// we want to report.
fn decode_limits(limits: &PhotoLimits) -> image::Limits {
    let mut decode_limits = image::Limits::default();
    // Room for the decoded buffer at 16 bits per RGBA channel, plus headroom
    // for ancillary chunks (ICC profiles, text) that decoders buffer.
    decode_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(64 * 1024 * 1024));
    decode_limits
}

/// Builds the decoder for `format`; constructing one parses only the headers.
fn open_decoder<'a>(
    format: SourceFormat,
    bytes: &'a [u8],
    limits: &PhotoLimits,
) -> Result<Box<dyn ImageDecoder + 'a>, PhotoError> {
    let cursor = Cursor::new(bytes);
    let decoder: Result<Box<dyn ImageDecoder + 'a>, ImageError> = match format {
        SourceFormat::Jpeg => JpegDecoder::new(cursor).map(|d| Box::new(d) as _),
        SourceFormat::Png => PngDecoder::with_limits(cursor, decode_limits(limits)).map(|d| Box::new(d) as _),
        SourceFormat::WebP => WebPDecoder::new(cursor).map(|d| Box::new(d) as _),
    };
    decoder.map_err(|e| match e {
        ImageError::Unsupported(_) => PhotoError::UnsupportedFormat,
        other => PhotoError::Corrupt(other.to_string()),
    })
}

fn map_decode_error(err: ImageError, too_many_pixels: impl Fn() -> PhotoError) -> PhotoError {
    match err {
        ImageError::Limits(_) => too_many_pixels(),
        // e.g. a CMYK or arithmetic-coded JPEG: a valid file we cannot read.
        ImageError::Unsupported(_) => PhotoError::UnsupportedFormat,
        other => PhotoError::Corrupt(other.to_string()),
    }
}

/// Walks the JPEG marker structure and reports whether an end-of-image marker
/// is reached. Segments are skipped by their declared length, so an `FFD9`
/// inside an embedded EXIF thumbnail does not count.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    let mut i = 2;
    loop {
        // Resynchronise on the next marker, skipping fill bytes.
        let Some(ff) = memchr::memchr(0xFF, &bytes[i.min(bytes.len())..]) else {
            return false;
        };
        i += ff;
        while bytes.get(i) == Some(&0xFF) {
            i += 1;
        }
        let Some(&marker) = bytes.get(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,
            // Standalone markers (TEM, RSTn) and stuffed zero bytes carry no length.
            0x00 | 0x01 | 0xD0..=0xD7 => {}
            _ => {
                let Some(len) = bytes.get(i..i + 2) else {
                    return false;
                };
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                if len < 2 {
                    return false;
                }
                i += len;
                if i > bytes.len() {
                    return false;
                }
                if marker == 0xDA {
                    match skip_entropy_coded(bytes, i) {
                        Some(next) => i = next,
                        None => return false,
                    }
                }
            }
        }
    }
}

/// Returns the offset of the first real marker after a scan's entropy-coded
/// data (where `FF00` stuffing and restart markers are part of the data).
fn skip_entropy_coded(bytes: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i += memchr::memchr(0xFF, bytes.get(i..)?)?;
        match bytes.get(i + 1)? {
            0x00 | 0xD0..=0xD7 => i += 2,
            0xFF => i += 1,
            _ => return Some(i),
        }
    }
}

/// Pixels normalised to 8 bits per channel; alpha kept only when it is used.
enum Canvas {
    Opaque(RgbImage),
    Transparent(RgbaImage),
}

impl Canvas {
    fn from_image(image: DynamicImage) -> Self {
        if image.color().has_alpha() {
            let rgba = image.into_rgba8();
            // Many PNGs carry an alpha channel that is 255 everywhere; those
            // are photos and get the (much smaller) JPEG encoding.
            let uses_alpha = rgba.as_raw().iter().skip(3).step_by(4).any(|&a| a != 255);
            if uses_alpha {
                return Self::Transparent(rgba);
            }
            Self::Opaque(DynamicImage::ImageRgba8(rgba).into_rgb8())
        } else {
            Self::Opaque(image.into_rgb8())
        }
    }

    fn dimensions(&self) -> (u32, u32) {
        match self {
            Self::Opaque(img) => img.dimensions(),
            Self::Transparent(img) => img.dimensions(),
        }
    }

    fn resize(&self, width: u32, height: u32) -> Self {
        // CatmullRom: as sharp as Lanczos3 to the eye for downscaling, with a
        // smaller kernel, which matters in unoptimised dev builds.
        match self {
            Self::Opaque(img) => Self::Opaque(imageops::resize(img, width, height, FilterType::CatmullRom)),
            Self::Transparent(img) => Self::Transparent(imageops::resize(img, width, height, FilterType::CatmullRom)),
        }
    }

    fn encode(&self) -> Result<(Vec<u8>, &'static str, &'static str), PhotoError> {
        let mut out = Vec::new();
        let (w, h) = self.dimensions();
        let result = match self {
            Self::Opaque(img) => JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).write_image(
                img.as_raw(),
                w,
                h,
                ExtendedColorType::Rgb8,
            ),
            Self::Transparent(img) => PngEncoder::new_with_quality(
                &mut out,
                CompressionType::Default,
                PngFilter::Adaptive,
            )
            .write_image(img.as_raw(), w, h, ExtendedColorType::Rgba8),
        };
        result.map_err(|e| PhotoError::Corrupt(format!("could not re-encode the image: {e}")))?;
        Ok(match self {
            Self::Opaque(_) => (out, JPEG_CONTENT_TYPE, "jpg"),
            Self::Transparent(_) => (out, PNG_CONTENT_TYPE, "png"),
        })
    }
}

/// Height that keeps the aspect ratio at `width`, never below one pixel.
fn scaled_height(src_w: u32, src_h: u32, width: u32) -> u32 {
    let h = (u64::from(src_h) * u64::from(width) + u64::from(src_w) / 2) / u64::from(src_w);
    u32::try_from(h.max(1)).unwrap_or(u32::MAX)
}

fn render(image: DynamicImage, source_format: SourceFormat, widths: &[u32]) -> Result<ProcessedPhoto, PhotoError> {
    let mut master = Canvas::from_image(image);
    let (mut width, mut height) = master.dimensions();
    // A 70000x500 panorama is within the pixel budget but not expressible as
    // JPEG; shrink such a master rather than refuse the photo.
    if matches!(master, Canvas::Opaque(_)) && (width > JPEG_MAX_SIDE || height > JPEG_MAX_SIDE) {
        let scale = f64::from(JPEG_MAX_SIDE) / f64::from(width.max(height));
        let fit = |side: u32| ((f64::from(side) * scale).floor() as u32).clamp(1, JPEG_MAX_SIDE);
        master = master.resize(fit(width), fit(height));
        (width, height) = master.dimensions();
    }

    let mut targets: Vec<u32> = widths.iter().copied().filter(|&w| w > 0 && w < width).collect();
    targets.sort_unstable_by(|a, b| b.cmp(a));
    targets.dedup();

    let mut renditions = Vec::with_capacity(targets.len() + 1);
    renditions.push(encode_rendition(FULL_RENDITION.to_owned(), &master)?);

    // Each size is scaled from the previous, larger one rather than from the
    // master: a 2048 → 1024 → 320 cascade costs a fraction of three full-size
    // resamples and is indistinguishable at ratios this small.
    let mut source: Option<Canvas> = None;
    for target in targets {
        let from = source.as_ref().unwrap_or(&master);
        let (src_w, src_h) = from.dimensions();
        let scaled = from.resize(target, scaled_height(src_w, src_h, target));
        renditions.push(encode_rendition(format!("w{target}"), &scaled)?);
        source = Some(scaled);
    }
    // Narrowest first after the master, the order a srcset lists them in.
    renditions[1..].reverse();

    Ok(ProcessedPhoto { sha256: renditions[0].key_hash().to_owned(), width, height, source_format, renditions })
}

fn encode_rendition(name: String, canvas: &Canvas) -> Result<Rendition, PhotoError> {
    let (bytes, content_type, extension) = canvas.encode()?;
    let (width, height) = canvas.dimensions();
    let key = format!("{}.{extension}", sha256_hex(&bytes));
    Ok(Rendition { name, width, height, content_type, key, bytes: Bytes::from(bytes) })
}

/// Lowercase hex SHA-256 of `bytes`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_height_rounds_and_never_reaches_zero() {
        assert_eq!(scaled_height(4000, 3000, 320), 240);
        assert_eq!(scaled_height(1000, 333, 320), 107);
        assert_eq!(scaled_height(100_000, 1, 320), 1);
    }

    #[test]
    fn jpeg_walker_skips_segments_and_stuffing() {
        // SOI, APP1 whose payload contains FFD9, SOS with stuffed FF00 and RST0, EOI.
        let complete = [
            0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x04, 0xFF, 0xD9, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0,
            0x56, 0xFF, 0xD9,
        ];
        assert!(jpeg_is_complete(&complete));
        // Cut inside the scan: the FFD9 in APP1 must not be mistaken for EOI.
        assert!(!jpeg_is_complete(&complete[..17]));
        assert!(!jpeg_is_complete(&complete[..8]));
        assert!(!jpeg_is_complete(&[0xFF, 0xD8]));
        assert!(!jpeg_is_complete(b"not a jpeg"));

        // Progressive: two scans with a table segment between them.
        let progressive = [
            0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0xFF, 0xC4, 0x00, 0x03, 0x00, 0xFF, 0xDA, 0x00, 0x02, 0x33,
            0xFF, 0xFF, 0xD9,
        ];
        assert!(jpeg_is_complete(&progressive));
        assert!(!jpeg_is_complete(&progressive[..18]));
    }
}
