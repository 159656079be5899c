//! Fulfillment records and their history. The rules (who may move a record where) live in
//! `commissary_domain::fulfillment`; this module loads, stores and compare-and-sets.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use commissary_domain::fulfillment::{Claim, ContactDetails, FulfillmentState, Method, REDACTED, Situation};
use commissary_domain::{Address, ListingId, TokenAmount};

use super::schema::{fulfillment_history, fulfillments};
use crate::chain::{corrupt, naive};
use crate::{DbConnection, DbError, DbResult};

/// Who did a step: a member's address, or the service itself.
pub const SYSTEM_ACTOR: &str = "system";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = fulfillments)]
struct Row {
    listing_id: String,
    auction_id: String,
    winner: String,
    amount: String,
    settle_tx_hash: String,
    settle_block: i64,
    settled_at: NaiveDateTime,
    state: String,
    method: Option<String>,
    personal_data: Option<String>,
    tracking: Option<String>,
    claimed_at: Option<NaiveDateTime>,
    state_changed_at: NaiveDateTime,
    closed_at: Option<NaiveDateTime>,
    erased_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A fulfillment record. `contact` is personal data: show it to the winner and stewards only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfillment {
    pub listing_id: ListingId,
    pub auction_id: String,
    pub winner: Address,
    pub amount: TokenAmount,
    pub settle_tx_hash: String,
    pub settle_block: i64,
    pub settled_at: DateTime<Utc>,
    pub state: FulfillmentState,
    pub method: Option<Method>,
    pub contact: Option<ContactDetails>,
    pub tracking: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub state_changed_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub erased_at: Option<DateTime<Utc>>,
}

impl Fulfillment {
    pub fn situation(&self, claim_by: DateTime<Utc>, now: DateTime<Utc>) -> Situation {
        Situation { state: self.state, method: self.method, claim_period_over: now > claim_by }
    }
}

fn bad(field: &str, value: impl std::fmt::Debug) -> DbError {
    corrupt("fulfillments", field, value)
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

impl TryFrom<Row> for Fulfillment {
    type Error = DbError;
    fn try_from(row: Row) -> DbResult<Self> {
        Ok(Self {
            listing_id: row.listing_id.parse().map_err(|_| bad("listing_id", &row.listing_id))?,
            winner: Address::parse(&row.winner).map_err(|_| bad("winner", &row.winner))?,
            amount: TokenAmount::parse(&row.amount).map_err(|_| bad("amount", &row.amount))?,
            state: row.state.parse().map_err(|_| bad("state", &row.state))?,
            method: row.method.as_deref().map(|m| m.parse().map_err(|_| bad("method", m))).transpose()?,
            // Never echo personal data into an error message.
            contact: row
                .personal_data
                .as_deref()
                .map(|p| serde_json::from_str(p).map_err(|_| bad("personal_data", "<unreadable>")))
                .transpose()?,
            auction_id: row.auction_id,
            settle_tx_hash: row.settle_tx_hash,
            settle_block: row.settle_block,
            settled_at: utc(row.settled_at),
            tracking: row.tracking,
            claimed_at: row.claimed_at.map(utc),
            state_changed_at: utc(row.state_changed_at),
            closed_at: row.closed_at.map(utc),
            erased_at: row.erased_at.map(utc),
        })
    }
}

/// One step of a record's history.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = fulfillment_history)]
pub struct HistoryRow {
    pub id: String,
    pub listing_id: String,
    pub actor: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub note: Option<String>,
    pub at: NaiveDateTime,
}

fn add_history(
    conn: &mut DbConnection,
    listing_id: &str,
    actor: &str,
    from: Option<FulfillmentState>,
    to: FulfillmentState,
    note: Option<&str>,
    at: NaiveDateTime,
) -> DbResult<String> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(fulfillment_history::table)
        .values((
            fulfillment_history::id.eq(&id),
            fulfillment_history::listing_id.eq(listing_id),
            fulfillment_history::actor.eq(actor),
            fulfillment_history::from_state.eq(from.map(FulfillmentState::as_str)),
            fulfillment_history::to_state.eq(to.as_str()),
            fulfillment_history::note.eq(note),
            fulfillment_history::at.eq(at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// What the indexer knows when an auction settles with a winner.
#[derive(Debug, Clone)]
pub struct SettledSale<'a> {
    pub listing_id: &'a str,
    pub auction_id: &'a str,
    pub winner: &'a str,
    pub amount: &'a str,
    pub tx_hash: &'a str,
    pub block_number: i64,
    pub settled_at: DateTime<Utc>,
}

/// Starts the record of a sale (`awaiting_claim`), once: a re-applied settlement finds it.
pub(crate) fn open_for_sale(conn: &mut DbConnection, sale: &SettledSale<'_>, now: NaiveDateTime) -> DbResult<bool> {
    let exists: i64 =
        fulfillments::table.filter(fulfillments::listing_id.eq(sale.listing_id)).count().get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    let settled_at = naive(sale.settled_at);
    let state = FulfillmentState::AwaitingClaim;
    diesel::insert_into(fulfillments::table)
        .values(Row {
            listing_id: sale.listing_id.to_owned(),
            auction_id: sale.auction_id.to_owned(),
            winner: sale.winner.to_ascii_lowercase(),
            amount: sale.amount.to_owned(),
            settle_tx_hash: sale.tx_hash.to_owned(),
            settle_block: sale.block_number,
            settled_at,
            state: state.as_str().to_owned(),
            method: None,
            personal_data: None,
            tracking: None,
            claimed_at: None,
            state_changed_at: now,
            closed_at: None,
            erased_at: None,
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    add_history(conn, sale.listing_id, SYSTEM_ACTOR, None, state, None, now)?;
    Ok(true)
}

/// A reorg orphaned blocks above `ancestor`: records of sales settled there that nobody
/// has claimed yet go (the settlement may land again, or never). Claimed ones stay: they
/// hold what the winner told us, and a steward decides. Returns the listings removed.
pub(crate) fn remove_unclaimed_above(conn: &mut DbConnection, ancestor: i64) -> DbResult<Vec<String>> {
    let gone: Vec<String> = fulfillments::table
        .filter(fulfillments::settle_block.gt(ancestor))
        .filter(fulfillments::state.eq(FulfillmentState::AwaitingClaim.as_str()))
        .select(fulfillments::listing_id)
        .load(conn)?;
    if !gone.is_empty() {
        diesel::delete(fulfillment_history::table.filter(fulfillment_history::listing_id.eq_any(&gone)))
            .execute(conn)?;
        diesel::delete(fulfillments::table.filter(fulfillments::listing_id.eq_any(&gone))).execute(conn)?;
    }
    let kept: i64 = fulfillments::table.filter(fulfillments::settle_block.gt(ancestor)).count().get_result(conn)?;
    if kept > 0 {
        tracing::warn!(
            records = kept,
            "a reorg orphaned settlements whose items were already claimed; kept for stewards"
        );
    }
    Ok(gone)
}

pub fn get(conn: &mut DbConnection, listing_id: ListingId) -> DbResult<Option<Fulfillment>> {
    let row: Option<Row> =
        fulfillments::table.find(listing_id.to_string()).select(Row::as_select()).first(conn).optional()?;
    row.map(Fulfillment::try_from).transpose()
}

pub fn history(conn: &mut DbConnection, listing_id: ListingId) -> DbResult<Vec<HistoryRow>> {
    Ok(fulfillment_history::table
        .filter(fulfillment_history::listing_id.eq(listing_id.to_string()))
        .order((fulfillment_history::at.asc(), fulfillment_history::id.asc()))
        .select(HistoryRow::as_select())
        .load(conn)?)
}

/// A step that happened, for the caller to announce (`fulfillment_update`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub history_id: String,
    pub from: FulfillmentState,
    pub to: FulfillmentState,
}

/// Stores a (first or amended) claim: compare-and-set on the state the caller checked.
pub fn store_claim(
    conn: &mut DbConnection,
    listing_id: ListingId,
    expected: FulfillmentState,
    claim: &Claim,
    winner: Address,
    now: DateTime<Utc>,
) -> DbResult<Step> {
    let now = naive(now);
    let contact = serde_json::to_string(&claim.contact).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let id = listing_id.to_string();
    let to = FulfillmentState::Claimed;
    let first = expected == FulfillmentState::AwaitingClaim;
    let target =
        fulfillments::table.filter(fulfillments::listing_id.eq(&id)).filter(fulfillments::state.eq(expected.as_str()));
    let updated = if first {
        diesel::update(target)
            .set((
                fulfillments::state.eq(to.as_str()),
                fulfillments::method.eq(claim.method.as_str()),
                fulfillments::personal_data.eq(&contact),
                fulfillments::claimed_at.eq(now),
                fulfillments::state_changed_at.eq(now),
                fulfillments::updated_at.eq(now),
            ))
            .execute(conn)?
    } else {
        diesel::update(target)
            .set((
                fulfillments::method.eq(claim.method.as_str()),
                fulfillments::personal_data.eq(&contact),
                fulfillments::updated_at.eq(now),
            ))
            .execute(conn)?
    };
    if updated != 1 {
        return Err(DbError::Conflict(crate::Conflict::FulfillmentChanged));
    }
    let note = if first { None } else { Some("claim amended") };
    let history_id = add_history(conn, &id, &winner.to_lower_hex(), Some(expected), to, note, now)?;
    Ok(Step { history_id, from: expected, to })
}

/// A transition to record (checked against the domain rules beforehand).
#[derive(Debug, Clone, Copy)]
pub struct Move<'a> {
    pub from: FulfillmentState,
    pub to: FulfillmentState,
    pub actor: Address,
    pub note: Option<&'a str>,
    pub tracking: Option<&'a str>,
}

/// Moves a record: compare-and-set on `step.from`, with a history row.
pub fn record_transition(
    conn: &mut DbConnection,
    listing_id: ListingId,
    step: Move<'_>,
    now: DateTime<Utc>,
) -> DbResult<Step> {
    let Move { from, to, actor, note, tracking } = step;
    let now = naive(now);
    let id = listing_id.to_string();
    let closed_at = to.is_closed().then_some(now);
    let target =
        fulfillments::table.filter(fulfillments::listing_id.eq(&id)).filter(fulfillments::state.eq(from.as_str()));
    let updated = match tracking {
        Some(tracking) => diesel::update(target)
            .set((
                fulfillments::state.eq(to.as_str()),
                fulfillments::tracking.eq(tracking),
                fulfillments::state_changed_at.eq(now),
                fulfillments::closed_at.eq(closed_at),
                fulfillments::updated_at.eq(now),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                fulfillments::state.eq(to.as_str()),
                fulfillments::state_changed_at.eq(now),
                fulfillments::closed_at.eq(closed_at),
                fulfillments::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    if updated != 1 {
        return Err(DbError::Conflict(crate::Conflict::FulfillmentChanged));
    }
    let history_id = add_history(conn, &id, &actor.to_lower_hex(), Some(from), to, note, now)?;
    Ok(Step { history_id, from, to })
}

/// The stewards' queue: records in `states` (all when empty), oldest sale first.
pub fn queue(conn: &mut DbConnection, states: &[FulfillmentState], limit: i64) -> DbResult<Vec<Fulfillment>> {
    let mut query = fulfillments::table.into_boxed();
    if !states.is_empty() {
        query = query.filter(fulfillments::state.eq_any(states.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    let rows: Vec<Row> = query
        .order((fulfillments::settled_at.asc(), fulfillments::listing_id.asc()))
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?;
    rows.into_iter().map(Fulfillment::try_from).collect()
}

/// Records awaiting a claim that settled at or before `settled_before` (claim reminders).
pub fn awaiting_claim_settled_before(
    conn: &mut DbConnection,
    settled_before: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<Fulfillment>> {
    let rows: Vec<Row> = fulfillments::table
        .filter(fulfillments::state.eq(FulfillmentState::AwaitingClaim.as_str()))
        .filter(fulfillments::settled_at.le(naive(settled_before)))
        .order(fulfillments::settled_at.asc())
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?;
    rows.into_iter().map(Fulfillment::try_from).collect()
}

/// Erases the personal data of records closed before `closed_before`: contact details and
/// history notes become the redaction marker, states and times stay. Returns how many.
pub fn erase_closed_before(
    conn: &mut DbConnection,
    closed_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DbResult<usize> {
    let now = naive(now);
    crate::connection::transaction(conn, |conn| {
        let due: Vec<String> = fulfillments::table
            .filter(fulfillments::closed_at.le(naive(closed_before)))
            .filter(fulfillments::erased_at.is_null())
            .select(fulfillments::listing_id)
            .load(conn)?;
        if due.is_empty() {
            return Ok(0);
        }
        let redacted =
            serde_json::to_string(&ContactDetails::redacted()).map_err(|e| DbError::Corrupt(e.to_string()))?;
        let erased = diesel::update(fulfillments::table.filter(fulfillments::listing_id.eq_any(&due)))
            .set((
                fulfillments::personal_data.eq(&redacted),
                fulfillments::erased_at.eq(now),
                fulfillments::updated_at.eq(now),
            ))
            .execute(conn)?;
        diesel::update(
            fulfillment_history::table
                .filter(fulfillment_history::listing_id.eq_any(&due))
                .filter(fulfillment_history::note.is_not_null()),
        )
        .set(fulfillment_history::note.eq(REDACTED))
        .execute(conn)?;
        Ok(erased)
    })
}
