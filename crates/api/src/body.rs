//! `JsonBody<T>`: a JSON request body that must be an object. serde's derived
//! `Deserialize` also reads a struct from an array (`[null, null]`), which no description
//! of an object body allows; this reads the body as JSON (with the app's `JsonConfig`:
//! limit, content type, errors), refuses anything but an object, then parses it into `T`.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// An object body parsed into `T`; 400 `invalid_json` otherwise.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    if !value.is_object() {
        return Err(ApiError::bad_request("invalid_json", "the body must be a JSON object"));
    }
    serde_json::from_value(value).map_err(|e| ApiError::bad_request("invalid_json", format!("invalid JSON body: {e}")))
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move { Ok(Self(from_value(json.await?.into_inner())?)) })
    }
}
