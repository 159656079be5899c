//! A member's public display name and private email address. A new address is used only
//! after the member confirms it with the six-digit code mailed to it.

use actix_web::{get, post, put, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use commissary_db::after_sale::profiles::{self, Confirmation, Profile};
use commissary_domain::profile::{EMAIL_CODE_TTL, ProfileInput, parse_email_code};

use super::inbox::new_token;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::session::Member;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileResponse {
    /// Shown publicly with the member's bids and wins.
    pub display_name: Option<String>,
    /// The confirmed address notifications are mailed to (private).
    pub email: Option<String>,
    /// An address waiting for its confirmation code.
    pub pending_email: Option<String>,
}

impl From<Profile> for ProfileResponse {
    fn from(p: Profile) -> Self {
        Self { display_name: p.display_name, email: p.email, pending_email: p.pending_email }
    }
}

/// The member's own profile.
#[utoipa::path(get, path = "/api/v1/me/profile", tag = "profile",
    responses((status = 200, body = ProfileResponse), (status = 401, body = ErrorBody)))]
#[get("/me/profile")]
#[tracing::instrument(skip_all, fields(member = %member.address))]
pub async fn get_profile(state: web::Data<AppState>, member: Member) -> ApiResult<web::Json<ProfileResponse>> {
    let address = member.address.to_lower_hex();
    let profile = state.db.run(move |conn| profiles::get_or_create(conn, &address, &new_token(), Utc::now())).await?;
    Ok(web::Json(profile.into()))
}

fn code_hash(address: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{address}:{code}").as_bytes()))
}

/// Sets the display name (1–40 characters, no addresses or URLs) and/or the email
/// address (`""` removes it). A new address gets a one-time code by email and is used once
/// confirmed (`POST /me/profile/email/confirm`).
#[utoipa::path(put, path = "/api/v1/me/profile", tag = "profile", request_body = ProfileInput,
    responses((status = 200, body = ProfileResponse), (status = 401, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`email_unavailable`: this commissary sends no email"),
              (status = 422, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "`email_unavailable`: the code could not be mailed; `Retry-After`")))]
#[put("/me/profile")]
#[tracing::instrument(skip_all, fields(member = %member.address))]
pub async fn put_profile(
    state: web::Data<AppState>,
    member: Member,
    body: crate::body::JsonBody<ProfileInput>,
) -> ApiResult<web::Json<ProfileResponse>> {
    let change = body.into_inner().validate()?;
    let address = member.address.to_lower_hex();
    let lookup = address.clone();
    let current = state.db.run(move |conn| profiles::get_or_create(conn, &lookup, &new_token(), Utc::now())).await?;
    let new_email = change.email.clone().filter(|e| !e.is_empty() && current.email.as_deref() != Some(e.as_str()));
    let mailer = match (&new_email, &state.config.after_sale.mailer) {
        (Some(_), None) => {
            // Not a 503: no retry helps while the commissary is configured without email.
            return Err(ApiError::conflict(
                "email_unavailable",
                "this commissary sends no email, so no address can be added",
            ));
        }
        (_, mailer) => mailer.clone(),
    };
    let code = new_email.as_ref().map(|_| {
        use rand::Rng;
        format!("{:06}", rand::rng().random_range(0..1_000_000u32))
    });
    let (stored_address, stored_change, stored_code) = (address.clone(), change.clone(), code.clone());
    let stored_email = new_email.clone();
    state
        .db
        .transaction(move |conn| {
            let now = Utc::now();
            if let Some(name) = &stored_change.display_name {
                profiles::set_display_name(conn, &stored_address, name, now)?;
            }
            if stored_change.email.as_deref() == Some("") {
                profiles::clear_email(conn, &stored_address, now)?;
            }
            if let (Some(email), Some(code)) = (&stored_email, &stored_code) {
                let hash = code_hash(&stored_address, code);
                profiles::set_pending_email(conn, &stored_address, email, &hash, now + EMAIL_CODE_TTL, now)?;
            }
            Ok(())
        })
        .await?;
    if let (Some(email), Some(code), Some(mailer)) = (&new_email, &code, mailer) {
        mailer.send_code(email, code).await.map_err(|e| {
            tracing::warn!(error = %e, "confirmation code could not be mailed");
            ApiError::new(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "email_unavailable",
                "the confirmation code could not be sent; try again shortly",
            )
            .with_retry_after(30)
        })?;
        tracing::info!("email confirmation code sent");
    }
    let profile =
        state.db.run(move |conn| profiles::get(conn, &address)).await?.ok_or_else(|| ApiError::not_found("profile"))?;
    Ok(web::Json(profile.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The six digits from the email.
    #[schema(pattern = r"^\s*[0-9]{6}\s*$", example = "012345")]
    pub code: String,
}

/// Confirms the pending address with its code. Wrong codes are counted: after a few the
/// code is void and the address must be set again for a new one.
#[utoipa::path(post, path = "/api/v1/me/profile/email/confirm", tag = "profile", request_body = ConfirmRequest,
    responses((status = 200, body = ProfileResponse), (status = 401, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`no_pending_code`"),
              (status = 422, body = ErrorBody, description = "`invalid_code` with `details.remaining_attempts`")))]
#[post("/me/profile/email/confirm")]
#[tracing::instrument(skip_all, fields(member = %member.address))]
pub async fn confirm_email(
    state: web::Data<AppState>,
    member: Member,
    body: crate::body::JsonBody<ConfirmRequest>,
) -> ApiResult<web::Json<ProfileResponse>> {
    let code = parse_email_code(&body.code)?;
    let address = member.address.to_lower_hex();
    let hash = code_hash(&address, &code);
    let lookup = address.clone();
    let outcome = state.db.run(move |conn| profiles::confirm_email(conn, &lookup, &hash, Utc::now())).await?;
    match outcome {
        Confirmation::Confirmed => {
            tracing::info!("email address confirmed");
            let profile = state
                .db
                .run(move |conn| profiles::get(conn, &address))
                .await?
                .ok_or_else(|| ApiError::not_found("profile"))?;
            Ok(web::Json(profile.into()))
        }
        Confirmation::Wrong { remaining } => Err(ApiError::unprocessable(
            "invalid_code",
            if remaining > 0 { "the code is not right" } else { "the code is not right and is now void" },
        )
        .with_details(json!({ "remaining_attempts": remaining }))),
        Confirmation::NoCode => Err(ApiError::conflict(
            "no_pending_code",
            "there is no valid code: set the email address again to get a new one",
        )),
    }
}
