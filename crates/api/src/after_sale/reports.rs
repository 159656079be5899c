//! The stewards' books: every closed auction as CSV, and monthly totals per category.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use commissary_db::after_sale::reports;
use commissary_domain::report::{Outcome, ampled, csv_field, summarise};

use crate::error::{ApiResult, ErrorBody};
use crate::session::Steward;
use crate::state::AppState;

const CSV_HEADER: [&str; 15] = [
    "listing_id",
    "title",
    "category",
    "donor_credit",
    "reserve_ampled",
    "auction_id",
    "ended_at",
    "settled_at",
    "outcome",
    "winning_bid_ampled",
    "winner",
    "settlement_tx",
    "fulfillment_state",
    "claimed_at",
    "handed_over_or_unclaimed_at",
];

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)).unwrap_or_default()
}

/// One row per closed auction (RFC 4180 CSV, amounts as exact AMPLED decimals).
#[utoipa::path(get, path = "/api/v1/reports/auctions.csv", tag = "reports",
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/reports/auctions.csv")]
#[tracing::instrument(skip_all, fields(steward = %steward.address))]
pub async fn auctions_csv(state: web::Data<AppState>, steward: Steward) -> ApiResult<HttpResponse> {
    let rows = state.db.run(reports::closed_auctions).await?;
    let mut out = String::new();
    out.push_str(&CSV_HEADER.join(","));
    out.push_str("\r\n");
    for row in rows {
        let fields = [
            row.listing_id,
            row.title,
            row.category,
            row.donor_credit.unwrap_or_default(),
            ampled(&row.reserve_price),
            row.auction_id,
            time(Some(row.ended_at)),
            time(row.settled_at),
            if row.winner.is_some() { "sold" } else { "unsold" }.to_owned(),
            row.winning_bid.as_ref().map(ampled).unwrap_or_default(),
            row.winner.unwrap_or_default(),
            row.settlement_tx.unwrap_or_default(),
            row.fulfillment_state.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            time(row.claimed_at),
            time(row.closed_at),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"auctions.csv\""))
        .body(out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryRow {
    /// `YYYY-MM` (UTC) of the auctions' end.
    pub month: String,
    pub category: String,
    pub auctions: u64,
    pub sold: u64,
    pub unsold: u64,
    /// AMPLED paid by winners, exact decimal.
    pub ampled_redeemed: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryResponse {
    pub items: Vec<SummaryRow>,
}

/// Totals per month and category: auctions, sold, unsold, AMPLED redeemed.
#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "reports",
    responses((status = 200, body = SummaryResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/reports/summary")]
#[tracing::instrument(skip_all, fields(steward = %steward.address))]
pub async fn summary(state: web::Data<AppState>, steward: Steward) -> ApiResult<web::Json<SummaryResponse>> {
    let rows = state.db.run(reports::closed_auctions).await?;
    let outcomes: Vec<Outcome> = rows
        .into_iter()
        .map(|r| Outcome {
            month: r.ended_at.format("%Y-%m").to_string(),
            category: r.category,
            sold_for: r.winning_bid,
        })
        .collect();
    let items = summarise(&outcomes)
        .into_iter()
        .map(|t| SummaryRow {
            month: t.month,
            category: t.category,
            auctions: t.auctions,
            sold: t.sold,
            unsold: t.unsold,
            ampled_redeemed: t.redeemed,
        })
        .collect();
    Ok(web::Json(SummaryResponse { items }))
}
