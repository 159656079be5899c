//! The one error type of the photo pipeline and its mapping to API responses.

/// Why a photo was refused or could not be stored.
///
/// Every variant maps to a stable machine-readable [`code`](PhotoError::code)
/// and an HTTP [`status`](PhotoError::status), so the API crate can turn it
/// into a response without matching on the variants itself.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// The upload had no bytes at all.
    #[error("the photo is empty")]
    Empty,

    /// The upload is bigger than [`PhotoLimits::max_upload_bytes`](crate::PhotoLimits::max_upload_bytes).
    #[error("the photo is larger than the {limit}-byte upload limit")]
    UploadTooLarge {
        /// The limit that was exceeded, in bytes.
        limit: usize,
    },

    /// The bytes are not a JPEG, PNG or WebP image (SVG, GIF, text, ...).
    #[error("only JPEG, PNG and WebP photos are accepted")]
    UnsupportedFormat,

    /// The header declares more pixels than
    /// [`PhotoLimits::max_pixels`](crate::PhotoLimits::max_pixels); refused
    /// before any pixel buffer is allocated (decompression-bomb defence).
    #[error("the photo is {width}x{height} pixels, more than the {limit}-pixel limit")]
    TooManyPixels {
        /// Width declared by the image header.
        width: u32,
        /// Height declared by the image header.
        height: u32,
        /// The pixel-count limit that was exceeded.
        limit: u64,
    },

    /// The image is truncated or otherwise undecodable.
    #[error("the photo could not be decoded: {0}")]
    Corrupt(String),

    /// The object store failed (or could not be configured).
    #[error("photo storage failed: {0}")]
    Storage(#[source] object_store::Error),
}

impl PhotoError {
    /// A stable, machine-readable snake_case code for API error bodies.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "photo_empty",
            Self::UploadTooLarge { .. } => "upload_too_large",
            Self::UnsupportedFormat => "unsupported_media_type",
            Self::TooManyPixels { .. } => "image_too_large",
            Self::Corrupt(_) => "image_corrupt",
            Self::Storage(_) => "storage_error",
        }
    }

    /// The HTTP status code the API should answer with.
    ///
    /// Client mistakes are 4xx (413 for anything "too big", whether in bytes
    /// or in pixels; 415 for a format we do not take; 422 for bytes that claim
    /// a supported format but do not decode); only storage failures are 500.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::Empty | Self::Corrupt(_) => 422,
            Self::UploadTooLarge { .. } | Self::TooManyPixels { .. } => 413,
            Self::UnsupportedFormat => 415,
            Self::Storage(_) => 500,
        }
    }

    /// True when the error is the uploader's fault rather than ours.
    #[must_use]
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Storage(_))
    }
}

impl From<object_store::Error> for PhotoError {
    fn from(err: object_store::Error) -> Self {
        Self::Storage(err)
    }
}
