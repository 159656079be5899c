//! From decoded pixels to encoded renditions: one master, the scaled-down
//! sizes in one resize cascade, and every encode spread over two threads.
//!
//! Where the time goes for a 12 MP photo (see the README's benchmarks): the
//! decode and the full-size JPEG encode are the critical path, the WebP
//! encodes come next; resizing with SIMD is a few percent. So the master is
//! encoded on its own thread while this one resizes and starts on the other
//! encodes, and both then share what is left, longest first.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use fast_image_resize::images::{Image as ResizeImage, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{DynamicImage, ExtendedColorType, ImageEncoder, RgbImage, RgbaImage};
use jpeg_encoder::{ChromaSubsamplingMethod, ColorType as JpegColor, Encoder as JpegEncoder};
use sha2::{Digest, Sha256};

use crate::PhotoError;

/// JPEG quality of every rendition: visually lossless for photos of gear at
/// roughly a third of the size of quality 95.
const JPEG_QUALITY: u8 = 85;

/// WebP quality of the scaled renditions: about JPEG 85's look at two thirds
/// of its bytes on photographic content.
const WEBP_QUALITY: f32 = 80.0;

/// libwebp's speed/size trade-off (0 fastest … 6 smallest). Measured on the
/// benchmark photo (see the README), method 0 is within 15% of the default
/// method 4's size at a fifth of its time; the WebP encodes would otherwise
/// be the longest part of an upload.
const WEBP_METHOD: i32 = 0;

/// Baseline JPEG cannot describe a side longer than this.
pub(crate) const JPEG_MAX_SIDE: u32 = u16::MAX as u32;

/// WebP cannot describe a side longer than this; such renditions (only from
/// extreme aspect ratios) simply have no WebP alternate.
const WEBP_MAX_SIDE: u32 = 16_383;

/// MIME type of JPEG renditions.
pub const JPEG_CONTENT_TYPE: &str = "image/jpeg";
/// MIME type of PNG renditions (only for images with real transparency).
pub const PNG_CONTENT_TYPE: &str = "image/png";
/// MIME type of the WebP alternates of the scaled renditions.
pub const WEBP_CONTENT_TYPE: &str = "image/webp";

/// Name of the normalised full-size rendition.
pub const FULL_RENDITION: &str = "full";

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
    /// `"image/jpeg"`, `"image/png"` or (for WebP alternates) `"image/webp"`.
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

/// What [`render`] produced.
pub(crate) struct Rendered {
    /// SHA-256 of the full rendition's bytes.
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    /// `"full"` first, then the scaled-down renditions from narrowest to widest.
    pub renditions: Vec<Rendition>,
    /// WebP alternates of the scaled-down renditions, narrowest first.
    pub webp: Vec<Rendition>,
}

/// Pixels normalised to 8 bits per channel; alpha kept only when it is used.
enum Canvas {
    Opaque(RgbImage),
    Transparent(RgbaImage),
}

/// One encoded image and how to name and serve it.
struct Encoded {
    bytes: Vec<u8>,
    content_type: &'static str,
    extension: &'static str,
}

/// The encodings a canvas is turned into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    /// JPEG, or PNG for a canvas with real transparency.
    Primary,
    WebP,
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

    /// A SIMD convolution resize (AVX2/SSE4.1 picked at run time). Alpha is
    /// premultiplied while filtering, so transparent pixels do not bleed
    /// their (invisible) colour into visible neighbours.
    fn resize(&self, width: u32, height: u32) -> Result<Self, PhotoError> {
        // CatmullRom: as sharp as Lanczos3 to the eye for downscaling, with a
        // smaller kernel.
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
        let (raw, pixel_type) = match self {
            Self::Opaque(img) => (img.as_raw(), PixelType::U8x3),
            Self::Transparent(img) => (img.as_raw(), PixelType::U8x4),
        };
        let (src_w, src_h) = self.dimensions();
        let failed = |e: &dyn std::fmt::Display| PhotoError::Corrupt(format!("could not resize the image: {e}"));
        let src = ImageRef::new(src_w, src_h, raw, pixel_type).map_err(|e| failed(&e))?;
        let mut dst = ResizeImage::new(width, height, pixel_type);
        Resizer::new().resize(&src, &mut dst, &options).map_err(|e| failed(&e))?;
        let raw = dst.into_vec();
        let wrong_size = || PhotoError::Corrupt("the resizer returned a buffer of the wrong size".into());
        Ok(match self {
            Self::Opaque(_) => Self::Opaque(RgbImage::from_raw(width, height, raw).ok_or_else(wrong_size)?),
            Self::Transparent(_) => Self::Transparent(RgbaImage::from_raw(width, height, raw).ok_or_else(wrong_size)?),
        })
    }

    /// Encodes the canvas; `None` when the codec cannot describe its size.
    fn encode(&self, codec: Codec) -> Result<Option<Encoded>, PhotoError> {
        let (w, h) = self.dimensions();
        let failed = |e: &dyn std::fmt::Display| PhotoError::Corrupt(format!("could not re-encode the image: {e}"));
        match (codec, self) {
            (Codec::Primary, Self::Opaque(img)) => {
                let (Ok(w16), Ok(h16)) = (u16::try_from(w), u16::try_from(h)) else {
                    return Ok(None);
                };
                // A 12 MP master is about 3 MB at quality 85.
                let mut out = Vec::with_capacity(img.as_raw().len() / 8);
                let mut encoder = JpegEncoder::new(&mut out, JPEG_QUALITY);
                // Averaged chroma, as libjpeg does, rather than point-sampled.
                encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
                encoder.encode(img.as_raw(), w16, h16, JpegColor::Rgb).map_err(|e| failed(&e))?;
                Ok(Some(Encoded { bytes: out, content_type: JPEG_CONTENT_TYPE, extension: "jpg" }))
            }
            (Codec::Primary, Self::Transparent(img)) => {
                let mut out = Vec::new();
                PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive)
                    .write_image(img.as_raw(), w, h, ExtendedColorType::Rgba8)
                    .map_err(|e| failed(&e))?;
                Ok(Some(Encoded { bytes: out, content_type: PNG_CONTENT_TYPE, extension: "png" }))
            }
            (Codec::WebP, _) => {
                if w > WEBP_MAX_SIDE || h > WEBP_MAX_SIDE {
                    return Ok(None);
                }
                let encoder = match self {
                    Self::Opaque(img) => webp::Encoder::from_rgb(img.as_raw(), w, h),
                    Self::Transparent(img) => webp::Encoder::from_rgba(img.as_raw(), w, h),
                };
                let mut config =
                    webp::WebPConfig::new().map_err(|()| failed(&"libwebp rejected its default configuration"))?;
                config.quality = WEBP_QUALITY;
                config.method = WEBP_METHOD;
                // libwebp writes no EXIF/XMP/ICC chunk unless asked to.
                let out = encoder.encode_advanced(&config).map_err(|e| failed(&format!("{e:?}")))?;
                Ok(Some(Encoded { bytes: out.to_vec(), content_type: WEBP_CONTENT_TYPE, extension: "webp" }))
            }
        }
    }

    /// Rough relative cost of an encode, for scheduling the longest first.
    fn cost(&self, codec: Codec) -> u64 {
        let (w, h) = self.dimensions();
        let per_pixel = match codec {
            Codec::Primary => 1,
            Codec::WebP => 4,
        };
        u64::from(w) * u64::from(h) * per_pixel
    }
}

/// Height that keeps the aspect ratio at `width`, never below one pixel.
fn scaled_height(src_w: u32, src_h: u32, width: u32) -> u32 {
    let h = (u64::from(src_h) * u64::from(width) + u64::from(src_w) / 2) / u64::from(src_w);
    u32::try_from(h.max(1)).unwrap_or(u32::MAX)
}

/// One encode waiting for a thread.
struct Job {
    name: String,
    canvas: Arc<Canvas>,
    codec: Codec,
}

impl Job {
    fn run(&self) -> Result<Option<Rendition>, PhotoError> {
        let Some(Encoded { bytes, content_type, extension }) = self.canvas.encode(self.codec)? else {
            return Ok(None);
        };
        let (width, height) = self.canvas.dimensions();
        let key = format!("{}.{extension}", sha256_hex(&bytes));
        Ok(Some(Rendition { name: self.name.clone(), width, height, content_type, key, bytes: Bytes::from(bytes) }))
    }
}

type Finished = Vec<(Codec, Option<Rendition>)>;

/// Takes jobs until the queue is closed and drained.
fn drain(queue: &Mutex<mpsc::Receiver<Job>>) -> Result<Finished, PhotoError> {
    let mut done = Vec::new();
    loop {
        // The lock is held only while waiting for the next job, never while encoding.
        let next = queue.lock().map_err(|_| PhotoError::Corrupt("an encoder thread failed".into()))?.recv();
        let Ok(job) = next else {
            return Ok(done);
        };
        done.push((job.codec, job.run()?));
    }
}

/// Turns the decoded, oriented image into every rendition.
pub(crate) fn render(image: DynamicImage, widths: &[u32]) -> Result<Rendered, PhotoError> {
    let mut master = Canvas::from_image(image);
    let (mut width, mut height) = master.dimensions();
    // A 70000x500 panorama is within the pixel budget but not expressible as
    // JPEG; shrink such a master rather than refuse the photo.
    if matches!(master, Canvas::Opaque(_)) && (width > JPEG_MAX_SIDE || height > JPEG_MAX_SIDE) {
        let scale = f64::from(JPEG_MAX_SIDE) / f64::from(width.max(height));
        let fit = |side: u32| ((f64::from(side) * scale).floor() as u32).clamp(1, JPEG_MAX_SIDE);
        master = master.resize(fit(width), fit(height))?;
        (width, height) = master.dimensions();
    }

    let mut targets: Vec<u32> = widths.iter().copied().filter(|&w| w > 0 && w < width).collect();
    targets.sort_unstable_by(|a, b| b.cmp(a));
    targets.dedup();

    let master = Arc::new(master);
    let (sender, receiver) = mpsc::channel::<Job>();
    let queue = Mutex::new(receiver);
    let full_job = Job { name: FULL_RENDITION.to_owned(), canvas: Arc::clone(&master), codec: Codec::Primary };

    let (mine, theirs) = std::thread::scope(|scope| {
        // The master is the single biggest encode: it gets a thread of its
        // own from the start, which then helps with whatever is left.
        let helper = scope.spawn(|| -> Result<(Option<Rendition>, Finished), PhotoError> {
            let full = full_job.run()?;
            Ok((full, drain(&queue)?))
        });
        let mine = (|| {
            // Each size is scaled from the previous, larger one rather than
            // from the master: a 2048 → 1024 → 320 cascade costs a fraction
            // of three full-size resamples and is indistinguishable at these
            // ratios. All resizes come first so the queue holds every job,
            // longest first, before this thread starts encoding.
            let mut jobs = Vec::with_capacity(targets.len() * 2);
            let mut source = Arc::clone(&master);
            for &target in &targets {
                let (src_w, src_h) = source.dimensions();
                let scaled = Arc::new(source.resize(target, scaled_height(src_w, src_h, target))?);
                for codec in [Codec::WebP, Codec::Primary] {
                    jobs.push(Job { name: format!("w{target}"), canvas: Arc::clone(&scaled), codec });
                }
                source = scaled;
            }
            jobs.sort_by_key(|job| std::cmp::Reverse(job.canvas.cost(job.codec)));
            for job in jobs {
                // Cannot fail: the receiver lives as long as this scope.
                let _ = sender.send(job);
            }
            // Closing the queue lets both threads stop once it is drained
            // (an early return or a panic above closes it just the same).
            drop(sender);
            drain(&queue)
        })();
        (mine, helper.join())
    });
    let (full, theirs) = theirs.map_err(|_| PhotoError::Corrupt("an encoder thread panicked".into()))??;
    let mine = mine?;
    let full = full.ok_or_else(|| PhotoError::Corrupt("the full-size rendition cannot be encoded".into()))?;

    let sha256 = full.key_hash().to_owned();
    let mut renditions = vec![full];
    let mut webp = Vec::new();
    for (codec, rendition) in mine.into_iter().chain(theirs) {
        match (codec, rendition) {
            (Codec::Primary, Some(r)) => renditions.push(r),
            (Codec::WebP, Some(r)) => webp.push(r),
            (_, None) => {}
        }
    }
    // Narrowest first after the master, the order a srcset lists them in;
    // which thread finished first must not change the result.
    renditions[1..].sort_by_key(|r| r.width);
    webp.sort_by_key(|r| r.width);
    Ok(Rendered { sha256, width, height, renditions, webp })
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
}
