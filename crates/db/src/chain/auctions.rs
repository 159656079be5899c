//! The auction projection table: one row per on-chain auction, written from the domain's
//! fold of its events ([`AuctionState`]), plus the listing fields that follow from it
//! (status, auction id, current price). The rules live in `commissary_domain`; this
//! module stores and reads them.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use commissary_domain::lifecycle::after_auction_vanished;
use commissary_domain::{
    Address, AuctionId, AuctionState, AuctionStatus, ListingId, ListingStatus, LoggedEvent, OnChainAuction, Settlement,
    TokenAmount,
};

use super::events;
use super::schema::chain_auctions;
use super::{chain_time, corrupt, naive, unix};
use crate::listings::{end_key, price_key, statuses};
use crate::schema::listings;
use crate::{DbConnection, DbError, DbResult};

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
    fn new(state: &AuctionState, listing_id: Option<ListingId>, now: NaiveDateTime) -> Self {
        Self {
            auction_id: state.auction_id.to_string(),
            auction_seq: state.auction_id.sequence(),
            listing_id: listing_id.map(|id| id.to_string()),
            listing_hash: state.listing_hash.clone(),
            reserve_price: state.reserve_price.to_string(),
            start_time: unix(state.starts_at),
            end_time: unix(state.ends_at),
            original_end_time: unix(state.original_ends_at),
            min_increment_bps: i32::from(state.min_increment_bps),
            extension_secs: i64::from(state.extension_secs),
            highest_bidder: state.highest_bidder.map(|a| a.to_lower_hex()),
            highest_bid: state.highest_bid.map(|a| a.to_string()),
            bid_count: i64::try_from(state.bid_count).unwrap_or(i64::MAX),
            status: state.status.as_str().to_owned(),
            settle_tx_hash: state.settlement.as_ref().map(|s| s.tx_hash.clone()),
            settle_winner: state.settlement.as_ref().and_then(|s| s.winner).map(|w| w.to_lower_hex()),
            settle_amount: state.settlement.as_ref().map(|s| s.amount.to_string()),
            create_tx_hash: state.create_tx_hash.clone().unwrap_or_default(),
            created_block: state.created_block,
            updated_block: state.updated_block,
            updated_at: now,
        }
    }

    pub(crate) fn state(&self) -> DbResult<AuctionState> {
        let amount = |field: &str, v: &str| TokenAmount::parse(v).map_err(|_| bad(field, v));
        let address = |field: &str, v: &str| Address::parse(v).map_err(|_| bad(field, v));
        let settlement = match (&self.settle_tx_hash, &self.settle_amount) {
            (Some(tx_hash), Some(amount_text)) => Some(Settlement {
                tx_hash: tx_hash.clone(),
                winner: self.settle_winner.as_deref().map(|w| address("settle_winner", w)).transpose()?,
                amount: amount("settle_amount", amount_text)?,
            }),
            _ => None,
        };
        Ok(AuctionState {
            auction_id: self.id()?,
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
            bid_count: u64::try_from(self.bid_count).map_err(|_| bad("bid_count", self.bid_count))?,
            status: self.status.parse::<AuctionStatus>().map_err(|_| bad("status", &self.status))?,
            settlement,
            create_tx_hash: Some(self.create_tx_hash.clone()).filter(|h| !h.is_empty()),
            created_block: self.created_block,
            updated_block: self.updated_block,
        })
    }

    fn id(&self) -> DbResult<AuctionId> {
        self.auction_id.parse().map_err(|_| bad("auction_id", &self.auction_id))
    }

    fn listing(&self) -> DbResult<Option<ListingId>> {
        self.listing_id.as_deref().map(|id| id.parse().map_err(|_| bad("listing_id", id))).transpose()
    }
}

fn load_row(conn: &mut DbConnection, auction_id: AuctionId) -> DbResult<Option<AuctionRow>> {
    Ok(chain_auctions::table.find(auction_id.to_string()).select(AuctionRow::as_select()).first(conn).optional()?)
}

/// The auction of a listing (the first one created for its listing hash).
pub fn for_listing(conn: &mut DbConnection, listing_id: ListingId) -> DbResult<Option<AuctionState>> {
    let row: Option<AuctionRow> = chain_auctions::table
        .filter(chain_auctions::listing_id.eq(listing_id.to_string()))
        .order(chain_auctions::auction_seq.asc())
        .select(AuctionRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|r| r.state()).transpose()
}

/// An auction by its on-chain id, with the listing it belongs to (if it is one of ours).
pub fn by_id(conn: &mut DbConnection, auction_id: AuctionId) -> DbResult<Option<(Option<ListingId>, AuctionState)>> {
    load_row(conn, auction_id)?.map(|row| Ok((row.listing()?, row.state()?))).transpose()
}

/// Ids of the auctions created for `listing_hash`, oldest first.
pub fn ids_for_hash(conn: &mut DbConnection, listing_hash: &str) -> DbResult<Vec<AuctionId>> {
    let ids: Vec<String> = chain_auctions::table
        .filter(chain_auctions::listing_hash.eq(listing_hash.to_ascii_lowercase()))
        .order(chain_auctions::auction_seq.asc())
        .select(chain_auctions::auction_id)
        .load(conn)?;
    ids.iter().map(|id| id.parse().map_err(|_| bad("auction_id", id))).collect()
}

/// An open auction the keeper watches (times in chain seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAuction {
    pub auction_id: AuctionId,
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
    rows.into_iter()
        .map(|(auction_id, start_time, end_time)| {
            let auction_id = auction_id.parse().map_err(|_| bad("auction_id", &auction_id))?;
            Ok(OpenAuction { auction_id, start_time, end_time })
        })
        .collect()
}

/// Writes what a listing shows of its auction, as the domain derives it at `chain_now`:
/// status, auction id, current price.
fn sync_listing(
    conn: &mut DbConnection,
    listing_id: Option<ListingId>,
    state: &AuctionState,
    chain_now: DateTime<Utc>,
    now: NaiveDateTime,
) -> DbResult<()> {
    let Some(listing_id) = listing_id else { return Ok(()) };
    let price = state.current_price();
    diesel::update(
        listings::table
            .filter(listings::id.eq(listing_id.to_string()))
            .filter(listings::status.eq_any(statuses(&ListingStatus::following_auction()))),
    )
    .set((
        listings::status.eq(state.listing_status(chain_now).as_str()),
        listings::auction_id.eq(Some(state.auction_id.to_string())),
        listings::current_price.eq(price.to_string()),
        listings::price_key.eq(price_key(&price)),
        listings::end_key.eq(end_key(state.ends_at)),
        listings::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// Applies one newly recorded event to the projection (the caller recorded it in
/// `chain_events` just before, so each event is applied once). Returns the listing the
/// auction belongs to, if any.
pub(crate) fn apply_event(
    conn: &mut DbConnection,
    event: &LoggedEvent,
    now: NaiveDateTime,
) -> DbResult<Option<ListingId>> {
    let (listing, state) = match (&event.event, load_row(conn, event.auction_id)?) {
        (commissary_domain::AuctionEvent::AuctionCreated { listing_hash, .. }, None) => {
            let listing = listing_for_hash(conn, listing_hash)?;
            let state = AuctionState::created(event).map_err(|e| DbError::Corrupt(e.to_string()))?;
            diesel::insert_into(chain_auctions::table).values(AuctionRow::new(&state, listing, now)).execute(conn)?;
            (listing, state)
        }
        (_, Some(row)) => {
            let mut state = row.state()?;
            state.apply(event).map_err(|e| DbError::Corrupt(e.to_string()))?;
            let listing = row.listing()?;
            diesel::update(chain_auctions::table.find(&row.auction_id))
                .set(AuctionRow::new(&state, listing, now))
                .execute(conn)?;
            (listing, state)
        }
        // A later event of an auction whose creation we never saw: the contract emits
        // creation first, so this only happens when indexing started past it.
        (_, None) => {
            tracing::warn!(auction_id = %event.auction_id, event = event.event.name(), "event for an unknown auction ignored");
            return Ok(None);
        }
    };
    sync_listing(conn, listing, &state, event.block_time, now)?;
    Ok(listing)
}

/// The listing published with this hash, unless another auction already claimed it.
fn listing_for_hash(conn: &mut DbConnection, listing_hash: &str) -> DbResult<Option<ListingId>> {
    let found: Option<(String, Option<String>)> = listings::table
        .filter(listings::listing_hash.eq(listing_hash.to_ascii_lowercase()))
        .filter(listings::status.eq_any(statuses(&ListingStatus::following_auction())))
        .select((listings::id, listings::auction_id))
        .first(conn)
        .optional()?;
    let Some((id, auction_id)) = found else { return Ok(None) };
    if let Some(existing) = auction_id {
        // Already linked to an auction that still exists: a duplicate auction for the same
        // listing stays unlinked.
        let existing: AuctionId = existing.parse().map_err(|_| corrupt("listings", "auction_id", &existing))?;
        if load_row(conn, existing)?.is_some() {
            return Ok(None);
        }
    }
    id.parse().map(Some).map_err(|_| corrupt("listings", "id", &id))
}

/// What a rollback left of an auction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rebuilt {
    /// Re-folded from the remaining events.
    Refolded { listing: Option<ListingId> },
    /// Its creation was rolled back: the row is gone and its listing waits for an auction again.
    Vanished { listing: Option<ListingId> },
}

/// Recomputes an auction from the events that remain after a rollback (the domain folds
/// them): deletes the row if nothing is left, otherwise rewrites it and its listing.
pub(crate) fn rebuild(
    conn: &mut DbConnection,
    auction_id: AuctionId,
    chain_now: DateTime<Utc>,
    now: NaiveDateTime,
) -> DbResult<Rebuilt> {
    let listing = load_row(conn, auction_id)?.map(|row| row.listing()).transpose()?.flatten();
    let remaining = events::for_auction(conn, auction_id)?;
    match AuctionState::fold(&remaining).map_err(|e| DbError::Corrupt(e.to_string()))? {
        None => {
            diesel::delete(chain_auctions::table.find(auction_id.to_string())).execute(conn)?;
            if let Some(listing) = listing {
                unlink_listing(conn, listing, now)?;
            }
            Ok(Rebuilt::Vanished { listing })
        }
        Some(state) => {
            diesel::update(chain_auctions::table.find(auction_id.to_string()))
                .set(AuctionRow::new(&state, listing, now))
                .execute(conn)?;
            sync_listing(conn, listing, &state, chain_now, now)?;
            Ok(Rebuilt::Refolded { listing })
        }
    }
}

/// A listing whose auction was rolled back shows what the domain says follows (waiting
/// for publication again), with its reserve as the price.
fn unlink_listing(conn: &mut DbConnection, listing_id: ListingId, now: NaiveDateTime) -> DbResult<()> {
    let id = listing_id.to_string();
    let found: Option<(String, NaiveDateTime)> =
        listings::table.find(&id).select((listings::reserve_price, listings::ends_at)).first(conn).optional()?;
    let Some((reserve, scheduled_end)) = found else { return Ok(()) };
    let reserve = TokenAmount::parse(&reserve).map_err(|_| corrupt("listings", "reserve_price", &reserve))?;
    diesel::update(
        listings::table.find(&id).filter(listings::status.eq_any(statuses(&ListingStatus::following_auction()))),
    )
    .set((
        listings::status.eq(after_auction_vanished().as_str()),
        listings::auction_id.eq(None::<String>),
        listings::price_key.eq(price_key(&reserve)),
        listings::current_price.eq(reserve.to_string()),
        listings::end_key.eq(end_key(scheduled_end.and_utc())),
        listings::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// Moves listings of open auctions along scheduled → live → ended as chain time passes
/// (the domain decides each status). Returns how many listings may have changed.
pub fn advance_phases(conn: &mut DbConnection, chain_now: i64, now: DateTime<Utc>) -> DbResult<usize> {
    let now = naive(now);
    let chain_now_at = chain_time(chain_now)?;
    // Candidates only: listings whose shown phase has a boundary at or before now.
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
    let mut changed = Vec::with_capacity(rows.len());
    for row in &rows {
        sync_listing(conn, row.listing()?, &row.state()?, chain_now_at, now)?;
        changed.extend(row.listing()?.map(|l| l.to_string()));
    }
    crate::members::status::sync_statuses(conn, changed.iter().map(String::as_str), now.and_utc())?;
    if !rows.is_empty() {
        crate::members::events::wake();
    }
    Ok(rows.len())
}

/// Makes the projection of `auction_id` agree with what the contract reported at a block the
/// indexer has already applied ([`AuctionState::reconcile`]), and its listing with it. The keeper
/// calls it when the chain refuses to settle an auction the projection shows as due. Returns
/// whether anything changed; a later rebuild from events (reorg) folds the events again, and the
/// keeper reconciles again if the chain still disagrees.
pub fn reconcile(
    conn: &mut DbConnection,
    auction_id: AuctionId,
    chain: &OnChainAuction,
    chain_now: i64,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let Some(row) = load_row(conn, auction_id)? else { return Ok(false) };
    let mut state = row.state()?;
    if !state.reconcile(chain) {
        return Ok(false);
    }
    let listing = row.listing()?;
    let now = naive(now);
    diesel::update(chain_auctions::table.find(&row.auction_id))
        .set(AuctionRow::new(&state, listing, now))
        .execute(conn)?;
    sync_listing(conn, listing, &state, chain_time(chain_now)?, now)?;
    Ok(true)
}
