//! Who is asking: the signed-in address kept in the session, as request extractors
//! ([`Member`], [`Steward`], [`Viewer`]).

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use commissary_domain::Address;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const SESSION_ADDRESS: &str = "address";

/// Records a verified sign-in in the session.
pub fn remember(session: &Session, address: Address) -> ApiResult<()> {
    session.insert(SESSION_ADDRESS, address.to_lower_hex()).map_err(ApiError::internal)
}

/// A signed-in member; rejects the request with 401 otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub address: Address,
}

/// A signed-in steward; 401 when not signed in, 403 when signed in without the role.
#[derive(Debug, Clone, Copy)]
pub struct Steward {
    pub address: Address,
}

fn member_of(req: &HttpRequest, _payload: &mut Payload) -> Result<Option<Address>, ApiError> {
    let session = req.get_session();
    let address = session.get::<String>(SESSION_ADDRESS).map_err(ApiError::internal)?;
    Ok(address.and_then(|a| Address::parse(&a).ok()))
}

impl FromRequest for Member {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        std::future::ready(match member_of(req, payload) {
            Ok(Some(address)) => Ok(Self { address }),
            Ok(None) => Err(ApiError::unauthorized("unauthenticated", "sign in with your wallet first")),
            Err(e) => Err(e),
        })
    }
}

impl FromRequest for Steward {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let result = match member_of(req, payload) {
            Ok(Some(address)) => match req.app_data::<web::Data<AppState>>() {
                Some(state) if state.is_steward(address) => Ok(Self { address }),
                Some(_) => Err(ApiError::forbidden("only stewards can do this")),
                None => Err(ApiError::internal("application state missing")),
            },
            Ok(None) => Err(ApiError::unauthorized("unauthenticated", "sign in with your wallet first")),
            Err(e) => Err(e),
        };
        std::future::ready(result)
    }
}

/// The optional viewer of a public page: stewards see drafts, everyone else does not.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub address: Option<Address>,
    pub is_steward: bool,
}

impl FromRequest for Viewer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let result = member_of(req, payload).map(|address| {
            let is_steward = match (address, req.app_data::<web::Data<AppState>>()) {
                (Some(a), Some(state)) => state.is_steward(a),
                _ => false,
            };
            Self { address, is_steward }
        });
        std::future::ready(result)
    }
}
