//! Relayed bids. A relay is recorded together with the transaction intent that sends it
//! (from the relayer's account; goal `relay:<bidder>:<nonce>`) and a `relay` event to the
//! member, in one transaction: once the API answers 202 the relayer's sender will send it
//! exactly once, whatever crashes. The sender moves the intent; the chain worker's relay
//! tracker copies its outcome here ([`update`]) with another event.
//!
//! The same `(bidder, nonce)` gets a new attempt only when every earlier one failed (it
//! was never sent, or it reverted, so the contract's nonce was not used): two of them can
//! never be in flight together.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use commissary_domain::relay::RelayStatus;
use commissary_domain::{Address, TokenAmount};

use crate::chain::intents::{self, Intent, IntentKind, NewIntent};
use crate::chain::{corrupt, naive};
use crate::members::events::{self, EventKind, NewEvent};
use crate::{DbConnection, DbError, DbResult};

diesel::table! {
    relays (id) {
        id -> Text,
        bidder -> Text,
        bid_nonce -> Text,
        attempt -> Integer,
        listing_id -> Text,
        auction_id -> Text,
        amount -> Text,
        intent_id -> Text,
        status -> Text,
        tx_hash -> Nullable<Text>,
        block_number -> Nullable<BigInt>,
        gas -> BigInt,
        failure_code -> Nullable<Text>,
        failure_message -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = relays)]
struct RelayRow {
    id: String,
    bidder: String,
    bid_nonce: String,
    attempt: i32,
    listing_id: String,
    auction_id: String,
    amount: String,
    intent_id: String,
    status: String,
    tx_hash: Option<String>,
    block_number: Option<i64>,
    gas: i64,
    failure_code: Option<String>,
    failure_message: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A relayed bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relay {
    /// The `relay_id` of the API.
    pub id: String,
    pub bidder: Address,
    /// The signed nonce (decimal).
    pub nonce: String,
    pub attempt: i32,
    pub listing_id: String,
    pub auction_id: String,
    pub amount: TokenAmount,
    pub intent_id: String,
    pub status: RelayStatus,
    pub tx_hash: Option<String>,
    pub block_number: Option<i64>,
    /// Estimated gas, or the gas used once mined.
    pub gas: i64,
    /// For `failed`: the API code (e.g. `bid_too_low`) and a message.
    pub failure: Option<(String, String)>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<RelayRow> for Relay {
    type Error = DbError;
    fn try_from(r: RelayRow) -> DbResult<Self> {
        Ok(Self {
            bidder: Address::parse(&r.bidder).map_err(|_| corrupt("relays", "bidder", &r.bidder))?,
            amount: r.amount.parse().map_err(|_| corrupt("relays", "amount", &r.amount))?,
            status: r.status.parse().map_err(|_| corrupt("relays", "status", &r.status))?,
            failure: r.failure_code.map(|code| (code, r.failure_message.unwrap_or_default())),
            id: r.id,
            nonce: r.bid_nonce,
            attempt: r.attempt,
            listing_id: r.listing_id,
            auction_id: r.auction_id,
            intent_id: r.intent_id,
            tx_hash: r.tx_hash,
            block_number: r.block_number,
            gas: r.gas,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

impl Relay {
    /// What the member's `relay` event carries (the status endpoint's body).
    pub fn event_data(&self) -> serde_json::Value {
        json!({
            "relay_id": self.id,
            "listing_id": self.listing_id,
            "auction_id": self.auction_id,
            "amount": self.amount.to_string(),
            "status": self.status.as_str(),
            "tx_hash": self.tx_hash,
            "block_number": self.block_number,
            "failure": self.failure.as_ref().map(|(code, message)| json!({ "code": code, "message": message })),
        })
    }
}

/// A signed bid to relay: the relay and the call the relayer makes.
#[derive(Debug, Clone)]
pub struct NewRelay {
    /// `RelayBid` (a signed `Bid`, goal `relay:<bidder>:<nonce>`) or `MaxBid` (a bid under a
    /// maximum-bid authorization, goal `maxbid:<bidder>:<nonce>`).
    pub kind: IntentKind,
    pub bidder: Address,
    /// Decimal for a signed bid; for a maximum bid the decision it carries out (e.g.
    /// `<auction>@<highest bid>`), so the same decision is never sent twice.
    pub nonce: String,
    pub listing_id: String,
    pub auction_id: String,
    pub amount: TokenAmount,
    /// The simulation's gas estimate.
    pub gas_estimate: u64,
    /// The relayer's address (the intent's sender) and the contract called.
    pub from_address: String,
    pub to_address: String,
    pub calldata: String,
}

/// What [`record`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    New(Relay),
    /// An earlier relay of the same `(bidder, nonce)` is still queued, in flight or mined.
    NonceTaken(Relay),
}

fn load(conn: &mut DbConnection, id: &str) -> DbResult<Relay> {
    relays::table.find(id).select(RelayRow::as_select()).first(conn)?.try_into()
}

/// The relay `id`.
pub fn get(conn: &mut DbConnection, id: &str) -> DbResult<Relay> {
    load(conn, id)
}

fn relay_event(relay: &Relay) -> NewEvent {
    NewEvent {
        kind: EventKind::Relay,
        listing_id: Some(relay.listing_id.clone()),
        auction_id: Some(relay.auction_id.clone()),
        recipient: Some(relay.bidder),
        data: relay.event_data(),
    }
}

/// The relays of `(bidder, nonce)`, latest attempt first.
pub fn attempts_of(conn: &mut DbConnection, bidder: Address, nonce: &str) -> DbResult<Vec<Relay>> {
    relays::table
        .filter(relays::bidder.eq(bidder.to_lower_hex()))
        .filter(relays::bid_nonce.eq(nonce))
        .order(relays::attempt.desc())
        .select(RelayRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Relay::try_from)
        .collect()
}

/// Records a relay, its intent and a `queued` event in one transaction (call
/// [`events::wake`] after it returns).
pub fn record(conn: &mut DbConnection, new: &NewRelay, now: DateTime<Utc>) -> DbResult<Recorded> {
    crate::connection::transaction(conn, |conn| {
        let bidder = new.bidder.to_lower_hex();
        let earlier = attempts_of(conn, new.bidder, &new.nonce)?;
        if let Some(taken) = earlier.iter().find(|r| r.status != RelayStatus::Failed) {
            return Ok(Recorded::NonceTaken(taken.clone()));
        }
        let attempt = earlier.first().map_or(1, |r| r.attempt + 1);
        let prefix = if new.kind == IntentKind::RelayBid { "relay" } else { "maxbid" };
        let goal = format!("{prefix}:{bidder}:{}", new.nonce);
        let subject = new.listing_id.clone();
        let intent = intents::record(
            conn,
            &NewIntent {
                goal: &goal,
                attempt_number: u32::try_from(attempt).unwrap_or(u32::MAX),
                kind: new.kind,
                from_address: &new.from_address,
                to_address: &new.to_address,
                calldata: &new.calldata,
                subject: Some(&subject),
            },
            now,
        )?;
        let at = naive(now);
        let row = RelayRow {
            id: uuid::Uuid::now_v7().to_string(),
            bidder,
            bid_nonce: new.nonce.clone(),
            attempt,
            listing_id: new.listing_id.clone(),
            auction_id: new.auction_id.clone(),
            amount: new.amount.to_string(),
            intent_id: intent.id,
            status: RelayStatus::Queued.as_str().to_owned(),
            tx_hash: None,
            block_number: None,
            gas: i64::try_from(new.gas_estimate).unwrap_or(i64::MAX),
            failure_code: None,
            failure_message: None,
            created_at: at,
            updated_at: at,
        };
        diesel::insert_into(relays::table).values(&row).execute(conn)?;
        let relay = load(conn, &row.id)?;
        events::record(conn, &relay_event(&relay), now)?;
        Ok(Recorded::New(relay))
    })
}

/// What the budgets count, at `now`: this member's relays of the last hour, the gas of
/// their relays and of all relays of the last 24 hours. Failed relays that were never
/// sent cost nothing and are not counted.
pub fn usage(conn: &mut DbConnection, bidder: Address, now: DateTime<Utc>) -> DbResult<(u32, u64, u64)> {
    let hour_ago = naive(now - Duration::hours(1));
    let day_ago = naive(now - Duration::days(1));
    let bidder = bidder.to_lower_hex();
    let counted = relays::status.ne(RelayStatus::Failed.as_str()).or(relays::tx_hash.is_not_null());
    let bids: i64 = relays::table
        .filter(relays::bidder.eq(&bidder))
        .filter(relays::created_at.gt(hour_ago))
        .count()
        .get_result(conn)?;
    let gas_of = |conn: &mut DbConnection, member: Option<&str>| -> DbResult<u64> {
        let mut query = relays::table
            .filter(relays::created_at.gt(day_ago))
            .filter(counted)
            .select(relays::gas)
            .into_boxed::<crate::MultiBackend>();
        if let Some(member) = member {
            query = query.filter(relays::bidder.eq(member.to_owned()));
        }
        let rows: Vec<i64> = query.load(conn)?;
        Ok(rows.into_iter().map(|g| u64::try_from(g).unwrap_or(0)).sum())
    };
    let member_gas = gas_of(conn, Some(&bidder))?;
    let all_gas = gas_of(conn, None)?;
    Ok((u32::try_from(bids).unwrap_or(u32::MAX), member_gas, all_gas))
}

/// Relays not final yet, with their intents, oldest first (the tracker's work).
pub fn open(conn: &mut DbConnection, limit: i64) -> DbResult<Vec<(Relay, Intent)>> {
    let rows: Vec<Relay> = relays::table
        .filter(relays::status.eq_any([RelayStatus::Queued.as_str(), RelayStatus::Sent.as_str()]))
        .order(relays::created_at.asc())
        .limit(limit)
        .select(RelayRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Relay::try_from)
        .collect::<DbResult<_>>()?;
    rows.into_iter()
        .map(|relay| {
            let intent = intents::get(conn, &relay.intent_id)?;
            Ok((relay, intent))
        })
        .collect()
}

/// A relay's new state, as the tracker derived it from its intent and receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub status: RelayStatus,
    pub tx_hash: Option<String>,
    pub block_number: Option<i64>,
    /// Gas used, once mined.
    pub gas_used: Option<u64>,
    pub failure: Option<(String, String)>,
}

/// Moves a relay on and tells the member (a `relay` event), in one transaction; nothing
/// happens when nothing changed. Returns the relay when it changed (call
/// [`events::wake`] after).
pub fn update(conn: &mut DbConnection, id: &str, progress: &Progress, now: DateTime<Utc>) -> DbResult<Option<Relay>> {
    crate::connection::transaction(conn, |conn| {
        let current = load(conn, id)?;
        if current.status == progress.status
            && current.tx_hash == progress.tx_hash
            && current.block_number == progress.block_number
        {
            return Ok(None);
        }
        let gas = progress.gas_used.map_or(current.gas, |g| i64::try_from(g).unwrap_or(i64::MAX));
        diesel::update(relays::table.find(id))
            .set((
                relays::status.eq(progress.status.as_str()),
                relays::tx_hash.eq(&progress.tx_hash),
                relays::block_number.eq(progress.block_number),
                relays::gas.eq(gas),
                relays::failure_code.eq(progress.failure.as_ref().map(|f| f.0.clone())),
                relays::failure_message.eq(progress.failure.as_ref().map(|f| f.1.clone())),
                relays::updated_at.eq(naive(now)),
            ))
            .execute(conn)?;
        let relay = load(conn, id)?;
        events::record(conn, &relay_event(&relay), now)?;
        Ok(Some(relay))
    })
}
