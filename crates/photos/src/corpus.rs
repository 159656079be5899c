//! A photo corpus generated in code, for tests and demo data.
//!
//! Nothing here is downloaded or checked in as a binary: every file is built
//! from pixels (through the `image` encoders) or, for the malformed and
//! metadata-carrying cases, byte by byte, so each case says exactly what it
//! contains. Enabled by the `test-corpus` feature (and always in this crate's
//! own tests).

use std::f32::consts::PI;
use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

/// The camera make written into [`jpeg_with_gps_exif`]'s EXIF block; absent
/// from any processed rendition.
pub const EXIF_MAKE: &[u8] = b"CommissaryCam";

/// The big-endian IFD entry header of the `GPSInfo` pointer (tag 0x8825,
/// type LONG, count 1) that [`jpeg_with_gps_exif`] writes.
pub const GPS_IFD_POINTER: &[u8] = &[0x88, 0x25, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01];

/// The big-endian IFD entry header of `GPSLatitude` (tag 0x0002, type
/// RATIONAL, count 3) that [`jpeg_with_gps_exif`] writes.
pub const GPS_LATITUDE_ENTRY: &[u8] = &[0x00, 0x02, 0x00, 0x05, 0x00, 0x00, 0x00, 0x03];

/// A free-text comment written into [`png_with_metadata`]'s `tEXt` chunk.
pub const PNG_COMMENT: &[u8] = b"taken at 51.5074N 0.1278W";

/// The JPEG signature that introduces an EXIF APP1 payload.
pub const EXIF_HEADER: &[u8] = b"Exif\0\0";

/// The colour painted in the stored top-left corner of [`jpeg_rotated`].
pub const MARKER_RED: [u8; 3] = [230, 20, 20];
/// The colour of the rest of [`jpeg_rotated`].
pub const BACKGROUND_GREEN: [u8; 3] = [20, 170, 60];

// --- encoders --------------------------------------------------------------

fn encode_jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(img.as_raw(), img.width(), img.height(), ExtendedColorType::Rgb8)
        .expect("corpus: encoding a JPEG into memory cannot fail");
    out
}

fn encode_png(raw: &[u8], width: u32, height: u32, color: ExtendedColorType) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(raw, width, height, color)
        .expect("corpus: encoding a PNG into memory cannot fail");
    out
}

/// A smooth, slightly textured gradient (textured so JPEG scans are long
/// enough to truncate meaningfully).
fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let fx = x * 255 / width.max(1);
        let fy = y * 255 / height.max(1);
        let noise = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 23;
        Rgb([fx as u8, fy as u8, ((fx + fy) / 2 + noise) as u8])
    })
}

// --- EXIF / TIFF by hand ----------------------------------------------------

const ASCII: u16 = 2;
const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;
const BYTE: u16 = 1;

struct IfdEntry {
    tag: u16,
    kind: u16,
    count: u32,
    /// Big-endian value bytes; stored inline when at most four bytes.
    value: Vec<u8>,
}

impl IfdEntry {
    fn new(tag: u16, kind: u16, count: u32, value: Vec<u8>) -> Self {
        Self { tag, kind, count, value }
    }

    fn ascii(tag: u16, text: &[u8]) -> Self {
        let mut value = text.to_vec();
        value.push(0);
        Self::new(tag, ASCII, value.len() as u32, value)
    }

    fn rationals(tag: u16, values: &[(u32, u32)]) -> Self {
        let value = values.iter().flat_map(|(n, d)| n.to_be_bytes().into_iter().chain(d.to_be_bytes())).collect();
        Self::new(tag, RATIONAL, values.len() as u32, value)
    }

    fn out_of_line_len(&self) -> usize {
        if self.value.len() > 4 { self.value.len().next_multiple_of(2) } else { 0 }
    }
}

fn ifd_len(entries: &[IfdEntry]) -> usize {
    2 + 12 * entries.len() + 4 + entries.iter().map(IfdEntry::out_of_line_len).sum::<usize>()
}

/// Appends an IFD (entries, next-IFD offset 0, then out-of-line values) to a
/// TIFF buffer whose byte 0 is the TIFF header, as offsets require.
fn write_ifd(tiff: &mut Vec<u8>, entries: &[IfdEntry]) {
    let start = tiff.len();
    let mut data_offset = start + 2 + 12 * entries.len() + 4;
    let mut data = Vec::new();
    tiff.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    for entry in entries {
        tiff.extend_from_slice(&entry.tag.to_be_bytes());
        tiff.extend_from_slice(&entry.kind.to_be_bytes());
        tiff.extend_from_slice(&entry.count.to_be_bytes());
        if entry.value.len() <= 4 {
            let mut inline = entry.value.clone();
            inline.resize(4, 0);
            tiff.extend_from_slice(&inline);
        } else {
            tiff.extend_from_slice(&(data_offset as u32).to_be_bytes());
            data.extend_from_slice(&entry.value);
            if entry.value.len() % 2 == 1 {
                data.push(0);
            }
            data_offset += entry.out_of_line_len();
        }
    }
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(&data);
}

/// A big-endian TIFF structure as carried by EXIF: IFD0 with a camera make,
/// an optional orientation and optionally a GPS IFD with a position.
fn exif_tiff(orientation: Option<u16>, gps: bool) -> Vec<u8> {
    let mut ifd0 = vec![IfdEntry::ascii(0x010F, EXIF_MAKE)];
    if let Some(orientation) = orientation {
        ifd0.push(IfdEntry::new(0x0112, SHORT, 1, orientation.to_be_bytes().to_vec()));
    }
    let gps_entries = [
        IfdEntry::new(0x0000, BYTE, 4, vec![2, 3, 0, 0]),
        IfdEntry::ascii(0x0001, b"N"),
        IfdEntry::rationals(0x0002, &[(51, 1), (30, 1), (2664, 100)]),
        IfdEntry::ascii(0x0003, b"W"),
        IfdEntry::rationals(0x0004, &[(0, 1), (7, 1), (4008, 100)]),
    ];
    if gps {
        // The GPS IFD starts right after the header and IFD0, and IFD0's size
        // includes this pointer entry (12 bytes, its LONG value inline).
        let gps_offset = (8 + ifd_len(&ifd0) + 12) as u32;
        ifd0.push(IfdEntry::new(0x8825, LONG, 1, gps_offset.to_be_bytes().to_vec()));
    }
    let mut tiff = b"MM\0\x2A\0\0\0\x08".to_vec();
    write_ifd(&mut tiff, &ifd0);
    if gps {
        write_ifd(&mut tiff, &gps_entries);
    }
    tiff
}

/// Inserts an APP1 `Exif` segment right after a JPEG's SOI marker.
fn with_exif(jpeg: Vec<u8>, tiff: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(jpeg.len() + tiff.len() + 10);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    let len = u16::try_from(2 + EXIF_HEADER.len() + tiff.len()).expect("corpus: EXIF block fits one segment");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(EXIF_HEADER);
    out.extend_from_slice(tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

// --- PNG chunks by hand -------------------------------------------------------

/// CRC-32 (ISO-HDLC, as PNG uses), bitwise: the corpus is tiny.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = Vec::with_capacity(data.len() + 12);
    chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    chunk.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    chunk
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

// --- the corpus ---------------------------------------------------------------

/// A plain baseline JPEG of a textured gradient, no metadata.
#[must_use]
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode_jpeg(&gradient(width, height), 90)
}

/// A greyscale (single-component) JPEG gradient.
#[must_use]
pub fn jpeg_greyscale(width: u32, height: u32) -> Vec<u8> {
    let img = image::GrayImage::from_fn(width, height, |x, y| image::Luma([((x + y) * 255 / (width + height)) as u8]));
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), width, height, ExtendedColorType::L8)
        .expect("corpus: encoding a JPEG into memory cannot fail");
    out
}

/// A progressive JPEG of the textured gradient (several scans, as phones and
/// web tools write them).
#[must_use]
pub fn jpeg_progressive(width: u32, height: u32) -> Vec<u8> {
    let img = gradient(width, height);
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_progressive(true);
    encoder
        .encode(img.as_raw(), side(width), side(height), jpeg_encoder::ColorType::Rgb)
        .expect("corpus: encoding a JPEG into memory cannot fail");
    out
}

/// A four-component CMYK JPEG (with its Adobe marker, as print workflows
/// write them) that shows [`MARKER_RED`]-like red everywhere: C=0, M=Y=100%, K=0.
#[must_use]
pub fn jpeg_cmyk(width: u32, height: u32) -> Vec<u8> {
    let raw: Vec<u8> = std::iter::repeat_n([0u8, 235, 235, 0], (width * height) as usize).flatten().collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 95)
        .encode(&raw, side(width), side(height), jpeg_encoder::ColorType::Cmyk)
        .expect("corpus: encoding a JPEG into memory cannot fail");
    out
}

fn side(pixels: u32) -> u16 {
    u16::try_from(pixels).expect("corpus: JPEG sides fit 16 bits")
}

/// A real JPEG with an APP1 EXIF segment holding a camera make
/// ([`EXIF_MAKE`]) and a GPS IFD with latitude and longitude
/// (central London), as a phone would write it.
#[must_use]
pub fn jpeg_with_gps_exif(width: u32, height: u32) -> Vec<u8> {
    with_exif(jpeg(width, height), &exif_tiff(None, true))
}

/// A JPEG whose stored pixels are `width`x`height`, [`BACKGROUND_GREEN`]
/// with the top-left quarter-by-quarter block [`MARKER_RED`], and whose EXIF
/// Orientation tag is `orientation` (1–8; 6 means "rotate 90° clockwise to
/// display", so the displayed image is `height`x`width` with the red block at
/// the top right).
#[must_use]
pub fn jpeg_rotated(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        if x < width / 4 && y < height / 4 { Rgb(MARKER_RED) } else { Rgb(BACKGROUND_GREEN) }
    });
    with_exif(encode_jpeg(&img, 95), &exif_tiff(Some(orientation), false))
}

/// An opaque RGB PNG gradient.
#[must_use]
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = gradient(width, height);
    encode_png(img.as_raw(), width, height, ExtendedColorType::Rgb8)
}

/// A 16-bit-per-channel RGB PNG (normalised to 8 bits by the pipeline).
#[must_use]
pub fn png_16bit(width: u32, height: u32) -> Vec<u8> {
    // The encoder takes native-endian 16-bit samples.
    let raw: Vec<u8> =
        gradient(width, height).as_raw().iter().flat_map(|&v| (u16::from(v) * 257).to_ne_bytes()).collect();
    encode_png(&raw, width, height, ExtendedColorType::Rgb16)
}

/// An RGBA PNG whose left half fades to fully transparent: real alpha, so the
/// pipeline keeps it as PNG.
#[must_use]
pub fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(width, height, |x, y| {
        let alpha = if x < width / 2 { (x * 255 / (width / 2).max(1)) as u8 } else { 255 };
        Rgba([200, (y * 255 / height.max(1)) as u8, 40, alpha])
    });
    encode_png(img.as_raw(), width, height, ExtendedColorType::Rgba8)
}

/// An RGBA PNG whose alpha is 255 everywhere: "transparent" in name only, so
/// the pipeline should produce JPEG.
#[must_use]
pub fn png_with_opaque_alpha(width: u32, height: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(width, height, |x, y| Rgba([(x % 256) as u8, (y % 256) as u8, 128, 255]));
    encode_png(img.as_raw(), width, height, ExtendedColorType::Rgba8)
}

/// An opaque PNG carrying a `tEXt` comment ([`PNG_COMMENT`]) and an `eXIf`
/// chunk with the same GPS block as [`jpeg_with_gps_exif`].
#[must_use]
pub fn png_with_metadata(width: u32, height: u32) -> Vec<u8> {
    let plain = png(width, height);
    // Signature (8) + IHDR chunk (25): insert the metadata right after IHDR.
    let (head, rest) = plain.split_at(8 + 25);
    let mut text = b"Comment\0".to_vec();
    text.extend_from_slice(PNG_COMMENT);
    let mut out = head.to_vec();
    out.extend(png_chunk(b"tEXt", &text));
    out.extend(png_chunk(b"eXIf", &exif_tiff(None, true)));
    out.extend_from_slice(rest);
    out
}

/// A lossless WebP gradient.
#[must_use]
pub fn webp(width: u32, height: u32) -> Vec<u8> {
    let img = gradient(width, height);
    let mut out = Vec::new();
    WebPEncoder::new_lossless(Cursor::new(&mut out))
        .write_image(img.as_raw(), width, height, ExtendedColorType::Rgb8)
        .expect("corpus: encoding a WebP into memory cannot fail");
    out
}

/// The first 60% of a valid 256x192 JPEG: headers intact, scan cut off.
#[must_use]
pub fn truncated_jpeg() -> Vec<u8> {
    let mut full = demo_photo(7, 256, 192);
    full.truncate(full.len() * 3 / 5);
    full
}

/// A syntactically valid PNG (signature, IHDR with a correct CRC, a short
/// garbage IDAT, IEND) declaring `width`x`height` 8-bit RGB: the shape of a
/// decompression bomb, refused from its header alone.
#[must_use]
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filters, no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = PNG_SIGNATURE.to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    out.extend(png_chunk(b"IDAT", b"\x78\x9c not really deflate"));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// An SVG document (a format we refuse: scriptable, and not a photo).
#[must_use]
pub fn svg() -> Vec<u8> {
    br#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">
  <script>alert(document.cookie)</script>
  <circle cx="50" cy="50" r="40" fill="tomato"/>
</svg>
"#
    .to_vec()
}

/// A 1x1 GIF (a real image format, but not one we take).
#[must_use]
pub fn gif() -> Vec<u8> {
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
        .to_vec()
}

/// The bytes of a text file someone renamed to `.jpg`.
#[must_use]
pub fn text_named_jpg() -> Vec<u8> {
    b"Fender Twin Reverb, 1972, works great, see photos!\n".to_vec()
}

/// A valid JPEG padded with zeros to exactly `bytes` bytes (at least the size
/// of the JPEG), so only the size check can refuse it.
#[must_use]
pub fn oversize(bytes: usize) -> Vec<u8> {
    let mut out = jpeg(64, 64);
    out.resize(bytes.max(out.len()), 0);
    out
}

// --- demo pictures --------------------------------------------------------------

/// SplitMix64: a tiny deterministic generator so a seed always draws the same
/// picture.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        let unit = (self.next() >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * unit
    }
}

type Colour = [f32; 3];

fn hsl(h: f32, s: f32, l: f32) -> Colour {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h.rem_euclid(360.0)) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [r + m, g + m, b + m]
}

fn mix(a: Colour, b: Colour, t: f32) -> Colour {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

fn circle(p: (f32, f32), c: (f32, f32), r: f32) -> f32 {
    ((p.0 - c.0).powi(2) + (p.1 - c.1).powi(2)).sqrt() - r
}

/// Signed distance to an axis-aligned box with rounded corners.
fn rounded_box(p: (f32, f32), c: (f32, f32), half: (f32, f32), radius: f32) -> f32 {
    let qx = (p.0 - c.0).abs() - half.0 + radius;
    let qy = (p.1 - c.1).abs() - half.1 + radius;
    let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
    outside + qx.max(qy).min(0.0) - radius
}

fn rotate(p: (f32, f32), angle: f32) -> (f32, f32) {
    let (s, c) = angle.sin_cos();
    (p.0 * c + p.1 * s, -p.0 * s + p.1 * c)
}

/// What a demo photo shows, so each demo listing's pictures match its item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoSubject {
    Guitar,
    Amp,
    Record,
    Microphone,
    Pedal,
    AudioInterface,
}

enum Motif {
    Guitar { angle: f32 },
    Amp,
    Record { angle: f32 },
    Microphone { angle: f32 },
    Pedal,
    AudioInterface,
}

struct Scene {
    sky_top: Colour,
    sky_bottom: Colour,
    glows: Vec<((f32, f32), f32, Colour)>,
    accent: Colour,
    body: Colour,
    motif: Motif,
}

impl Scene {
    fn new(seed: u32, subject: DemoSubject) -> Self {
        let mut rng = SplitMix(u64::from(seed).wrapping_mul(0xA24B_AED4_963E_E407) ^ 0x5EED);
        let hue = rng.range(0.0, 360.0);
        let glows = (0..3)
            .map(|_| {
                (
                    (rng.range(-0.8, 0.8), rng.range(-0.5, 0.2)),
                    rng.range(0.25, 0.6),
                    hsl(hue + rng.range(90.0, 270.0), 0.7, 0.6),
                )
            })
            .collect();
        let motif = match subject {
            DemoSubject::Guitar => Motif::Guitar { angle: rng.range(-0.7, -0.3) },
            DemoSubject::Amp => Motif::Amp,
            DemoSubject::Record => Motif::Record { angle: rng.range(0.0, 2.0 * PI) },
            DemoSubject::Microphone => Motif::Microphone { angle: rng.range(-0.6, -0.2) },
            DemoSubject::Pedal => Motif::Pedal,
            DemoSubject::AudioInterface => Motif::AudioInterface,
        };
        Self {
            sky_top: hsl(hue, 0.45, 0.18),
            sky_bottom: hsl(hue + 40.0, 0.55, 0.45),
            glows,
            accent: hsl(hue + 180.0, 0.75, 0.55),
            body: hsl(hue + rng.range(20.0, 60.0), 0.65, 0.42),
            motif,
        }
    }

    /// Colour at normalised point `p` (short side spans -0.5..0.5); `px` is
    /// one pixel in those units, for anti-aliased edges.
    fn shade(&self, p: (f32, f32), v: f32, px: f32) -> Colour {
        let mut colour = mix(self.sky_top, self.sky_bottom, v);
        for &(centre, radius, glow) in &self.glows {
            let d = ((p.0 - centre.0).powi(2) + (p.1 - centre.1).powi(2)).sqrt();
            let t = (1.0 - d / radius).clamp(0.0, 1.0);
            colour = mix(colour, glow, 0.35 * t * t);
        }
        let cover = |d: f32| (0.5 - d / px).clamp(0.0, 1.0);
        match self.motif {
            Motif::Guitar { angle } => {
                // Shrunk and shifted so the headstock stays in frame at 4:3.
                const K: f32 = 1.1;
                let r = rotate(p, angle);
                let q = (r.0 * K, r.1 * K - 0.08);
                let cover = |d: f32| (0.5 - d / (px * K)).clamp(0.0, 1.0);
                let shadow = circle(q, (0.02, 0.2), 0.2).min(circle(q, (0.02, -0.02), 0.15));
                colour = mix(colour, [0.0; 3], 0.35 * cover(shadow - 0.01));
                let body = circle(q, (0.0, 0.18), 0.2).min(circle(q, (0.0, -0.04), 0.15));
                let burst = (circle(q, (0.0, 0.1), 0.0) / 0.25).clamp(0.0, 1.0);
                let body_colour = mix(self.accent, self.body, burst);
                colour = mix(colour, body_colour, cover(body));
                colour = mix(colour, [0.06; 3], cover(circle(q, (0.0, 0.02), 0.055)));
                let neck = rounded_box(q, (0.0, -0.3), (0.028, 0.22), 0.005);
                colour = mix(colour, [0.36, 0.22, 0.12], cover(neck));
                let head = rounded_box(q, (0.0, -0.56), (0.045, 0.06), 0.015);
                colour = mix(colour, [0.1, 0.07, 0.05], cover(head));
                let bridge = rounded_box(q, (0.0, 0.22), (0.07, 0.012), 0.004);
                colour = mix(colour, [0.1, 0.07, 0.05], cover(bridge));
                for i in 0..6 {
                    let x = -0.0175 + 0.007 * i as f32;
                    let string = rounded_box(q, (x, -0.17), (0.0012, 0.39), 0.0);
                    colour = mix(colour, [0.92, 0.9, 0.82], 0.9 * cover(string));
                }
            }
            Motif::Amp => {
                let cab = rounded_box(p, (0.0, 0.05), (0.42, 0.3), 0.04);
                colour = mix(colour, [0.0; 3], 0.35 * cover(cab - 0.015));
                colour = mix(colour, [0.09, 0.08, 0.08], cover(cab));
                let grille = rounded_box(p, (0.0, 0.12), (0.37, 0.19), 0.02);
                let weave = ((p.0 + p.1) * 220.0).sin() * ((p.0 - p.1) * 220.0).sin();
                let cloth = mix(self.body, mix(self.body, [1.0; 3], 0.25), 0.5 + 0.5 * weave);
                colour = mix(colour, cloth, cover(grille));
                let panel = rounded_box(p, (0.0, -0.17), (0.37, 0.045), 0.01);
                colour = mix(colour, [0.78, 0.66, 0.38], cover(panel));
                for i in 0..6 {
                    let knob = circle(p, (-0.28 + 0.1 * i as f32, -0.17), 0.022);
                    colour = mix(colour, [0.05; 3], cover(knob));
                    let dot = circle(p, (-0.28 + 0.1 * i as f32, -0.184), 0.005);
                    colour = mix(colour, [0.95; 3], cover(dot));
                }
                let handle = rounded_box(p, (0.0, -0.27), (0.1, 0.012), 0.012);
                colour = mix(colour, [0.05; 3], cover(handle));
                let badge = rounded_box(p, (-0.26, 0.0), (0.07, 0.02), 0.008);
                colour = mix(colour, self.accent, cover(badge));
            }
            Motif::Record { angle } => {
                let centre = (0.05, 0.02);
                let r = circle(p, centre, 0.0);
                colour = mix(colour, [0.0; 3], 0.35 * cover(circle(p, (0.07, 0.04), 0.42)));
                let grooves = 0.05 + 0.03 * (r * 420.0).sin();
                let q = rotate((p.0 - centre.0, p.1 - centre.1), angle);
                let sheen = (q.1.atan2(q.0) * 2.0).cos().max(0.0).powi(6) * 0.25;
                let vinyl = [grooves + sheen, grooves + sheen, grooves + sheen * 1.1];
                colour = mix(colour, vinyl, cover(r - 0.4));
                colour = mix(colour, self.accent, cover(r - 0.13));
                colour = mix(colour, self.body, cover((r - 0.09).abs() - 0.012));
                colour = mix(colour, self.sky_top, cover(r - 0.012));
            }
            Motif::Microphone { angle } => {
                let q = rotate((p.0, p.1 - 0.02), angle);
                let handle = rounded_box(q, (0.0, 0.14), (0.042, 0.22), 0.03);
                let taper = rounded_box(q, (0.0, 0.34), (0.03, 0.04), 0.02);
                colour = mix(colour, [0.0; 3], 0.35 * cover(handle.min(taper) - 0.012));
                colour = mix(colour, [0.08; 3], cover(handle.min(taper)));
                let sheen = rounded_box(q, (-0.018, 0.14), (0.006, 0.2), 0.006);
                colour = mix(colour, [0.3; 3], 0.6 * cover(sheen));
                let band = rounded_box(q, (0.0, -0.09), (0.055, 0.022), 0.008);
                colour = mix(colour, [0.62; 3], cover(band));
                let ball = circle(q, (0.0, -0.2), 0.115);
                let mesh = 0.55 + 0.12 * ((q.0 * 260.0).sin() * (q.1 * 260.0).sin());
                let light = (1.0 - circle(q, (-0.04, -0.25), 0.0) / 0.16).clamp(0.0, 1.0);
                colour = mix(colour, [0.0; 3], 0.35 * cover(ball - 0.012));
                colour = mix(colour, mix([mesh; 3], [0.95; 3], 0.5 * light), cover(ball));
                let cable = rounded_box(q, (0.0, 0.5), (0.008, 0.14), 0.008);
                colour = mix(colour, [0.05; 3], cover(cable));
            }
            Motif::Pedal => {
                let orange = [0.93, 0.45, 0.08];
                let body = rounded_box(p, (0.0, 0.02), (0.21, 0.31), 0.035);
                colour = mix(colour, [0.0; 3], 0.35 * cover(body - 0.015));
                colour = mix(colour, orange, cover(body));
                let plate = rounded_box(p, (0.0, -0.19), (0.18, 0.07), 0.015);
                colour = mix(colour, mix(orange, [1.0; 3], 0.15), cover(plate));
                for i in 0..3 {
                    let x = -0.11 + 0.11 * i as f32;
                    colour = mix(colour, [0.05; 3], cover(circle(p, (x, -0.19), 0.038)));
                    colour = mix(colour, [0.95; 3], cover(rounded_box(p, (x, -0.215), (0.004, 0.014), 0.002)));
                }
                colour = mix(colour, [0.95, 0.1, 0.08], cover(circle(p, (0.13, -0.07), 0.014)));
                let label = rounded_box(p, (0.0, 0.0), (0.12, 0.025), 0.006);
                colour = mix(colour, [0.08; 3], cover(label));
                let switch = rounded_box(p, (0.0, 0.2), (0.15, 0.085), 0.02);
                colour = mix(colour, [0.5; 3], cover(switch));
                let ridges = 0.45 + 0.1 * (p.1 * 300.0).sin();
                colour = mix(colour, [ridges; 3], cover(rounded_box(p, (0.0, 0.2), (0.13, 0.065), 0.015)));
                for x in [-0.23, 0.23] {
                    colour = mix(colour, [0.7; 3], cover(rounded_box(p, (x, -0.1), (0.02, 0.035), 0.005)));
                }
            }
            Motif::AudioInterface => {
                let red = [0.74, 0.08, 0.1];
                let body = rounded_box(p, (0.0, 0.04), (0.44, 0.15), 0.03);
                colour = mix(colour, [0.0; 3], 0.35 * cover(body - 0.015));
                colour = mix(colour, red, cover(body));
                for x in [-0.33, -0.17] {
                    colour = mix(colour, [0.12; 3], cover(circle(p, (x, 0.04), 0.055)));
                    colour = mix(colour, [0.25; 3], cover(circle(p, (x, 0.04), 0.03)));
                    colour = mix(colour, [0.05; 3], cover(circle(p, (x, 0.04), 0.012)));
                }
                for x in [-0.02, 0.08] {
                    colour = mix(colour, [0.3, 0.85, 0.35], cover(circle(p, (x, 0.0), 0.036)));
                    colour = mix(colour, [0.06; 3], cover(circle(p, (x, 0.0), 0.028)));
                }
                let monitor = circle(p, (0.27, 0.04), 0.085);
                colour = mix(colour, [0.05; 3], cover(monitor));
                colour = mix(colour, [0.35; 3], cover(circle(p, (0.25, 0.015), 0.03)));
                colour = mix(colour, [0.85; 3], cover(rounded_box(p, (0.03, 0.12), (0.1, 0.008), 0.004)));
            }
        }
        colour
    }
}

/// A pleasant generated picture for demo listings, as a JPEG: a stage-lit
/// backdrop with a stylised guitar, amp or record depending on `seed`, each
/// seed with its own palette. Deterministic.
#[must_use]
pub fn demo_photo(seed: u32, width: u32, height: u32) -> Vec<u8> {
    let subject = [DemoSubject::Guitar, DemoSubject::Amp, DemoSubject::Record][(seed % 3) as usize];
    demo_photo_of(subject, seed, width, height)
}

/// Like [`demo_photo`], showing `subject` (the demo item's kind of gear).
#[must_use]
pub fn demo_photo_of(subject: DemoSubject, seed: u32, width: u32, height: u32) -> Vec<u8> {
    let scene = Scene::new(seed, subject);
    let short = width.min(height).max(1) as f32;
    let px = 1.0 / short;
    let (cx, cy) = (width as f32 / 2.0, height as f32 / 2.0);
    let img = RgbImage::from_fn(width, height, |x, y| {
        let p = ((x as f32 + 0.5 - cx) * px, (y as f32 + 0.5 - cy) * px);
        let v = y as f32 / height.max(1) as f32;
        let c = scene.shade(p, v, px);
        Rgb(c.map(|channel| (channel.clamp(0.0, 1.0) * 255.0 + 0.5) as u8))
    });
    encode_jpeg(&img, 90)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_png_iend_chunk() {
        // Every PNG ends with IEND and this well-known CRC.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn exif_has_orientation_that_image_can_read() {
        for orientation in 1..=8u16 {
            let tiff = exif_tiff(Some(orientation), true);
            let parsed = image::metadata::Orientation::from_exif_chunk(&tiff).expect("orientation is readable");
            assert_eq!(u16::from(parsed.to_exif()), orientation);
        }
    }

    #[test]
    fn demo_photos_are_deterministic_and_distinct() {
        assert_eq!(demo_photo(1, 96, 64), demo_photo(1, 96, 64));
        assert_ne!(demo_photo(1, 96, 64), demo_photo(2, 96, 64));
        assert_ne!(demo_photo(1, 96, 64), demo_photo(4, 96, 64));
    }

    #[test]
    fn each_demo_subject_draws_its_own_picture() {
        let subjects = [
            DemoSubject::Guitar,
            DemoSubject::Amp,
            DemoSubject::Record,
            DemoSubject::Microphone,
            DemoSubject::Pedal,
            DemoSubject::AudioInterface,
        ];
        let photos: Vec<_> = subjects.iter().map(|&s| demo_photo_of(s, 7, 96, 64)).collect();
        for (i, a) in photos.iter().enumerate() {
            for b in &photos[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
