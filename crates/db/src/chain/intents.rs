//! The sender's outbox. An intent is recorded (status `queued`) before anything is
//! signed; a nonce is assigned and the signed bytes recorded as an attempt (status
//! `sent`) in one transaction *before* the broadcast, so after a crash the very same
//! bytes are rebroadcast. Fee bumps add attempts with the same nonce, so at most one of
//! an intent's transactions can ever be mined.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::lease::{self, Lease};
use super::schema::{chain_tx_attempts, chain_tx_intents};
use super::{corrupt, naive};
use crate::{Conflict, DbConnection, DbError, DbResult};

commissary_domain::string_enum!(
    /// Which contract call an intent makes.
    pub IntentKind {
        CreateAuction => "create_auction",
        CancelAuction => "cancel_auction",
        SettleMany => "settle_many",
        /// A member's signed bid, sent by the relayer's account (`crate::relay`).
        RelayBid => "relay_bid",
        /// A bid under a member's maximum-bid authorization (`bidByMaxBid[WithPermit]` or
        /// `resolveMaxBids`), sent by the relayer's account (`crate::max_bids`).
        MaxBid => "max_bid",
        /// A member's signed revocation of a maximum bid (`revokeMaxBidBySig`), sent by the
        /// relayer's account.
        RevokeMaxBid => "revoke_max_bid",
    }
);

commissary_domain::string_enum!(
    /// Where a transaction intent is.
    pub IntentStatus {
        /// Recorded, no nonce yet.
        Queued => "queued",
        /// Signed with a nonce and (being) broadcast.
        Sent => "sent",
        /// Included in a block (`success` says whether it reverted).
        Mined => "mined",
        /// Given up before being mined (e.g. it would revert).
        Failed => "failed",
    }
);

impl IntentStatus {
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Mined | Self::Failed)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = chain_tx_intents)]
struct IntentRow {
    id: String,
    intent_key: String,
    kind: String,
    from_address: String,
    to_address: String,
    calldata: String,
    subject: Option<String>,
    status: String,
    nonce: Option<i64>,
    gas_limit: Option<i64>,
    tx_hash: Option<String>,
    mined_block: Option<i64>,
    success: Option<bool>,
    attempts: i32,
    last_error: Option<String>,
    sent_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    goal: String,
    attempt_number: i32,
    revert_data: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    pub kind: IntentKind,
    /// `<goal>:<attempt_number>`.
    pub intent_key: String,
    /// What all attempts of this intent try to achieve, e.g. `create:<listing hash>`.
    pub goal: String,
    /// 1 for the first intent towards `goal`; a new one is only recorded once the previous
    /// one can no longer be mined.
    pub attempt_number: u32,
    pub from_address: String,
    pub to_address: String,
    /// `0x`-hex calldata.
    pub calldata: String,
    /// What the intent is about (a listing id, or a JSON array of auction ids).
    pub subject: Option<String>,
    pub status: IntentStatus,
    pub nonce: Option<i64>,
    pub gas_limit: Option<i64>,
    /// The latest attempt's hash, or the mined one.
    pub tx_hash: Option<String>,
    pub mined_block: Option<i64>,
    pub success: Option<bool>,
    /// Transactions signed so far (first send plus fee bumps).
    pub attempts: i32,
    pub last_error: Option<String>,
    /// The ABI-encoded contract error it would revert with (`0x` hex), when known.
    pub revert_data: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<IntentRow> for Intent {
    type Error = DbError;
    fn try_from(r: IntentRow) -> DbResult<Self> {
        Ok(Self {
            status: r.status.parse::<IntentStatus>().map_err(|_| corrupt("chain_tx_intents", "status", &r.status))?,
            attempt_number: u32::try_from(r.attempt_number)
                .map_err(|_| corrupt("chain_tx_intents", "attempt_number", r.attempt_number))?,
            kind: r.kind.parse::<IntentKind>().map_err(|_| corrupt("chain_tx_intents", "kind", &r.kind))?,
            id: r.id,
            intent_key: r.intent_key,
            goal: r.goal,
            revert_data: r.revert_data,
            from_address: r.from_address,
            to_address: r.to_address,
            calldata: r.calldata,
            subject: r.subject,
            nonce: r.nonce,
            gas_limit: r.gas_limit,
            tx_hash: r.tx_hash,
            mined_block: r.mined_block,
            success: r.success,
            attempts: r.attempts,
            last_error: r.last_error,
            sent_at: r.sent_at.map(|t| t.and_utc()),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

/// A signed transaction for an intent.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = chain_tx_attempts)]
pub struct Attempt {
    pub tx_hash: String,
    pub intent_id: String,
    pub nonce: i64,
    pub max_fee_per_gas: String,
    pub max_priority_fee_per_gas: String,
    /// `0x`-hex EIP-2718 encoding, rebroadcast as is.
    pub raw_tx: String,
    pub created_at: NaiveDateTime,
}

/// What to send, before it has a nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIntent<'a> {
    pub goal: &'a str,
    pub attempt_number: u32,
    pub kind: IntentKind,
    pub from_address: &'a str,
    pub to_address: &'a str,
    pub calldata: &'a str,
    pub subject: Option<&'a str>,
}

/// Records an intent once per goal and attempt number; recording it again returns the
/// existing one.
pub fn record(conn: &mut DbConnection, new: &NewIntent<'_>, now: DateTime<Utc>) -> DbResult<Intent> {
    let intent_key = format!("{}:{}", new.goal, new.attempt_number);
    if let Some(existing) = by_key(conn, &intent_key)? {
        return Ok(existing);
    }
    let now = naive(now);
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(chain_tx_intents::table)
        .values(IntentRow {
            id: id.clone(),
            intent_key,
            goal: new.goal.to_owned(),
            attempt_number: i32::try_from(new.attempt_number).unwrap_or(i32::MAX),
            revert_data: None,
            kind: new.kind.as_str().to_owned(),
            from_address: new.from_address.to_ascii_lowercase(),
            to_address: new.to_address.to_ascii_lowercase(),
            calldata: new.calldata.to_owned(),
            subject: new.subject.map(str::to_owned),
            status: IntentStatus::Queued.as_str().to_owned(),
            nonce: None,
            gas_limit: None,
            tx_hash: None,
            mined_block: None,
            success: None,
            attempts: 0,
            last_error: None,
            sent_at: None,
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    get(conn, &id)
}

pub fn get(conn: &mut DbConnection, id: &str) -> DbResult<Intent> {
    chain_tx_intents::table.find(id).select(IntentRow::as_select()).first(conn)?.try_into()
}

pub fn by_key(conn: &mut DbConnection, key: &str) -> DbResult<Option<Intent>> {
    chain_tx_intents::table
        .filter(chain_tx_intents::intent_key.eq(key))
        .select(IntentRow::as_select())
        .first(conn)
        .optional()?
        .map(Intent::try_from)
        .transpose()
}

fn load(
    conn: &mut DbConnection,
    query: chain_tx_intents::BoxedQuery<'_, crate::MultiBackend>,
) -> DbResult<Vec<Intent>> {
    query.select(IntentRow::as_select()).load(conn)?.into_iter().map(Intent::try_from).collect()
}

/// The intents towards `goal`, by attempt number.
pub fn for_goal(conn: &mut DbConnection, goal: &str) -> DbResult<Vec<Intent>> {
    load(
        conn,
        chain_tx_intents::table
            .filter(chain_tx_intents::goal.eq(goal))
            .order(chain_tx_intents::attempt_number.asc())
            .into_boxed(),
    )
}

/// Sent intents of `from`, by nonce, and queued ones, oldest first.
pub fn sent(conn: &mut DbConnection, from: &str) -> DbResult<Vec<Intent>> {
    load(
        conn,
        chain_tx_intents::table
            .filter(chain_tx_intents::from_address.eq(from.to_ascii_lowercase()))
            .filter(chain_tx_intents::status.eq(IntentStatus::Sent.as_str()))
            .order(chain_tx_intents::nonce.asc())
            .into_boxed(),
    )
}

pub fn queued(conn: &mut DbConnection, from: &str, limit: i64) -> DbResult<Vec<Intent>> {
    load(
        conn,
        chain_tx_intents::table
            .filter(chain_tx_intents::from_address.eq(from.to_ascii_lowercase()))
            .filter(chain_tx_intents::status.eq(IntentStatus::Queued.as_str()))
            .order(chain_tx_intents::created_at.asc())
            .limit(limit)
            .into_boxed(),
    )
}

/// Intents of `kind` that may still be mined or were mined above `mined_above` (the
/// indexer has not applied their block yet), plus those that failed or reverted after
/// `cooldown_since` (so a batch that keeps failing is retried with a pause, not in a loop).
pub fn in_flight(
    conn: &mut DbConnection,
    kind: IntentKind,
    mined_above: i64,
    cooldown_since: DateTime<Utc>,
) -> DbResult<Vec<Intent>> {
    let since = naive(cooldown_since);
    load(
        conn,
        chain_tx_intents::table
            .filter(chain_tx_intents::kind.eq(kind.as_str()))
            .filter(
                chain_tx_intents::status
                    .eq_any([IntentStatus::Queued.as_str(), IntentStatus::Sent.as_str()])
                    .or(chain_tx_intents::status
                        .eq(IntentStatus::Mined.as_str())
                        .and(chain_tx_intents::mined_block.gt(mined_above)))
                    .or(chain_tx_intents::updated_at.gt(since).and(
                        chain_tx_intents::status
                            .eq(IntentStatus::Failed.as_str())
                            .or(chain_tx_intents::success.eq(Some(false))),
                    )),
            )
            .into_boxed(),
    )
}

/// Mined intents (of any sender) whose block is above `above` (to recheck after a reorg).
pub fn mined_above(conn: &mut DbConnection, above: i64) -> DbResult<Vec<Intent>> {
    load(
        conn,
        chain_tx_intents::table
            .filter(chain_tx_intents::status.eq(IntentStatus::Mined.as_str()))
            .filter(chain_tx_intents::mined_block.gt(above))
            .into_boxed(),
    )
}

/// The highest nonce any intent of `from` holds.
pub fn max_nonce(conn: &mut DbConnection, from: &str) -> DbResult<Option<i64>> {
    Ok(chain_tx_intents::table
        .filter(chain_tx_intents::from_address.eq(from.to_ascii_lowercase()))
        .select(diesel::dsl::max(chain_tx_intents::nonce))
        .first(conn)?)
}

pub fn attempts(conn: &mut DbConnection, intent_id: &str) -> DbResult<Vec<Attempt>> {
    Ok(chain_tx_attempts::table
        .filter(chain_tx_attempts::intent_id.eq(intent_id))
        .order(chain_tx_attempts::created_at.asc())
        .select(Attempt::as_select())
        .load(conn)?)
}

/// Records a signed transaction for `intent_id` before it is broadcast, assigning the
/// intent its nonce on the first signed transaction. Fenced by the sender's `lease`: a deposed
/// sender cannot record (and therefore never broadcasts) anything.
pub fn record_attempt(
    conn: &mut DbConnection,
    lease: &Lease,
    attempt: &Attempt,
    gas_limit: i64,
    now: DateTime<Utc>,
) -> DbResult<()> {
    crate::connection::transaction(conn, |conn| {
        lease::fence(conn, lease, now)?;
        let intent = get(conn, &attempt.intent_id)?;
        match (intent.status, intent.nonce) {
            (IntentStatus::Queued, None) => {}
            (IntentStatus::Sent, Some(n)) if n == attempt.nonce => {}
            _ => return Err(DbError::Conflict(Conflict::IntentStateChanged)),
        }
        diesel::insert_into(chain_tx_attempts::table).values(attempt).execute(conn)?;
        let now = naive(now);
        diesel::update(chain_tx_intents::table.find(&attempt.intent_id))
            .set((
                chain_tx_intents::status.eq(IntentStatus::Sent.as_str()),
                chain_tx_intents::nonce.eq(Some(attempt.nonce)),
                chain_tx_intents::gas_limit.eq(Some(gas_limit)),
                chain_tx_intents::tx_hash.eq(Some(&attempt.tx_hash)),
                chain_tx_intents::attempts.eq(chain_tx_intents::attempts + 1),
                chain_tx_intents::sent_at.eq(Some(now)),
                chain_tx_intents::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn mark_mined(
    conn: &mut DbConnection,
    id: &str,
    tx_hash: &str,
    block: i64,
    success: bool,
    now: DateTime<Utc>,
) -> DbResult<()> {
    diesel::update(chain_tx_intents::table.find(id))
        .set((
            chain_tx_intents::status.eq(IntentStatus::Mined.as_str()),
            chain_tx_intents::tx_hash.eq(Some(tx_hash)),
            chain_tx_intents::mined_block.eq(Some(block)),
            chain_tx_intents::success.eq(Some(success)),
            chain_tx_intents::updated_at.eq(naive(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The intent's nonce was used by a transaction that is none of its attempts, so none of
/// them can be mined any more: it goes back to the queue for a new nonce.
pub fn requeue(conn: &mut DbConnection, id: &str, reason: &str, now: DateTime<Utc>) -> DbResult<()> {
    diesel::update(chain_tx_intents::table.find(id))
        .set((
            chain_tx_intents::status.eq(IntentStatus::Queued.as_str()),
            chain_tx_intents::nonce.eq(None::<i64>),
            chain_tx_intents::mined_block.eq(None::<i64>),
            chain_tx_intents::success.eq(None::<bool>),
            chain_tx_intents::last_error.eq(Some(reason)),
            chain_tx_intents::updated_at.eq(naive(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A mined intent whose block was orphaned is in flight again (its nonce unchanged).
pub fn reopen(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> DbResult<()> {
    diesel::update(chain_tx_intents::table.find(id).filter(chain_tx_intents::status.eq(IntentStatus::Mined.as_str())))
        .set((
            chain_tx_intents::status.eq(IntentStatus::Sent.as_str()),
            chain_tx_intents::mined_block.eq(None::<i64>),
            chain_tx_intents::success.eq(None::<bool>),
            chain_tx_intents::updated_at.eq(naive(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives up on a queued intent (it would revert, with the contract error in
/// `revert_data` when the node said which); the job that asked decides what next.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    error: &str,
    revert_data: Option<&str>,
    now: DateTime<Utc>,
) -> DbResult<()> {
    diesel::update(chain_tx_intents::table.find(id).filter(chain_tx_intents::status.eq(IntentStatus::Queued.as_str())))
        .set((
            chain_tx_intents::status.eq(IntentStatus::Failed.as_str()),
            chain_tx_intents::last_error.eq(Some(error)),
            chain_tx_intents::revert_data.eq(revert_data),
            chain_tx_intents::updated_at.eq(naive(now)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_error(conn: &mut DbConnection, id: &str, error: &str, now: DateTime<Utc>) -> DbResult<()> {
    diesel::update(chain_tx_intents::table.find(id))
        .set((chain_tx_intents::last_error.eq(Some(error)), chain_tx_intents::updated_at.eq(naive(now))))
        .execute(conn)?;
    Ok(())
}
