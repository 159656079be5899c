//! The auction projection: one row per on-chain auction, folded from its events, plus
//! the listing fields derived from it (status, auction id, current price).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use ruint::aliases::U256;

use commissary_domain::auction::phase_at;
use commissary_domain::{Address, ListingId, ListingStatus, TokenAmount};

use super::events::{ChainEvent, EventData};
use super::schema::{chain_auctions, chain_events};
use super::{chain_time, corrupt, naive};
use crate::schema::listings;
use crate::{DbConnection, DbError, DbResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuctionStatus {
    Open,
    Settled,
    Cancelled,
}

impl AuctionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Settled => "settled",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Settled, Self::Cancelled].into_iter().find(|v| v.as_str() == s)
    }
}

/// How an auction was settled: `winner = None` (and amount 0) when nobody bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub tx_hash: String,
    pub winner: Option<Address>,
    pub amount: TokenAmount,
}

/// An auction as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuctionView {
    pub listing_id: ListingId,
    /// Decimal on-chain id.
    pub auction_id: String,
    pub listing_hash: String,
    pub reserve_price: TokenAmount,
    pub starts_at: DateTime<Utc>,
    /// The current end, extensions included.
    pub ends_at: DateTime<Utc>,
    /// The end the auction was created with.
    pub original_ends_at: DateTime<Utc>,
    pub min_increment_bps: u16,
    pub extension_secs: u32,
    pub highest_bidder: Option<Address>,
    pub highest_bid: Option<TokenAmount>,
    pub bid_count: i64,
    pub status: AuctionStatus,
    pub settlement: Option<Settlement>,
    pub create_tx_hash: Option<String>,
    pub created_block: i64,
}

impl AuctionView {
    /// The smallest bid the contract accepts next (as `minNextBid`).
    pub fn min_next_bid(&self) -> U256 {
        commissary_domain::min_next_bid(self.reserve_price, self.highest_bid, self.min_increment_bps)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = chain_auctions)]
#[diesel(treat_none_as_null = true)]
pub(crate) struct AuctionRow {
    pub auction_id: String,
    pub auction_seq: i64,
    pub listing_id: Option<String>,
    pub listing_hash: String,
    pub reserve_price: String,
    pub start_time: i64,
    pub end_time: i64,
    pub original_end_time: i64,
    pub min_increment_bps: i32,
    pub extension_secs: i64,
    pub highest_bidder: Option<String>,
    pub highest_bid: Option<String>,
    pub bid_count: i64,
    pub status: String,
    pub settle_tx_hash: Option<String>,
    pub settle_winner: Option<String>,
    pub settle_amount: Option<String>,
    pub create_tx_hash: String,
    pub created_block: i64,
    pub updated_block: i64,
    pub updated_at: NaiveDateTime,
}

fn bad(field: &str, value: impl std::fmt::Debug) -> DbError {
    corrupt("chain_auctions", field, value)
}

impl AuctionRow {
    fn view(&self, listing_id: ListingId) -> DbResult<AuctionView> {
        let amount = |field: &str, v: &str| TokenAmount::parse(v).map_err(|_| bad(field, v));
        let address = |field: &str, v: &str| Address::parse(v).map_err(|_| bad(field, v));
        let status = AuctionStatus::parse(&self.status).ok_or_else(|| bad("status", &self.status))?;
        let settlement = match (&self.settle_tx_hash, &self.settle_amount) {
            (Some(tx_hash), Some(amount_text)) => Some(Settlement {
                tx_hash: tx_hash.clone(),
                winner: self.settle_winner.as_deref().map(|w| address("settle_winner", w)).transpose()?,
                amount: amount("settle_amount", amount_text)?,
            }),
            _ => None,
        };
        Ok(AuctionView {
            listing_id,
            auction_id: self.auction_id.clone(),
            listing_hash: self.listing_hash.clone(),
            reserve_price: amount("reserve_price", &self.reserve_price)?,
            starts_at: chain_time(self.start_time)?,
            ends_at: chain_time(self.end_time)?,
            original_ends_at: chain_time(self.original_end_time)?,
            min_increment_bps: u16::try_from(self.min_increment_bps)
                .map_err(|_| bad("min_increment_bps", self.min_increment_bps))?,
            extension_secs: u32::try_from(self.extension_secs)
                .map_err(|_| bad("extension_secs", self.extension_secs))?,
            highest_bidder: self.highest_bidder.as_deref().map(|b| address("highest_bidder", b)).transpose()?,
            highest_bid: self.highest_bid.as_deref().map(|b| amount("highest_bid", b)).transpose()?,
            bid_count: self.bid_count,
            status,
            settlement,
            create_tx_hash: Some(self.create_tx_hash.clone()),
            created_block: self.created_block,
        })
    }

    /// The row an `AuctionCreated` event starts.
    fn created(event: &ChainEvent, listing_id: Option<String>, now: NaiveDateTime) -> DbResult<Self> {
        let EventData::AuctionCreated {
            listing_hash,
            reserve_price,
            start_time,
            end_time,
            min_increment_bps,
            extension_secs,
        } = &event.data
        else {
            return Err(DbError::Corrupt(format!("auction {} has no creation event", event.auction_id)));
        };
        Ok(Self {
            auction_id: event.auction_id.clone(),
            auction_seq: event.auction_id.parse().map_err(|_| bad("auction_id", &event.auction_id))?,
            listing_id,
            listing_hash: listing_hash.clone(),
            reserve_price: reserve_price.clone(),
            start_time: *start_time,
            end_time: *end_time,
            original_end_time: *end_time,
            min_increment_bps: *min_increment_bps,
            extension_secs: *extension_secs,
            highest_bidder: None,
            highest_bid: None,
            bid_count: 0,
            status: AuctionStatus::Open.as_str().to_owned(),
            settle_tx_hash: None,
            settle_winner: None,
            settle_amount: None,
            create_tx_hash: event.tx_hash.clone(),
            created_block: event.block_number,
            updated_block: event.block_number,
            updated_at: now,
        })
    }

    /// Folds one later event into the row.
    fn apply(&mut self, event: &ChainEvent, now: NaiveDateTime) {
        match &event.data {
            EventData::AuctionCreated { .. } => {}
            EventData::BidPlaced { bidder, amount, end_time } => {
                self.highest_bidder = Some(bidder.clone());
                self.highest_bid = Some(amount.clone());
                self.end_time = *end_time;
                self.bid_count += 1;
            }
            EventData::AuctionSettled { winner, amount } => {
                self.status = AuctionStatus::Settled.as_str().to_owned();
                self.settle_tx_hash = Some(event.tx_hash.clone());
                self.settle_winner = winner.clone();
                self.settle_amount = Some(amount.clone());
            }
            EventData::AuctionCancelled => self.status = AuctionStatus::Cancelled.as_str().to_owned(),
            EventData::RefundCredited { .. } | EventData::Withdrawn { .. } => {}
        }
        self.updated_block = event.block_number;
        self.updated_at = now;
    }
}

fn load_row(conn: &mut DbConnection, auction_id: &str) -> DbResult<Option<AuctionRow>> {
    Ok(chain_auctions::table.find(auction_id).select(AuctionRow::as_select()).first(conn).optional()?)
}

fn linked_listing(row: &AuctionRow) -> DbResult<Option<ListingId>> {
    row.listing_id.as_deref().map(|id| id.parse().map_err(|_| bad("listing_id", id))).transpose()
}

/// The auction of a listing (the first one created for its listing hash).
pub fn for_listing(conn: &mut DbConnection, listing_id: ListingId) -> DbResult<Option<AuctionView>> {
    let row: Option<AuctionRow> = chain_auctions::table
        .filter(chain_auctions::listing_id.eq(listing_id.to_string()))
        .order(chain_auctions::auction_seq.asc())
        .select(AuctionRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|r| r.view(listing_id)).transpose()
}

/// The auctions of several listings (at most one per listing), in no particular order.
pub fn for_listings(conn: &mut DbConnection, listing_ids: &[ListingId]) -> DbResult<Vec<AuctionView>> {
    if listing_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = listing_ids.iter().map(ToString::to_string).collect();
    let rows: Vec<AuctionRow> = chain_auctions::table
        .filter(chain_auctions::listing_id.eq_any(ids))
        .order(chain_auctions::auction_seq.asc())
        .select(AuctionRow::as_select())
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for row in rows {
        if let Some(listing_id) = linked_listing(&row)?
            && seen.insert(listing_id)
        {
            out.push(row.view(listing_id)?);
        }
    }
    Ok(out)
}

/// An auction by its on-chain id, with the listing it belongs to (if it is one of ours).
pub fn by_id(conn: &mut DbConnection, auction_id: &str) -> DbResult<Option<(Option<ListingId>, AuctionView)>> {
    match load_row(conn, auction_id)? {
        None => Ok(None),
        Some(row) => {
            let listing = linked_listing(&row)?;
            Ok(Some((listing, row.view(listing.unwrap_or(ListingId(uuid::Uuid::nil())))?)))
        }
    }
}

/// Ids of the auctions created for `listing_hash`, oldest first.
pub fn ids_for_hash(conn: &mut DbConnection, listing_hash: &str) -> DbResult<Vec<String>> {
    Ok(chain_auctions::table
        .filter(chain_auctions::listing_hash.eq(listing_hash.to_ascii_lowercase()))
        .order(chain_auctions::auction_seq.asc())
        .select(chain_auctions::auction_id)
        .load(conn)?)
}

/// An open auction the keeper watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAuction {
    pub auction_id: String,
    pub start_time: i64,
    pub end_time: i64,
}

/// Open auctions in end order (the keeper's work list).
pub fn open_by_end(conn: &mut DbConnection, limit: i64) -> DbResult<Vec<OpenAuction>> {
    let rows: Vec<(String, i64, i64)> = chain_auctions::table
        .filter(chain_auctions::status.eq(AuctionStatus::Open.as_str()))
        .order((chain_auctions::end_time.asc(), chain_auctions::auction_seq.asc()))
        .limit(limit)
        .select((chain_auctions::auction_id, chain_auctions::start_time, chain_auctions::end_time))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(auction_id, start_time, end_time)| OpenAuction { auction_id, start_time, end_time })
        .collect())
}

/// The status a listing shows for its auction at chain time `chain_now`.
fn listing_status(row: &AuctionRow, chain_now: i64) -> DbResult<ListingStatus> {
    Ok(match AuctionStatus::parse(&row.status).ok_or_else(|| bad("status", &row.status))? {
        AuctionStatus::Open => phase_at(chain_time(row.start_time)?, chain_time(row.end_time)?, chain_time(chain_now)?),
        AuctionStatus::Settled if row.settle_winner.is_some() => ListingStatus::Settled,
        AuctionStatus::Settled => ListingStatus::Unsold,
        AuctionStatus::Cancelled => ListingStatus::Cancelled,
    })
}

/// Writes what a listing shows of its auction: status, auction id, current price.
fn sync_listing(conn: &mut DbConnection, row: &AuctionRow, chain_now: i64, now: NaiveDateTime) -> DbResult<()> {
    let Some(listing_id) = &row.listing_id else { return Ok(()) };
    let status = listing_status(row, chain_now)?;
    let price = row.highest_bid.clone().unwrap_or_else(|| row.reserve_price.clone());
    let price_key = format!("{price:0>30}");
    diesel::update(
        listings::table.filter(listings::id.eq(listing_id)).filter(listings::status.ne(ListingStatus::Draft.as_str())),
    )
    .set((
        listings::status.eq(status.as_str()),
        listings::auction_id.eq(Some(row.auction_id.clone())),
        listings::current_price.eq(&price),
        listings::price_key.eq(price_key),
        listings::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// Applies one newly recorded event to the projection (the caller recorded it in
/// `chain_events` just before, so each event is applied once). Returns the auction id.
pub(crate) fn apply_event(conn: &mut DbConnection, event: &ChainEvent, now: NaiveDateTime) -> DbResult<()> {
    if !event.data.is_auction_event() {
        return Ok(());
    }
    let row = match (&event.data, load_row(conn, &event.auction_id)?) {
        (EventData::AuctionCreated { listing_hash, .. }, None) => {
            let listing = listing_for_hash(conn, listing_hash)?;
            let row = AuctionRow::created(event, listing, now)?;
            diesel::insert_into(chain_auctions::table).values(&row).execute(conn)?;
            row
        }
        (EventData::AuctionCreated { .. }, Some(row)) => row,
        (_, Some(mut row)) => {
            row.apply(event, now);
            diesel::update(chain_auctions::table.find(&row.auction_id)).set(&row).execute(conn)?;
            row
        }
        // A later event of an auction whose creation we never saw: the contract emits
        // creation first, so this only happens when indexing started past it.
        (_, None) => {
            tracing::warn!(auction_id = %event.auction_id, event = event.data.name(), "event for an unknown auction ignored");
            return Ok(());
        }
    };
    sync_listing(conn, &row, event.block_time, now)
}

/// The listing published with this hash, unless another auction already claimed it.
fn listing_for_hash(conn: &mut DbConnection, listing_hash: &str) -> DbResult<Option<String>> {
    let found: Option<(String, Option<String>)> = listings::table
        .filter(listings::listing_hash.eq(listing_hash.to_ascii_lowercase()))
        .filter(listings::status.ne(ListingStatus::Draft.as_str()))
        .select((listings::id, listings::auction_id))
        .first(conn)
        .optional()?;
    let Some((id, auction_id)) = found else { return Ok(None) };
    if let Some(existing) = auction_id {
        // Already linked to an auction that still exists: a duplicate auction for the same
        // listing stays unlinked.
        if load_row(conn, &existing)?.is_some() {
            return Ok(None);
        }
    }
    Ok(Some(id))
}

/// Recomputes an auction from the events that remain after a rollback: deletes it if its
/// creation was rolled back (returning the listing it had), otherwise re-folds it.
pub(crate) fn rebuild(
    conn: &mut DbConnection,
    auction_id: &str,
    chain_now: i64,
    now: NaiveDateTime,
) -> DbResult<Option<String>> {
    let previous = load_row(conn, auction_id)?;
    let rows: Vec<(String, i64, i64, String, i64, String)> = chain_events::table
        .filter(chain_events::auction_id.eq(auction_id))
        .order((chain_events::block_number.asc(), chain_events::log_index.asc()))
        .select((
            chain_events::tx_hash,
            chain_events::log_index,
            chain_events::block_number,
            chain_events::block_hash,
            chain_events::block_time,
            chain_events::data,
        ))
        .load(conn)?;
    let events = rows
        .into_iter()
        .map(|(tx_hash, log_index, block_number, block_hash, block_time, data)| {
            let data: EventData = serde_json::from_str(&data).map_err(|_| corrupt("chain_events", "data", &data))?;
            Ok(ChainEvent {
                tx_hash,
                log_index,
                block_number,
                block_hash,
                block_time,
                auction_id: auction_id.to_owned(),
                data,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    let Some(first) = events.first().filter(|e| matches!(e.data, EventData::AuctionCreated { .. })) else {
        diesel::delete(chain_auctions::table.find(auction_id)).execute(conn)?;
        return Ok(previous.and_then(|p| p.listing_id));
    };
    let listing = previous.as_ref().and_then(|p| p.listing_id.clone());
    let mut row = AuctionRow::created(first, listing, now)?;
    for event in &events[1..] {
        row.apply(event, now);
    }
    diesel::update(chain_auctions::table.find(auction_id)).set(&row).execute(conn)?;
    sync_listing(conn, &row, chain_now, now)?;
    Ok(None)
}

/// A listing whose auction was rolled back returns to `publishing` (its publish job runs
/// again and finds or recreates the auction).
pub(crate) fn unlink_listing(conn: &mut DbConnection, listing_id: &str, now: NaiveDateTime) -> DbResult<()> {
    let reserve: Option<String> =
        listings::table.find(listing_id).select(listings::reserve_price).first(conn).optional()?;
    let Some(reserve) = reserve else { return Ok(()) };
    diesel::update(listings::table.find(listing_id).filter(listings::status.ne(ListingStatus::Draft.as_str())))
        .set((
            listings::status.eq(ListingStatus::Publishing.as_str()),
            listings::auction_id.eq(None::<String>),
            listings::price_key.eq(format!("{reserve:0>30}")),
            listings::current_price.eq(reserve),
            listings::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves listings of open auctions along scheduled → live → ended as chain time passes.
/// Returns how many listings changed.
pub fn advance_phases(conn: &mut DbConnection, chain_now: i64, now: DateTime<Utc>) -> DbResult<usize> {
    let now = naive(now);
    let rows: Vec<AuctionRow> = chain_auctions::table
        .inner_join(listings::table.on(listings::id.nullable().eq(chain_auctions::listing_id)))
        .filter(chain_auctions::status.eq(AuctionStatus::Open.as_str()))
        .filter(
            listings::status
                .eq(ListingStatus::Scheduled.as_str())
                .and(chain_auctions::start_time.le(chain_now))
                .or(listings::status.eq(ListingStatus::Live.as_str()).and(chain_auctions::end_time.le(chain_now))),
        )
        .select(AuctionRow::as_select())
        .load(conn)?;
    for row in &rows {
        sync_listing(conn, row, chain_now, now)?;
    }
    crate::members::events::sync_statuses(conn, rows.iter().filter_map(|r| r.listing_id.as_deref()), now.and_utc())?;
    if !rows.is_empty() {
        crate::members::events::wake();
    }
    Ok(rows.len())
}
