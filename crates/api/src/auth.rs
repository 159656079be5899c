//! Sign-In with Ethereum (EIP-4361) and the session store behind it.

use std::collections::HashMap;
use std::str::FromStr;

use actix_session::Session;
use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Duration, Utc};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use commissary_db::{Db, auth as store};
use commissary_domain::Address;

use crate::error::{ApiError, ApiResult};
use crate::roles::Role;
use crate::session::{Member, remember};
use crate::state::AppState;

pub const NONCE_TTL: Duration = Duration::minutes(10);

#[derive(Debug, Serialize, ToSchema)]
pub struct NonceResponse {
    /// Put this in the SIWE message's `Nonce:` line; valid once, for 10 minutes.
    pub nonce: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The EIP-4361 message text exactly as the wallet signed it.
    pub message: String,
    /// 65-byte `personal_sign` signature, 0x-prefixed hex.
    #[schema(pattern = r"^(0x)?[0-9a-fA-F]{130}$")]
    pub signature: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    #[schema(example = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")]
    pub address: Address,
    pub roles: Vec<Role>,
}

/// Issues a single-use sign-in nonce.
#[utoipa::path(get, path = "/api/v1/auth/nonce", tag = "auth", responses((status = 200, body = NonceResponse), (status = 429, body = crate::error::ErrorBody, description = "`rate_limited`, with `Retry-After`")))]
#[get("/auth/nonce")]
#[tracing::instrument(skip_all)]
pub async fn nonce(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<web::Json<NonceResponse>> {
    check_rate(&state, &req)?;
    let nonce: String = rand::rng().sample_iter(&Alphanumeric).take(24).map(char::from).collect();
    let now = Utc::now();
    let stored = nonce.clone();
    state.db.run(move |conn| store::insert_nonce(conn, &stored, now, now + NONCE_TTL)).await?;
    Ok(web::Json(NonceResponse { nonce }))
}

/// Verifies a signed SIWE message and starts a session (HttpOnly, SameSite=Strict cookie).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = MeResponse), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
              (status = 429, body = crate::error::ErrorBody, description = "`rate_limited`, with `Retry-After`")))]
#[post("/auth/login")]
#[tracing::instrument(skip_all)]
pub async fn login(
    state: web::Data<AppState>,
    session: Session,
    body: crate::body::JsonBody<LoginRequest>,
) -> ApiResult<web::Json<MeResponse>> {
    let body = body.into_inner();
    let message = siwe::Message::from_str(&body.message)
        .map_err(|e| ApiError::bad_request("invalid_siwe_message", format!("not an EIP-4361 message: {e}")))?;
    let expected = &state.config.siwe;
    if message.domain.as_str() != expected.domain {
        return Err(ApiError::unauthorized(
            "siwe_domain_mismatch",
            format!("the message is for {}, not {}", message.domain, expected.domain),
        ));
    }
    if message.uri.as_str().trim_end_matches('/') != expected.uri.trim_end_matches('/') {
        return Err(ApiError::unauthorized("siwe_uri_mismatch", format!("the message URI must be {}", expected.uri)));
    }
    if message.chain_id != expected.chain_id {
        return Err(ApiError::unauthorized(
            "siwe_chain_mismatch",
            format!("the message must be for chain {}", expected.chain_id),
        ));
    }
    let now = Utc::now();
    let now_odt =
        actix_web::cookie::time::OffsetDateTime::from_unix_timestamp(now.timestamp()).map_err(ApiError::internal)?;
    if !message.valid_at(&now_odt) {
        return Err(ApiError::unauthorized("siwe_expired", "the message is expired or not yet valid"));
    }
    let signature = parse_signature(&body.signature)?;
    // Verify over the exact text the wallet signed: re-rendering the parsed message
    // (as `siwe::Message::verify_eip191` does) may differ in formatting details.
    if recover_personal_sign(&body.message, &signature) != Some(message.address) {
        return Err(ApiError::unauthorized("invalid_signature", "the signature does not match the message's address"));
    }
    let message_nonce = message.nonce.clone();
    let consumed = state.db.run(move |conn| store::consume_nonce(conn, &message_nonce, now)).await?;
    if !consumed {
        return Err(ApiError::unauthorized(
            "invalid_nonce",
            "the nonce is unknown, expired or already used; request a new one",
        ));
    }
    let address = Address(message.address);
    // A fresh session key on every login prevents session fixation.
    session.renew();
    remember(&session, address)?;
    tracing::info!(%address, "signed in");
    Ok(web::Json(MeResponse { address, roles: state.roles_of(address) }))
}

/// Limits sign-in traffic per client address (the TCP peer: behind a reverse proxy,
/// limit there too, since forwarded headers can be forged).
fn check_rate(state: &AppState, req: &HttpRequest) -> ApiResult<()> {
    let Some(ip) = req.peer_addr().map(|a| a.ip()) else { return Ok(()) };
    state.auth_limiter.check_key(&ip).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
        ApiError::too_many_requests(wait.as_secs().max(1))
    })
}

/// The address that produced an EIP-191 `personal_sign` signature over `text`.
fn recover_personal_sign(text: &str, signature: &[u8; 65]) -> Option<[u8; 20]> {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
    use sha3::{Digest, Keccak256};
    let digest = Keccak256::new()
        .chain_update(format!("\x19Ethereum Signed Message:\n{}", text.len()).as_bytes())
        .chain_update(text.as_bytes())
        .finalize();
    let sig = Signature::from_slice(&signature[..64]).ok()?;
    // Wallets write v as 27/28; some write the raw 0/1 recovery id.
    let v = signature[64];
    let recovery = RecoveryId::from_byte(if v >= 27 { v - 27 } else { v })?;
    let key = VerifyingKey::recover_from_prehash(&digest, &sig, recovery).ok()?;
    let hash = Keccak256::digest(&key.to_encoded_point(false).as_bytes()[1..]);
    let mut address = [0u8; 20];
    address.copy_from_slice(&hash[12..]);
    Some(address)
}

fn parse_signature(text: &str) -> ApiResult<[u8; 65]> {
    let hex_part = text.strip_prefix("0x").unwrap_or(text);
    let mut out = [0u8; 65];
    hex::decode_to_slice(hex_part, &mut out).map_err(|_| {
        ApiError::bad_request("invalid_signature_encoding", "signature must be 65 bytes of 0x-prefixed hex")
    })?;
    Ok(out)
}

/// Ends the session on the server and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
#[post("/auth/logout")]
#[tracing::instrument(skip_all)]
pub async fn logout(session: Session) -> HttpResponse {
    session.purge();
    HttpResponse::NoContent().finish()
}

/// Who is signed in.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = MeResponse), (status = 401, body = crate::error::ErrorBody)))]
#[get("/me")]
#[tracing::instrument(skip_all)]
pub async fn me(state: web::Data<AppState>, member: Member) -> web::Json<MeResponse> {
    web::Json(MeResponse { address: member.address, roles: state.roles_of(member.address) })
}

/// actix-session storage in the service's own database, so sessions survive restarts,
/// are shared by replicas, and logout deletes them for real.
#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn key_hash(key: &SessionKey) -> String {
    hex::encode(Sha256::digest(key.as_ref().as_bytes()))
}

fn expiry(ttl: &CookieDuration) -> chrono::DateTime<Utc> {
    Utc::now() + Duration::seconds(ttl.whole_seconds())
}

fn new_session_key() -> Result<SessionKey, anyhow::Error> {
    let key: String = rand::rng().sample_iter(&Alphanumeric).take(64).map(char::from).collect();
    SessionKey::try_from(key).map_err(anyhow::Error::from)
}

impl SessionStore for DbSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let id = key_hash(session_key);
        let now = Utc::now();
        let state = self
            .db
            .run(move |conn| store::session_load(conn, &id, now))
            .await
            .map_err(|e| LoadError::Other(e.into()))?;
        state.map(|s| serde_json::from_str(&s).map_err(|e| LoadError::Deserialization(e.into()))).transpose()
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        let state = serde_json::to_string(&session_state).map_err(|e| SaveError::Serialization(e.into()))?;
        let key = new_session_key().map_err(SaveError::Other)?;
        let id = key_hash(&key);
        let expires = expiry(ttl);
        self.db
            .run(move |conn| store::session_insert(conn, &id, &state, Utc::now(), expires))
            .await
            .map_err(|e| SaveError::Other(e.into()))?;
        Ok(key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let state = serde_json::to_string(&session_state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let id = key_hash(&session_key);
        let expires = expiry(ttl);
        let updated = self
            .db
            .run(move |conn| store::session_update(conn, &id, Some(&state), expires))
            .await
            .map_err(|e| UpdateError::Other(e.into()))?;
        if updated {
            Ok(session_key)
        } else {
            // The session was deleted meanwhile (logout elsewhere): start a new one
            // rather than resurrecting the old key.
            self.save(session_state, ttl).await.map_err(|e| UpdateError::Other(e.into()))
        }
    }

    async fn update_ttl(&self, session_key: &SessionKey, ttl: &CookieDuration) -> Result<(), anyhow::Error> {
        let id = key_hash(session_key);
        let expires = expiry(ttl);
        self.db.run(move |conn| store::session_update(conn, &id, None, expires)).await?;
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let id = key_hash(session_key);
        self.db.run(move |conn| store::session_delete(conn, &id)).await?;
        Ok(())
    }
}
