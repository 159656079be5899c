//! Members' maximum bids: the signed `MaxBid` authorizations the relayer bids under.
//!
//! A maximum is private to its member (no public view reads this table; notifications name
//! no maximum). At most one per member and auction is `active`: [`put`] revokes the previous
//! one and records the new one, with the relay of its first bid (intent and `relay` event)
//! when the member is not leading, in one transaction. The worker's re-bids are relays
//! too (`IntentKind::MaxBid`, keyed by the decision, see [`crate::relay::NewRelay`]), so
//! they share the relay's budgets, tracking and exactly-once sending. A revocation
//! through the service records the relayer's `revokeMaxBidBySig` intent with the state
//! change; the indexer follows the chain's `MaxBidRevoked` and `MaxBidUsed` ([`on_chain`]).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use commissary_domain::max_bid::MaxBidState;
use commissary_domain::notification::NotificationKind;
use commissary_domain::{Address, TokenAmount};

use crate::after_sale::notifications::{self, NewNotification};
use crate::chain::intents::{self, NewIntent};
use crate::chain::{corrupt, naive};
use crate::relay::{self, NewRelay, Recorded, Relay};
use crate::schema::listings;
use crate::{DbConnection, DbError, DbResult};

diesel::table! {
    max_bids (id) {
        id -> Text,
        listing_id -> Text,
        auction_id -> Text,
        bidder -> Text,
        max_amount -> Text,
        salt -> Text,
        deadline -> BigInt,
        signature -> Text,
        hash -> Text,
        permit_value -> Nullable<Text>,
        permit_deadline -> Nullable<BigInt>,
        permit_signature -> Nullable<Text>,
        state -> Text,
        first_relay_id -> Nullable<Text>,
        revocation_signature -> Nullable<Text>,
        revoke_intent_id -> Nullable<Text>,
        revealed_bid -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = max_bids)]
struct Row {
    id: String,
    listing_id: String,
    auction_id: String,
    bidder: String,
    max_amount: String,
    salt: String,
    deadline: i64,
    signature: String,
    hash: String,
    permit_value: Option<String>,
    permit_deadline: Option<i64>,
    permit_signature: Option<String>,
    state: String,
    first_relay_id: Option<String>,
    revocation_signature: Option<String>,
    revoke_intent_id: Option<String>,
    revealed_bid: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A member's maximum-bid authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaxBid {
    pub id: String,
    pub listing_id: String,
    pub auction_id: String,
    pub bidder: Address,
    pub max_amount: TokenAmount,
    /// Decimal uint256.
    pub salt: String,
    /// Unix seconds.
    pub deadline: i64,
    /// `0x`-hex, 65 bytes.
    pub signature: String,
    /// The EIP-712 digest (`0x`-hex, lowercase): the contract's identity for it.
    pub hash: String,
    pub permit: Option<StoredPermit>,
    pub state: MaxBidState,
    pub first_relay_id: Option<String>,
    pub revocation_signature: Option<String>,
    pub revoke_intent_id: Option<String>,
    /// The highest bid the contract placed under it.
    pub revealed_bid: Option<TokenAmount>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An EIP-2612 permit kept with an authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPermit {
    /// Decimal uint256.
    pub value: String,
    /// Unix seconds.
    pub deadline: i64,
    /// `0x`-hex, 65 bytes.
    pub signature: String,
}

impl TryFrom<Row> for MaxBid {
    type Error = DbError;
    fn try_from(r: Row) -> DbResult<Self> {
        Ok(Self {
            bidder: Address::parse(&r.bidder).map_err(|_| corrupt("max_bids", "bidder", &r.bidder))?,
            max_amount: r.max_amount.parse().map_err(|_| corrupt("max_bids", "max_amount", &r.max_amount))?,
            state: r.state.parse().map_err(|_| corrupt("max_bids", "state", &r.state))?,
            revealed_bid: r
                .revealed_bid
                .map(|b| b.parse().map_err(|_| corrupt("max_bids", "revealed_bid", &b)))
                .transpose()?,
            permit: match (r.permit_value, r.permit_deadline, r.permit_signature) {
                (Some(value), Some(deadline), Some(signature)) => Some(StoredPermit { value, deadline, signature }),
                _ => None,
            },
            id: r.id,
            listing_id: r.listing_id,
            auction_id: r.auction_id,
            salt: r.salt,
            deadline: r.deadline,
            signature: r.signature,
            hash: r.hash,
            first_relay_id: r.first_relay_id,
            revocation_signature: r.revocation_signature,
            revoke_intent_id: r.revoke_intent_id,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

/// A checked authorization to store.
#[derive(Debug, Clone)]
pub struct NewMaxBid {
    pub listing_id: String,
    pub auction_id: String,
    pub bidder: Address,
    pub max_amount: TokenAmount,
    pub salt: String,
    pub deadline: i64,
    pub signature: String,
    pub hash: String,
    pub permit: Option<StoredPermit>,
}

fn load_all(conn: &mut DbConnection, query: max_bids::BoxedQuery<'_, crate::MultiBackend>) -> DbResult<Vec<MaxBid>> {
    query.select(Row::as_select()).load(conn)?.into_iter().map(MaxBid::try_from).collect()
}

fn by_id(conn: &mut DbConnection, id: &str) -> DbResult<MaxBid> {
    max_bids::table.find(id).select(Row::as_select()).first(conn)?.try_into()
}

fn by_hash(conn: &mut DbConnection, hash: &str) -> DbResult<Option<MaxBid>> {
    max_bids::table
        .filter(max_bids::hash.eq(hash.to_ascii_lowercase()))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(MaxBid::try_from)
        .transpose()
}

fn set_state(conn: &mut DbConnection, id: &str, state: MaxBidState, now: DateTime<Utc>) -> DbResult<()> {
    diesel::update(max_bids::table.find(id))
        .set((max_bids::state.eq(state.as_str()), max_bids::updated_at.eq(naive(now))))
        .execute(conn)?;
    Ok(())
}

/// Stores `new` as the member's active maximum for its auction, revoking (off chain: the
/// service no longer uses it) their previous one, and records `first_bid` (the relay of the
/// bid placed at once) with it. The same signed authorization again changes nothing and
/// returns the stored one.
pub fn put(
    conn: &mut DbConnection,
    new: &NewMaxBid,
    first_bid: Option<&NewRelay>,
    now: DateTime<Utc>,
) -> DbResult<(MaxBid, Option<Relay>)> {
    crate::connection::transaction(conn, |conn| {
        if let Some(existing) = by_hash(conn, &new.hash)? {
            let relay = existing.first_relay_id.as_deref().map(|id| relay::get(conn, id)).transpose()?;
            return Ok((existing, relay));
        }
        let bidder = new.bidder.to_lower_hex();
        diesel::update(
            max_bids::table
                .filter(max_bids::bidder.eq(&bidder))
                .filter(max_bids::auction_id.eq(&new.auction_id))
                .filter(max_bids::state.eq(MaxBidState::Active.as_str())),
        )
        .set((max_bids::state.eq(MaxBidState::Revoked.as_str()), max_bids::updated_at.eq(naive(now))))
        .execute(conn)?;
        let relay = match first_bid.map(|bid| relay::record(conn, bid, now)).transpose()? {
            None => None,
            Some(Recorded::New(relay) | Recorded::NonceTaken(relay)) => Some(relay),
        };
        let at = naive(now);
        let row = Row {
            id: uuid::Uuid::now_v7().to_string(),
            listing_id: new.listing_id.clone(),
            auction_id: new.auction_id.clone(),
            bidder,
            max_amount: new.max_amount.to_string(),
            salt: new.salt.clone(),
            deadline: new.deadline,
            signature: new.signature.to_ascii_lowercase(),
            hash: new.hash.to_ascii_lowercase(),
            permit_value: new.permit.as_ref().map(|p| p.value.clone()),
            permit_deadline: new.permit.as_ref().map(|p| p.deadline),
            permit_signature: new.permit.as_ref().map(|p| p.signature.to_ascii_lowercase()),
            state: MaxBidState::Active.as_str().to_owned(),
            first_relay_id: relay.as_ref().map(|r| r.id.clone()),
            revocation_signature: None,
            revoke_intent_id: None,
            revealed_bid: None,
            created_at: at,
            updated_at: at,
        };
        diesel::insert_into(max_bids::table).values(&row).execute(conn)?;
        Ok((by_id(conn, &row.id)?, relay))
    })
}

/// The member's latest maximum for `auction_id` (whatever its state).
pub fn mine(conn: &mut DbConnection, bidder: Address, auction_id: &str) -> DbResult<Option<MaxBid>> {
    Ok(latest_of(conn, bidder, &[auction_id.to_owned()])?.remove(auction_id))
}

/// The member's latest maximum for each of `auction_ids` that has one.
pub fn latest_of(
    conn: &mut DbConnection,
    bidder: Address,
    auction_ids: &[String],
) -> DbResult<HashMap<String, MaxBid>> {
    let all = load_all(
        conn,
        max_bids::table
            .filter(max_bids::bidder.eq(bidder.to_lower_hex()))
            .filter(max_bids::auction_id.eq_any(auction_ids.to_vec()))
            .order(max_bids::created_at.asc())
            .then_order_by(max_bids::id.asc())
            .into_boxed(),
    )?;
    // Oldest first: the latest of each auction is inserted last.
    Ok(all.into_iter().map(|m| (m.auction_id.clone(), m)).collect())
}

/// The active maxima of `auction_id`, oldest first (equal maxima favour the earlier).
pub fn active_in(conn: &mut DbConnection, auction_id: &str) -> DbResult<Vec<MaxBid>> {
    load_all(
        conn,
        max_bids::table
            .filter(max_bids::auction_id.eq(auction_id))
            .filter(max_bids::state.eq(MaxBidState::Active.as_str()))
            .order(max_bids::created_at.asc())
            .then_order_by(max_bids::id.asc())
            .into_boxed(),
    )
}

/// Auctions (id, listing id) with at least one active maximum: the worker's work.
pub fn auctions_with_active(conn: &mut DbConnection) -> DbResult<Vec<(String, String)>> {
    Ok(max_bids::table
        .filter(max_bids::state.eq(MaxBidState::Active.as_str()))
        .select((max_bids::auction_id, max_bids::listing_id))
        .distinct()
        .load(conn)?)
}

/// An active maximum's deadline passed or its auction closed.
pub fn expire(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> DbResult<bool> {
    crate::connection::transaction(conn, |conn| {
        let current = by_id(conn, id)?;
        if current.state != MaxBidState::Active {
            return Ok(false);
        }
        set_state(conn, id, MaxBidState::Expired, now)?;
        Ok(true)
    })
}

/// An active maximum can no longer lead (`highest_bid` is above it): it becomes
/// `exhausted` and its member gets an `outbid` notification saying so, in one transaction.
/// The notification names the new highest bid, never the maximum (it reaches webhooks).
pub fn exhaust(conn: &mut DbConnection, id: &str, highest_bid: TokenAmount, now: DateTime<Utc>) -> DbResult<bool> {
    crate::connection::transaction(conn, |conn| {
        let current = by_id(conn, id)?;
        if current.state != MaxBidState::Active {
            return Ok(false);
        }
        set_state(conn, id, MaxBidState::Exhausted, now)?;
        let title: Option<String> =
            listings::table.find(&current.listing_id).select(listings::title).first(conn).optional()?;
        let notification = NewNotification {
            dedupe_key: format!("outbid:max_bid:{}", current.id),
            kind: NotificationKind::Outbid,
            recipient: current.bidder.to_lower_hex(),
            listing_id: Some(current.listing_id.clone()),
            auction_id: Some(current.auction_id.clone()),
            payload: json!({
                "listing_id": current.listing_id, "auction_id": current.auction_id,
                "title": title.unwrap_or_default(), "amount": highest_bid.to_string(),
                "max_bid": MaxBidState::Exhausted.as_str(),
            }),
            source_block: None,
        };
        notifications::record(conn, &notification, now)?;
        Ok(true)
    })
}

/// The member revoked `id` through the service: records the relayer's intent that submits
/// the signed revocation (`revokeMaxBidBySig`) and the state, in one transaction.
/// Idempotent: a maximum revoked this way before is returned as it is.
pub fn revoke(
    conn: &mut DbConnection,
    id: &str,
    signature: &str,
    intent: &NewIntent<'_>,
    now: DateTime<Utc>,
) -> DbResult<MaxBid> {
    crate::connection::transaction(conn, |conn| {
        let current = by_id(conn, id)?;
        if current.revoke_intent_id.is_some() {
            return Ok(current);
        }
        let recorded = intents::record(conn, intent, now)?;
        diesel::update(max_bids::table.find(id))
            .set((
                max_bids::state.eq(MaxBidState::Revoked.as_str()),
                max_bids::revocation_signature.eq(Some(signature.to_ascii_lowercase())),
                max_bids::revoke_intent_id.eq(Some(recorded.id)),
                max_bids::updated_at.eq(naive(now)),
            ))
            .execute(conn)?;
        by_id(conn, id)
    })
}

/// What the contract said about an authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaxBidLog {
    /// `MaxBidUsed`: a bid of `amount` was placed under `hash`.
    Used { hash: String, amount: TokenAmount },
    /// `MaxBidRevoked`: `hash` can never be used again.
    Revoked { hash: String },
}

/// Follows the contract (the indexer, before applying the range; idempotent): a revoked
/// authorization is `revoked` whoever submitted the revocation; a used one records the
/// highest bid placed under it. Authorizations the service does not hold are ignored.
pub fn on_chain(conn: &mut DbConnection, logs: &[MaxBidLog], now: DateTime<Utc>) -> DbResult<()> {
    crate::connection::transaction(conn, |conn| {
        for log in logs {
            match log {
                MaxBidLog::Revoked { hash } => {
                    if let Some(found) = by_hash(conn, hash)?
                        && found.state != MaxBidState::Revoked
                    {
                        set_state(conn, &found.id, MaxBidState::Revoked, now)?;
                    }
                }
                MaxBidLog::Used { hash, amount } => {
                    if let Some(found) = by_hash(conn, hash)?
                        && found.revealed_bid.is_none_or(|b| b < *amount)
                    {
                        diesel::update(max_bids::table.find(&found.id))
                            .set((
                                max_bids::revealed_bid.eq(Some(amount.to_string())),
                                max_bids::updated_at.eq(naive(now)),
                            ))
                            .execute(conn)?;
                    }
                }
            }
        }
        Ok(())
    })
}
