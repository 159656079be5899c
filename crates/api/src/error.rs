//! The one error type of the HTTP API. Every failure becomes
//! `{"error":{"code","message"[,"details"]}}` with a fitting status; internal causes
//! are logged with the request's span and never sent to the client.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use commissary_db::{Conflict, DbError};
use commissary_domain::relay::Refusal;
use commissary_domain::{FieldError, PublishRefused, ValidationErrors};
use commissary_photos::PhotoError;

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Option<serde_json::Value>,
    retry_after_secs: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable snake_case code.
    #[schema(example = "validation_failed")]
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
    /// Per-field problems for `validation_failed` (`[{field, code, message}]`); other codes
    /// may carry an object (e.g. `invalid_transition`: `{from, to, allowed}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<serde_json::Value>)]
    pub details: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: None, retry_after_secs: None }
    }

    /// 429 with `Retry-After`.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests; slow down and retry later")
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// Logs the cause with full detail and returns a generic 500.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side; try again")
    }

    pub fn unavailable(cause: impl fmt::Display) -> Self {
        tracing::warn!(error = %cause, "dependency unavailable");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "a dependency is unavailable; try again shortly")
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Adds a `Retry-After` header.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_secs = Some(seconds);
        self
    }

    /// Adds machine-readable `details` to the error body.
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(seconds) = self.retry_after_secs {
            response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(ErrorBody {
            error: ErrorDetail { code: self.code, message: self.message.clone(), details: self.details.clone() },
        })
    }
}

/// Maps a database error to the API's, naming what was missing: `NotFound` becomes a 404
/// for `what` (e.g. "listing") instead of the generic "resource".
pub fn or_not_found(what: &'static str) -> impl Fn(DbError) -> ApiError {
    move |error| match error {
        DbError::NotFound => ApiError::not_found(what),
        other => other.into(),
    }
}

fn field_errors(errors: &[FieldError]) -> serde_json::Value {
    serde_json::to_value(errors).unwrap_or(serde_json::Value::Null)
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        let summary = errors.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ");
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            message: summary,
            details: Some(field_errors(&errors.0)),
            retry_after_secs: None,
        }
    }
}

impl From<Conflict> for ApiError {
    /// Every conflict the database reports, with its status and message: a new one does
    /// not compile until it is given both here. The code is the conflict's own name.
    fn from(conflict: Conflict) -> Self {
        let code = conflict.as_str();
        match conflict {
            Conflict::ListingNotDraft => Self::conflict(code, "only draft listings can be changed"),
            Conflict::TooManyPhotos => Self::conflict(
                code,
                format!("a listing has at most {} photos", commissary_domain::listing::MAX_PHOTOS_PER_LISTING),
            ),
            Conflict::DuplicateListing => {
                Self::conflict(code, "an identical listing (same text, times and photos) is already published")
            }
            Conflict::StatusChanged => Self::conflict(code, "the listing changed meanwhile; reload and try again"),
            Conflict::DuplicatePhoto => Self::conflict(code, "this photo is already attached to the listing"),
            Conflict::FulfillmentChanged => {
                Self::conflict(code, "the fulfillment changed meanwhile; reload and try again")
            }
            // The body is well formed; it disagrees with the listing's photos as they are now.
            Conflict::PhotoOrderMismatch => {
                Self::conflict(code, "the order must list every photo of the listing exactly once")
            }
            Conflict::UniqueViolation | Conflict::CursorMoved | Conflict::LeaseLost | Conflict::IntentStateChanged => {
                Self::conflict(code, "the request conflicts with the current state")
            }
        }
    }
}

impl From<Refusal> for ApiError {
    /// Every refusal of the relayer, with its status and message: a new one does not
    /// compile until it is given both here. The code is the refusal's own.
    fn from(refusal: Refusal) -> Self {
        let code = refusal.code().as_str();
        match refusal {
            Refusal::InvalidAmount => {
                Self::bad_request(code, "amount must be a positive decimal string of base units within uint96")
            }
            Refusal::AuctionNotLive => Self::conflict(code, "the auction is not open for bids on chain"),
            Refusal::SignatureExpired => Self::bad_request(
                code,
                format!(
                    "the deadline has passed or is more than {} seconds ahead; sign a new quote",
                    commissary_domain::relay::MAX_DEADLINE_AHEAD_SECS
                ),
            ),
            Refusal::NonceMismatch { expected } => Self::conflict(
                code,
                "the nonce is not the contract's next one for you, or a relay with it is in flight",
            )
            .with_details(serde_json::json!({ "nonce": expected.to_string() })),
            Refusal::InvalidSignature => {
                Self::bad_request(code, "the signature does not recover to your address for this bid")
            }
            Refusal::BidTooLow { min_next_bid } => Self::conflict(code, "the bid is below the minimum next bid")
                .with_details(serde_json::json!({ "min_next_bid": min_next_bid.to_string() })),
            Refusal::MaxBidTooLow { min_next_bid } => {
                Self::conflict(code, "the maximum is below the minimum next bid, so it could not lead")
                    .with_details(serde_json::json!({ "min_next_bid": min_next_bid.to_string() }))
            }
            Refusal::InsufficientBalance { balance } => Self::conflict(code, "your token balance is below the bid")
                .with_details(serde_json::json!({ "balance": balance.to_string() })),
            Refusal::InsufficientAllowance { allowance } => {
                Self::conflict(code, "the allowance does not cover the bid and no valid permit is attached")
                    .with_details(serde_json::json!({ "allowance": allowance.to_string() }))
            }
            Refusal::RelayUnavailable { reason, retry_after_secs } => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                code,
                "the relay cannot take this bid now; retry later or bid from your wallet",
            )
            .with_details(serde_json::json!({ "reason": reason.as_str() }))
            .with_retry_after(retry_after_secs),
            Refusal::SimulationFailed { reason } => Self::conflict(code, "the bid would be rejected by the contract")
                .with_details(serde_json::json!({ "reason": reason })),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::NotFound => Self::not_found("resource"),
            DbError::Conflict(conflict) => conflict.into(),
            DbError::InvalidCursor => Self::bad_request("invalid_cursor", "the cursor is not valid"),
            DbError::PublishRefused(PublishRefused::NotDraft) => {
                Self::conflict("listing_not_draft", "only drafts can be published")
            }
            DbError::PublishRefused(PublishRefused::Invalid(errors)) => errors.into(),
            DbError::Pool(e) => Self::unavailable(e),
            DbError::Connection(e) => Self::unavailable(e),
            other => Self::internal(other),
        }
    }
}

impl From<PhotoError> for ApiError {
    fn from(error: PhotoError) -> Self {
        let status = match &error {
            PhotoError::Empty | PhotoError::Corrupt(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PhotoError::UploadTooLarge { .. } | PhotoError::TooManyPixels { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            PhotoError::UnsupportedFormat => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            PhotoError::Storage(_) => return Self::internal(&error),
        };
        Self::new(status, error.code(), error.to_string())
    }
}
