//! Content-addressed storage of renditions through `object_store`.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::try_join_all;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreScheme, PutOptions, PutPayload};
use url::Url;

use crate::render::{JPEG_CONTENT_TYPE, PNG_CONTENT_TYPE, WEBP_CONTENT_TYPE};
use crate::{PhotoError, ProcessedPhoto, Rendition};

/// `Cache-Control` for served renditions: a key names its bytes forever, so
/// browsers and CDNs may keep them for a year without revalidating.
pub const CACHE_CONTROL_IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// An object read back from the store.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// The encoded image.
    pub bytes: Bytes,
    /// `"image/jpeg"`, `"image/png"` or `"image/webp"`, from the key's extension.
    pub content_type: &'static str,
    /// Strong ETag, already quoted for the header: the key's SHA-256.
    pub etag: String,
}

impl std::fmt::Debug for StoredObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredObject")
            .field("content_type", &self.content_type)
            .field("etag", &self.etag)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Splits a key of our shape (`<64 lowercase hex>.jpg|.png|.webp`) into its hash
/// and content type; anything else (path traversal, uppercase, other
/// extensions) is `None`.
#[must_use]
pub fn parse_key(key: &str) -> Option<(&str, &'static str)> {
    let (hash, extension) = key.split_once('.')?;
    let content_type = match extension {
        "jpg" => JPEG_CONTENT_TYPE,
        "png" => PNG_CONTENT_TYPE,
        "webp" => WEBP_CONTENT_TYPE,
        _ => return None,
    };
    let is_hash = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    is_hash.then_some((hash, content_type))
}

/// True when `key` has the shape of a rendition key this crate produces.
#[must_use]
pub fn is_valid_key(key: &str) -> bool {
    parse_key(key).is_some()
}

#[derive(Debug, Clone)]
enum Backend {
    /// Root directory, re-checked by `ping` because a vanished directory
    /// otherwise looks like an empty store.
    Local(PathBuf),
    Memory,
    Remote(String),
}

/// Where renditions live: any [`ObjectStore`] plus a key prefix.
///
/// Cheap to clone; share one per process.
#[derive(Clone)]
pub struct PhotoStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    backend: Backend,
}

impl std::fmt::Debug for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PhotoStore").field(&self.describe()).finish()
    }
}

fn config_error(message: impl Into<String>) -> PhotoError {
    PhotoError::Storage(object_store::Error::Generic { store: "photos", source: message.into().into() })
}

impl PhotoStore {
    /// Opens the store a configuration string names.
    ///
    /// - `./data/photos`, `/abs/path` or `file:///abs/path`: a local
    ///   directory, created if missing.
    /// - `memory://`: in-process, lost on exit (tests, demos).
    /// - `s3://bucket/prefix?region=eu-west-1&endpoint=http://minio:9000&allow_http=true`
    ///   (or an `https://…amazonaws.com/…` / R2 URL): S3 or an S3-compatible
    ///   store. Credentials and settings come from the usual `AWS_*`
    ///   environment variables; query parameters (any `AmazonS3ConfigKey`
    ///   name, with or without the `aws_` prefix) override them.
    ///
    /// # Errors
    ///
    /// [`PhotoError::Storage`] for an unparseable URL, an unsupported scheme,
    /// an unknown option, or a directory that cannot be created.
    pub fn from_url(url: &str) -> Result<Self, PhotoError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(config_error("the photo store URL is empty"));
        }
        // Only `scheme://` (or `file:`) is a URL; anything else is a path, so
        // a relative directory like `data/photos` needs no scheme.
        if !url.contains("://") && !url.starts_with("file:") {
            return Self::local(FsPath::new(url));
        }
        let parsed = Url::parse(url).map_err(|e| config_error(format!("invalid photo store URL {url:?}: {e}")))?;
        match parsed.scheme() {
            "file" => {
                let dir = parsed.to_file_path().map_err(|()| config_error(format!("not a local path: {url:?}")))?;
                Self::local(&dir)
            }
            "memory" => Ok(Self::memory()),
            _ => Self::s3(&parsed),
        }
    }

    /// A fresh in-memory store.
    #[must_use]
    pub fn memory() -> Self {
        Self { store: Arc::new(InMemory::new()), prefix: Path::default(), backend: Backend::Memory }
    }

    /// Wraps any object store (e.g. a preconfigured one, or a fault-injecting
    /// one in tests); keys are stored under `prefix`.
    #[must_use]
    pub fn with_store(store: Arc<dyn ObjectStore>, prefix: Path) -> Self {
        Self { store, prefix, backend: Backend::Remote("custom".to_owned()) }
    }

    fn local(dir: &FsPath) -> Result<Self, PhotoError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| config_error(format!("cannot create photo directory {}: {e}", dir.display())))?;
        let store = LocalFileSystem::new_with_prefix(dir)?;
        let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        Ok(Self { store: Arc::new(store), prefix: Path::default(), backend: Backend::Local(root) })
    }

    fn s3(url: &Url) -> Result<Self, PhotoError> {
        let (scheme, prefix) = ObjectStoreScheme::parse(url).map_err(|e| PhotoError::Storage(e.into()))?;
        if scheme != ObjectStoreScheme::AmazonS3 {
            return Err(config_error(format!(
                "unsupported photo store URL scheme {:?} (use a path, file://, memory:// or s3://)",
                url.scheme()
            )));
        }
        let mut bare = url.clone();
        bare.set_query(None);
        bare.set_fragment(None);
        let mut builder = AmazonS3Builder::from_env().with_url(bare.as_str());
        for (key, value) in url.query_pairs() {
            // Unlike `parse_url_opts`, refuse unknown keys: a typo such as
            // `regoin=` would otherwise silently fall back to the defaults.
            let config_key: AmazonS3ConfigKey = key
                .to_ascii_lowercase()
                .parse()
                .map_err(|_| config_error(format!("unknown S3 option {key:?} in photo store URL")))?;
            builder = builder.with_config(config_key, value.into_owned());
        }
        let store = builder.build()?;
        let host = url.host_str().unwrap_or_default();
        Ok(Self { store: Arc::new(store), prefix, backend: Backend::Remote(format!("{}://{host}", url.scheme())) })
    }

    /// Where the photos go, for the startup log: `local:/abs/dir`,
    /// `memory`, or `s3://bucket/prefix` (never credentials).
    #[must_use]
    pub fn describe(&self) -> String {
        let base = match &self.backend {
            Backend::Local(root) => format!("local:{}", root.display()),
            Backend::Memory => "memory".to_owned(),
            Backend::Remote(base) => base.clone(),
        };
        if self.prefix.as_ref().is_empty() { base } else { format!("{base}/{}", self.prefix.as_ref()) }
    }

    fn location(&self, key: &str) -> Path {
        self.prefix.child(key)
    }

    /// Stores every rendition of `photo`, and its WebP alternates, under their keys.
    ///
    /// Idempotent: a key names its bytes, so storing the same photo twice (or
    /// two listings sharing a photo) rewrites identical objects.
    ///
    /// # Errors
    ///
    /// [`PhotoError::Storage`] when any write fails; renditions already
    /// written stay (they are harmless and will be rewritten on retry).
    pub async fn put_all(&self, photo: &ProcessedPhoto) -> Result<(), PhotoError> {
        try_join_all(photo.objects().map(|r| self.put(r))).await?;
        Ok(())
    }

    /// Stores one rendition under its key. See [`put_all`](Self::put_all).
    ///
    /// # Errors
    ///
    /// [`PhotoError::Storage`] when the write fails or the key is not of our shape.
    pub async fn put(&self, rendition: &Rendition) -> Result<(), PhotoError> {
        if !is_valid_key(&rendition.key) {
            return Err(config_error(format!("refusing to store malformed key {:?}", rendition.key)));
        }
        let mut options = PutOptions::default();
        // The local store rejects attributes it cannot persist; remote ones
        // keep them so the objects can also be served straight from a CDN.
        if !matches!(self.backend, Backend::Local(_)) {
            let mut attributes = Attributes::new();
            attributes.insert(Attribute::ContentType, rendition.content_type.into());
            attributes.insert(Attribute::CacheControl, CACHE_CONTROL_IMMUTABLE.into());
            options.attributes = attributes;
        }
        self.store
            .put_opts(&self.location(&rendition.key), PutPayload::from_bytes(rendition.bytes.clone()), options)
            .await?;
        Ok(())
    }

    /// Reads a rendition back; `Ok(None)` when it does not exist or when the
    /// key is not of our shape (so `../etc/passwd` never reaches the store).
    ///
    /// # Errors
    ///
    /// [`PhotoError::Storage`] when the store fails for another reason.
    pub async fn get(&self, key: &str) -> Result<Option<StoredObject>, PhotoError> {
        let Some((hash, content_type)) = parse_key(key) else {
            return Ok(None);
        };
        let result = match self.store.get(&self.location(key)).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let bytes = result.bytes().await?;
        Ok(Some(StoredObject { bytes, content_type, etag: format!("\"{hash}\"") }))
    }

    /// Whether a rendition is stored, without reading it.
    ///
    /// # Errors
    ///
    /// [`PhotoError::Storage`] when the store fails.
    pub async fn exists(&self, key: &str) -> Result<bool, PhotoError> {
        if !is_valid_key(key) {
            return Ok(false);
        }
        match self.store.head(&self.location(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a rendition. Deleting a missing object or a malformed key is
    /// not an error: the end state is the one asked for.
    ///
    /// Renditions are content-addressed and may be shared by several photos,
    /// so the caller must check no other photo row still uses `key`.
    ///
    /// # Errors
    ///
    /// [`PhotoError::Storage`] when the store fails.
    pub async fn delete(&self, key: &str) -> Result<(), PhotoError> {
        if !is_valid_key(key) {
            return Ok(());
        }
        match self.store.delete(&self.location(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Cheap reachability check for `/readyz`: one HEAD of a key that is never
    /// written (not-found is the healthy answer) and, for a local store,
    /// whether its directory still exists.
    ///
    /// # Errors
    ///
    /// [`PhotoError::Storage`] when the store cannot be reached.
    pub async fn ping(&self) -> Result<(), PhotoError> {
        if let Backend::Local(root) = &self.backend
            && !root.is_dir()
        {
            return Err(config_error(format!("photo directory {} is missing", root.display())));
        }
        match self.store.head(&self.location("readyz-probe")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
