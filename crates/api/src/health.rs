//! Probes and metrics for operators.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// `/readyz` only, with a relayer configured: `ok`, or `degraded` when the relayer's
    /// balance is below its floor or unknown (the service is ready; gasless bids are not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay: Option<&'static str>,
}

/// Liveness: the process is up and serving.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = HealthResponse)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<HealthResponse> {
    web::Json(HealthResponse { status: "ok", relay: None })
}

/// Readiness: the database answers and the photo store is reachable. The relay is
/// reported separately (`relay`: `ok` or `degraded`), never as not ready.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = HealthResponse), (status = 503, body = crate::error::ErrorBody)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<web::Json<HealthResponse>> {
    state.db.ping().await.map_err(ApiError::unavailable)?;
    state.photos.ping().await.map_err(ApiError::unavailable)?;
    let relay = match state.config.relay.chain.as_deref().filter(|c| c.has_relayer()) {
        None => None,
        Some(chain) => Some(match chain.relayer_balance().await {
            Ok(balance) if balance >= state.config.relay.budget.min_relayer_balance => "ok",
            _ => "degraded",
        }),
    };
    Ok(web::Json(HealthResponse { status: "ready", relay }))
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let body = state.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(body)
}

/// Counts requests and records latency per route pattern (not raw path, so ids do
/// not explode label cardinality).
pub async fn track_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let response = next.call(req).await?;
    let status = response.status().as_u16().to_string();
    ::metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    ::metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    Ok(response)
}

/// Chain coordinates for the web page (chain id, contract addresses, RPC URL).
#[utoipa::path(get, path = "/api/v1/config", tag = "operations", responses((status = 200, body = crate::state::PublicChainConfig)))]
#[get("/config")]
pub async fn public_config(state: web::Data<AppState>) -> web::Json<crate::state::PublicChainConfig> {
    web::Json(state.config.chain.clone())
}
