//! The errors of the persistence layer. A [`Conflict`] is a precondition the current
//! state does not meet; the API maps each one to its own status and message.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub type DbResult<T> = Result<T, DbError>;

commissary_domain::string_enum!(
    /// A uniqueness or state precondition that failed. `as_str` is the API's error code.
    pub Conflict {
        /// A unique key exists already (when no more specific conflict applies).
        UniqueViolation => "unique_violation",
        /// Only drafts can be changed.
        ListingNotDraft => "listing_not_draft",
        /// An identical listing (same hash) is published already.
        DuplicateListing => "duplicate_listing",
        /// The listing left the expected status meanwhile.
        StatusChanged => "status_changed",
        TooManyPhotos => "too_many_photos",
        DuplicatePhoto => "duplicate_photo",
        /// A photo order that does not name every photo exactly once.
        PhotoOrderMismatch => "photo_order_mismatch",
        /// Someone else moved the indexer cursor.
        CursorMoved => "cursor_moved",
        /// The leader lease is no longer held (a deposed worker is fenced off).
        LeaseLost => "lease_lost",
        /// A transaction intent changed state under the sender.
        IntentStateChanged => "intent_state_changed",
        /// A fulfillment moved on since the caller read it.
        FulfillmentChanged => "fulfillment_changed",
    }
);

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("record not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// A pagination cursor that names no position of this query.
    #[error("invalid cursor")]
    InvalidCursor,
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    #[error("database connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database connection: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database query: {0}")]
    Query(DieselError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The domain refuses to publish the listing as it is now (see `publication::publish`).
    #[error("publication refused: {0:?}")]
    PublishRefused(commissary_domain::PublishRefused),
    #[error("database task panicked or was cancelled")]
    Task,
}

impl DbError {
    /// Names a unique-key violation after what it means for the caller.
    pub(crate) fn on_unique(self, conflict: Conflict) -> Self {
        match self {
            Self::Conflict(Conflict::UniqueViolation) => Self::Conflict(conflict),
            other => other,
        }
    }
}

impl From<DieselError> for DbError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::Conflict(Conflict::UniqueViolation)
            }
            other => Self::Query(other),
        }
    }
}
