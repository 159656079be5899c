//! Validation, decoding and rendition of an uploaded photo.
//!
//! Everything here is pure and synchronous: bytes in, encoded renditions out.

use std::io::Cursor;
use std::time::Instant;

use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat};

use crate::PhotoError;
use crate::render::{
    FULL_RENDITION, JPEG_CONTENT_TYPE, PNG_CONTENT_TYPE, Rendered, Rendition, WEBP_CONTENT_TYPE, render,
};

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
            Self::WebP => WEBP_CONTENT_TYPE,
        }
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
    /// Lossy WebP alternates of the scaled-down renditions, with the same
    /// names and sizes, narrowest first (none for the full master, which is
    /// the download/zoom original, and none for a side WebP cannot describe).
    pub webp: Vec<Rendition>,
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

    /// The WebP alternate of the rendition called `name`, if there is one.
    #[must_use]
    pub fn webp(&self, name: &str) -> Option<&Rendition> {
        self.webp.iter().find(|r| r.name == name)
    }

    /// Every encoded object of the photo: the renditions, then the WebP alternates.
    pub fn objects(&self) -> impl Iterator<Item = &Rendition> {
        self.renditions.iter().chain(&self.webp)
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

    let Rendered { sha256, width, height, renditions, webp } = render(image, &limits.rendition_widths)?;
    let photo = ProcessedPhoto { sha256, width, height, source_format: format, renditions, webp };
    tracing::debug!(
        sha256 = %photo.sha256,
        width = photo.width,
        height = photo.height,
        format = ?format,
        renditions = photo.renditions.len(),
        webp = photo.webp.len(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
