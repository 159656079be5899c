//! A member's in-app notifications, their email settings, and one-click unsubscribe.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use commissary_db::after_sale::{notifications as store, profiles};
use commissary_domain::notification::{NotificationKind, SettingsInput};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::session::Member;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationItem {
    pub id: String,
    #[schema(example = "outbid")]
    pub kind: NotificationKind,
    pub headline: &'static str,
    pub listing_id: Option<String>,
    pub auction_id: Option<String>,
    /// What happened: amounts (decimal base units), times, states; never personal data.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxResponse {
    pub items: Vec<NotificationItem>,
    pub unread: i64,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// A `next_cursor`: notifications older than it.
    pub cursor: Option<String>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// The member's notifications, newest first, with the number unread.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notifications", params(InboxQuery),
    responses((status = 200, body = InboxResponse), (status = 401, body = ErrorBody)))]
#[get("/me/notifications")]
#[tracing::instrument(skip_all, fields(member = %member.address))]
pub async fn list(
    state: web::Data<AppState>,
    member: Member,
    query: web::Query<InboxQuery>,
) -> ApiResult<web::Json<InboxResponse>> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request("invalid_limit", "limit must be between 1 and 100"));
    }
    let recipient = member.address.to_lower_hex();
    let cursor = query.cursor.clone();
    let (mut rows, unread) =
        state.db.run(move |conn| store::inbox(conn, &recipient, limit + 1, cursor.as_deref())).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = if has_more { rows.last().map(|n| n.id.clone()) } else { None };
    let items = rows
        .into_iter()
        .map(|n| NotificationItem {
            id: n.id,
            kind: n.kind,
            headline: n.kind.headline(),
            listing_id: n.listing_id,
            auction_id: n.auction_id,
            data: n.payload,
            created_at: n.created_at,
            read: n.read_at.is_some(),
        })
        .collect();
    Ok(web::Json(InboxResponse { items, unread, next_cursor }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    /// The notifications to mark read; all of them when absent.
    pub ids: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadResponse {
    pub marked: usize,
}

/// Marks notifications read (`{ids}`, or all with an empty body / `{}`).
#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "notifications", request_body = Option<ReadRequest>,
    responses((status = 200, body = ReadResponse), (status = 401, body = ErrorBody)))]
#[post("/me/notifications/read")]
#[tracing::instrument(skip_all, fields(member = %member.address))]
pub async fn read(state: web::Data<AppState>, member: Member, body: web::Bytes) -> ApiResult<web::Json<ReadResponse>> {
    // No body means every notification; a body must be a `ReadRequest` (a malformed one
    // must not read as "all").
    let ids = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request("invalid_json", format!("invalid JSON body: {e}")))?;
        if value.is_null() { None } else { crate::body::from_value::<ReadRequest>(value)?.ids }
    };
    let recipient = member.address.to_lower_hex();
    let marked = state.db.run(move |conn| store::mark_read(conn, &recipient, ids.as_deref(), Utc::now())).await?;
    Ok(web::Json(ReadResponse { marked }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsResponse {
    /// Per kind: whether it is emailed (once an address is confirmed).
    #[schema(value_type = Object)]
    pub email: std::collections::BTreeMap<&'static str, bool>,
}

fn settings_view(opted_out: &[NotificationKind]) -> SettingsResponse {
    SettingsResponse { email: NotificationKind::ALL.iter().map(|k| (k.as_str(), !opted_out.contains(k))).collect() }
}

pub(crate) fn new_token() -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::rng().random();
    hex::encode(bytes)
}

/// Which kinds are emailed.
#[utoipa::path(get, path = "/api/v1/me/notification-settings", tag = "notifications",
    responses((status = 200, body = SettingsResponse), (status = 401, body = ErrorBody)))]
#[get("/me/notification-settings")]
#[tracing::instrument(skip_all, fields(member = %member.address))]
pub async fn get_settings(state: web::Data<AppState>, member: Member) -> ApiResult<web::Json<SettingsResponse>> {
    let address = member.address.to_lower_hex();
    let profile = state.db.run(move |conn| profiles::get_or_create(conn, &address, &new_token(), Utc::now())).await?;
    Ok(web::Json(settings_view(&profile.email_opt_out)))
}

/// Turns email per kind on or off: `{"email": {"outbid": false}}` (kinds left out keep
/// their setting). In-app notifications are always kept.
#[utoipa::path(put, path = "/api/v1/me/notification-settings", tag = "notifications", request_body = SettingsInput,
    responses((status = 200, body = SettingsResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/me/notification-settings")]
#[tracing::instrument(skip_all, fields(member = %member.address))]
pub async fn put_settings(
    state: web::Data<AppState>,
    member: Member,
    body: crate::body::JsonBody<SettingsInput>,
) -> ApiResult<web::Json<SettingsResponse>> {
    let address = member.address.to_lower_hex();
    let input = body.into_inner();
    let kinds = state
        .db
        .transaction(move |conn| {
            let now = Utc::now();
            let profile = profiles::get_or_create(conn, &address, &new_token(), now)?;
            match input.apply(&profile.email_opt_out) {
                Ok(kinds) => {
                    profiles::set_opt_out(conn, &address, &kinds, now)?;
                    Ok(Ok(kinds))
                }
                Err(errors) => Ok(Err(errors)),
            }
        })
        .await??;
    Ok(web::Json(settings_view(&kinds)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The token of the email's link; an unknown one is a 404.
    pub token: String,
    /// One kind; every kind when absent.
    #[param(value_type = Option<NotificationKind>)]
    pub kind: Option<String>,
}

async fn unsubscribe(state: &AppState, query: &UnsubscribeQuery) -> ApiResult<Vec<NotificationKind>> {
    let kinds: Vec<NotificationKind> = match query.kind.as_deref() {
        Some(raw) => vec![
            raw.parse()
                .map_err(|_| ApiError::bad_request("invalid_kind", format!("{raw:?} is not a notification kind")))?,
        ],
        None => NotificationKind::ALL.to_vec(),
    };
    let token = query.token.clone();
    let stopped = kinds.clone();
    let done = state
        .db
        .transaction(move |conn| {
            let Some(profile) = profiles::by_unsubscribe_token(conn, &token)? else { return Ok(false) };
            let mut all = profile.email_opt_out.clone();
            all.extend(stopped.iter().copied());
            all.sort();
            all.dedup();
            profiles::set_opt_out(conn, &profile.address, &all, Utc::now())?;
            Ok(true)
        })
        .await?;
    if done { Ok(kinds) } else { Err(ApiError::not_found("subscription")) }
}

/// The link in every email: unsubscribes at once (it changes only what is emailed, and
/// the settings turn it back on) and says so.
#[utoipa::path(get, path = "/api/v1/notifications/unsubscribe", tag = "notifications", params(UnsubscribeQuery),
    responses((status = 200, description = "an HTML confirmation", content_type = "text/html", body = String),
              (status = 404, body = ErrorBody)))]
#[get("/notifications/unsubscribe")]
#[tracing::instrument(skip_all)]
pub async fn unsubscribe_page(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> ApiResult<HttpResponse> {
    let kinds = unsubscribe(&state, &query).await?;
    let what = if kinds.len() == 1 {
        format!("“{}” emails", kinds[0].as_str().replace('_', " "))
    } else {
        "emails".into()
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Unsubscribed</title>\
         <body><h1>Unsubscribed</h1><p>You will get no more {what} from the Ampled Commissary. \
         Your notification settings can turn them back on.</p></body></html>"
    );
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html))
}

/// RFC 8058 one-click unsubscribe (`List-Unsubscribe-Post: List-Unsubscribe=One-Click`).
#[utoipa::path(post, path = "/api/v1/notifications/unsubscribe", tag = "notifications", params(UnsubscribeQuery),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[post("/notifications/unsubscribe")]
#[tracing::instrument(skip_all)]
pub async fn unsubscribe_one_click(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> ApiResult<HttpResponse> {
    unsubscribe(&state, &query).await?;
    Ok(HttpResponse::NoContent().finish())
}
