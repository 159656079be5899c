//! The read model of listings: a listing with its photos and its auction, as members and
//! stewards see it, for one listing or a filtered, sorted page. One query joins each
//! listing to its auction, and reads the page in the order of an index (`end_key`,
//! `created_at`, `price_key`, each with the id), so a page costs its own rows, not a sort
//! of every listing; three more load the page's photos, watch counts and names. A text
//! search filters through the full-text index (`search`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use commissary_domain::{AuctionState, ListingId, ListingStatus};

use crate::chain::auctions::AuctionRow;
use crate::chain::schema::chain_auctions;
use crate::listings::{ListingRecord, ListingRow, price_key, statuses};
use crate::photos::{self, PhotoRecord};
use crate::schema::listings;
use crate::search::{self, SearchText};
use crate::{DbConnection, DbError, DbResult, MultiBackend};

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
        /// Of a text search: listings whose title has every word first, then by the
        /// current end (without a search, just by the current end).
        Relevance => "relevance",
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
    /// After `view`; `tier` is its search tier (`search::tier_of`), used by relevance only.
    pub fn after(sort: ListingSort, view: &ListingView, tier: i32) -> Self {
        let record = &view.record;
        let key = match sort {
            ListingSort::EndingSoon => view.ends_at().timestamp().to_string(),
            ListingSort::Relevance => format!("{tier}:{}", view.ends_at().timestamp()),
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
    /// What a member typed into search: listings having every word (as prefixes).
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

/// The statuses a listing page never shows unless asked for (drafts).
fn hidden_statuses() -> Vec<ListingStatus> {
    ListingStatus::ALL.iter().copied().filter(|s| !s.follows_auction()).collect()
}

/// One page of listings, plus where the next one starts (`None` on the last page).
pub fn page(conn: &mut DbConnection, query: &ListingQuery) -> DbResult<(Vec<ListingView>, Option<ListingCursor>)> {
    let search = match query.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => match SearchText::parse(text) {
            Some(search) => Some(search),
            // Only punctuation: no word to find.
            None => return Ok((Vec::new(), None)),
        },
    };
    let tier = |search: &SearchText| search::tier(conn, search);
    let mut q = listings::table
        .left_join(chain_auctions::table.on(chain_auctions::auction_id.nullable().eq(listings::auction_id)))
        .select((ListingRow::as_select(), Option::<AuctionRow>::as_select()))
        .into_boxed::<MultiBackend>();
    match &query.statuses {
        Some(list) => q = q.filter(listings::status.eq_any(statuses(list))),
        // As "not one of the hidden ones": every published listing has one of the shown
        // statuses, so an `IN` would lead the planners to walk the status index and sort
        // every row, where `NOT IN` leaves them the sort's own index and a page-sized read.
        None => q = q.filter(listings::status.ne_all(statuses(&hidden_statuses()))),
    }
    if let Some(category) = &query.category {
        q = q.filter(listings::category.eq(category.clone()));
    }
    if let Some(search) = &search {
        q = q.filter(search::matches(conn, search));
    }
    if let Some(cursor) = &query.cursor {
        let id = cursor.id.clone();
        q = match query.sort {
            ListingSort::EndingSoon => {
                let key: i64 = cursor.key.parse().map_err(|_| DbError::InvalidCursor)?;
                q.filter(listings::end_key.gt(key).or(listings::end_key.eq(key).and(listings::id.gt(id))))
            }
            ListingSort::Relevance => {
                let (rank, end) = cursor.key.split_once(':').ok_or(DbError::InvalidCursor)?;
                let rank: i32 = rank.parse().map_err(|_| DbError::InvalidCursor)?;
                let end: i64 = end.parse().map_err(|_| DbError::InvalidCursor)?;
                let within = listings::end_key.gt(end).or(listings::end_key.eq(end).and(listings::id.gt(id)));
                match &search {
                    Some(search) => q.filter(tier(search).gt(rank).or(tier(search).eq(rank).and(within))),
                    None => q.filter(within),
                }
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
        ListingSort::EndingSoon => q.order((listings::end_key.asc(), listings::id.asc())),
        ListingSort::Relevance => match &search {
            Some(search) => q.order((tier(search).asc(), listings::end_key.asc(), listings::id.asc())),
            None => q.order((listings::end_key.asc(), listings::id.asc())),
        },
        ListingSort::Newest => q.order((listings::created_at.desc(), listings::id.desc())),
        ListingSort::PriceLow => q.order((listings::price_key.asc(), listings::id.asc())),
        ListingSort::PriceHigh => q.order((listings::price_key.desc(), listings::id.desc())),
    };
    let limit = query.limit.clamp(1, 100);
    let mut rows: Vec<Joined> = q.limit(limit + 1).load(conn)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let views = to_views(conn, rows)?;
    let next = match views.last() {
        Some(last) if has_more => {
            let rank = match (&search, query.sort) {
                (Some(search), ListingSort::Relevance) => search::tier_of(conn, search, &last.record.id.to_string())?,
                _ => 0,
            };
            Some(ListingCursor::after(query.sort, last, rank))
        }
        _ => None,
    };
    Ok((views, next))
}
