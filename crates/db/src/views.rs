//! The read model of listings: a listing with its photos and its auction, as members and
//! stewards see it, for one listing or a filtered, sorted page. One query joins each
//! listing to its auction (so the current end and price sort the page), one more loads the
//! page's photos.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use commissary_domain::{AuctionState, ListingId, ListingStatus};

use crate::chain::auctions::AuctionRow;
use crate::chain::schema::chain_auctions;
use crate::listings::{ListingRecord, ListingRow, price_key, statuses};
use crate::photos::{self, PhotoRecord};
use crate::schema::listings;
use crate::{DbConnection, DbError, DbResult, MultiBackend};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// A listing as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingView {
    pub record: ListingRecord,
    /// In display order.
    pub photos: Vec<PhotoRecord>,
    /// Once the indexer has seen its auction.
    pub auction: Option<AuctionState>,
    /// How many members watch it.
    pub watch_count: i64,
    /// The public display names of the members it names (its leader, its winner), by
    /// lowercase address; members without one are absent.
    pub names: BTreeMap<String, String>,
}

impl ListingView {
    /// The display name of `member`, if they set one.
    pub fn name_of(&self, member: Option<commissary_domain::Address>) -> Option<String> {
        member.and_then(|m| self.names.get(&m.to_lower_hex()).cloned())
    }

    /// The end members see: the auction's current one (extensions included) once it
    /// exists, the scheduled one before.
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.auction.as_ref().map_or(self.record.details.schedule.ends_at, |a| a.ends_at)
    }
}

commissary_domain::string_enum!(
    /// The orders a listing page can come in.
    #[derive(Default)]
    pub ListingSort {
        /// By the current end, extensions included.
        #[default]
        EndingSoon => "ending_soon",
        Newest => "newest",
        PriceLow => "price_low",
        PriceHigh => "price_high",
    }
);

/// Where the previous page ended: the sort key of its last row plus that row's id as
/// the tie-breaker, so pages never skip or repeat rows with equal keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingCursor {
    pub key: String,
    pub id: String,
}

impl ListingCursor {
    pub fn after(sort: ListingSort, view: &ListingView) -> Self {
        let record = &view.record;
        let key = match sort {
            ListingSort::EndingSoon => view.ends_at().timestamp().to_string(),
            ListingSort::Newest => record.created_at.timestamp_micros().to_string(),
            ListingSort::PriceLow | ListingSort::PriceHigh => price_key(&record.current_price),
        };
        Self { key, id: record.id.to_string() }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListingQuery {
    /// Only these statuses; `None` means every published one (all but drafts).
    pub statuses: Option<Vec<ListingStatus>>,
    pub category: Option<String>,
    pub text: Option<String>,
    pub sort: ListingSort,
    pub cursor: Option<ListingCursor>,
    pub limit: i64,
}

fn micros_to_naive(key: &str) -> DbResult<NaiveDateTime> {
    key.parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .map(|t| t.naive_utc())
        .ok_or(DbError::InvalidCursor)
}

/// Escapes LIKE wildcards so a search for "100%" matches the text literally.
fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The current end in unix seconds: the auction's (extensions included) when there is
/// one, else the listing's scheduled end. Spelled per backend: the listing's end is a
/// TIMESTAMP, the auction's chain seconds.
fn current_end_sql(conn: &DbConnection) -> &'static str {
    match conn {
        DbConnection::Sqlite(_) => {
            "COALESCE(chain_auctions.end_time, CAST(strftime('%s', listings.ends_at) AS INTEGER))"
        }
        DbConnection::Postgres(_) => {
            "COALESCE(chain_auctions.end_time, CAST(EXTRACT(EPOCH FROM listings.ends_at) AS BIGINT))"
        }
    }
}

type Joined = (ListingRow, Option<AuctionRow>);

fn to_views(conn: &mut DbConnection, rows: Vec<Joined>) -> DbResult<Vec<ListingView>> {
    let records = rows
        .into_iter()
        .map(|(listing, auction)| Ok((ListingRecord::try_from(listing)?, auction.map(|a| a.state()).transpose()?)))
        .collect::<DbResult<Vec<_>>>()?;
    let ids: Vec<ListingId> = records.iter().map(|(r, _)| r.id).collect();
    let mut by_listing: BTreeMap<ListingId, Vec<PhotoRecord>> = BTreeMap::new();
    for photo in photos::list_for_many(conn, &ids)? {
        by_listing.entry(photo.listing_id).or_default().push(photo);
    }
    let mut watch_counts = crate::members::watchlist::counts(conn, &ids)?;
    let mut named: Vec<String> = records
        .iter()
        .filter_map(|(_, auction)| auction.as_ref())
        .flat_map(|a| [a.highest_bidder, a.settlement.as_ref().and_then(|s| s.winner)])
        .flatten()
        .map(|m| m.to_lower_hex())
        .collect();
    named.sort();
    named.dedup();
    let names: BTreeMap<String, String> =
        crate::after_sale::profiles::display_names(conn, &named)?.into_iter().collect();
    Ok(records
        .into_iter()
        .map(|(record, auction)| {
            let mentioned = auction
                .iter()
                .flat_map(|a| [a.highest_bidder, a.settlement.as_ref().and_then(|s| s.winner)])
                .flatten()
                .filter_map(|m| names.get_key_value(&m.to_lower_hex()))
                .map(|(a, n)| (a.clone(), n.clone()))
                .collect();
            ListingView {
                photos: by_listing.remove(&record.id).unwrap_or_default(),
                watch_count: watch_counts.remove(&record.id).unwrap_or(0),
                names: mentioned,
                record,
                auction,
            }
        })
        .collect())
}

/// One listing with its photos and auction.
pub fn get(conn: &mut DbConnection, id: ListingId) -> DbResult<ListingView> {
    let row: Joined = listings::table
        .left_join(chain_auctions::table.on(chain_auctions::auction_id.nullable().eq(listings::auction_id)))
        .filter(listings::id.eq(id.to_string()))
        .select((ListingRow::as_select(), Option::<AuctionRow>::as_select()))
        .first(conn)?;
    to_views(conn, vec![row])?.pop().ok_or(DbError::NotFound)
}

/// One page of listings, plus whether another page follows.
pub fn page(conn: &mut DbConnection, query: &ListingQuery) -> DbResult<(Vec<ListingView>, bool)> {
    let current_end = || diesel::dsl::sql::<BigInt>(current_end_sql(conn));
    let mut q = listings::table
        .left_join(chain_auctions::table.on(chain_auctions::auction_id.nullable().eq(listings::auction_id)))
        .select((ListingRow::as_select(), Option::<AuctionRow>::as_select()))
        .into_boxed::<MultiBackend>();
    match &query.statuses {
        Some(list) => q = q.filter(listings::status.eq_any(statuses(list))),
        None => q = q.filter(listings::status.eq_any(statuses(&ListingStatus::following_auction()))),
    }
    if let Some(category) = &query.category {
        q = q.filter(listings::category.eq(category.clone()));
    }
    if let Some(text) = query.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = like_pattern(text.trim());
        q = q.filter(
            lower(listings::title)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(listings::description).like(pattern).escape('\\')),
        );
    }
    if let Some(cursor) = &query.cursor {
        let id = cursor.id.clone();
        q = match query.sort {
            ListingSort::EndingSoon => {
                let key: i64 = cursor.key.parse().map_err(|_| DbError::InvalidCursor)?;
                q.filter(current_end().gt(key).or(current_end().eq(key).and(listings::id.gt(id))))
            }
            ListingSort::Newest => {
                let key = micros_to_naive(&cursor.key)?;
                q.filter(listings::created_at.lt(key).or(listings::created_at.eq(key).and(listings::id.lt(id))))
            }
            ListingSort::PriceLow => {
                let key = cursor.key.clone();
                q.filter(listings::price_key.gt(key.clone()).or(listings::price_key.eq(key).and(listings::id.gt(id))))
            }
            ListingSort::PriceHigh => {
                let key = cursor.key.clone();
                q.filter(listings::price_key.lt(key.clone()).or(listings::price_key.eq(key).and(listings::id.lt(id))))
            }
        };
    }
    q = match query.sort {
        ListingSort::EndingSoon => q.order((current_end().asc(), listings::id.asc())),
        ListingSort::Newest => q.order((listings::created_at.desc(), listings::id.desc())),
        ListingSort::PriceLow => q.order((listings::price_key.asc(), listings::id.asc())),
        ListingSort::PriceHigh => q.order((listings::price_key.desc(), listings::id.desc())),
    };
    let limit = query.limit.clamp(1, 100);
    let mut rows: Vec<Joined> = q.limit(limit + 1).load(conn)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((to_views(conn, rows)?, has_more))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("100%_Tube\\"), "%100\\%\\_tube\\\\%");
    }
}
