//! The notification outbox. A notification is recorded once (unique `dedupe_key`) where
//! its cause is recorded (the indexer's transaction, a fulfillment step, a scan); the
//! delivery worker then plans one delivery row per channel and delivers them with
//! retries. A delivery is claimed (attempt counted, lock set) before the outside effect
//! and completed after it, so a crash in between repeats it with the same identity.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use commissary_domain::notification::{Channel, NotificationKind};

use super::schema::{notification_deliveries, notifications};
use crate::chain::schema::chain_bids;
use crate::chain::{corrupt, naive};
use crate::{DbConnection, DbError, DbResult};

/// A notification to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub dedupe_key: String,
    pub kind: NotificationKind,
    /// Lowercase 0x address.
    pub recipient: String,
    pub listing_id: Option<String>,
    pub auction_id: Option<String>,
    /// Public facts only (amounts, states, the listing title): it goes to webhooks too.
    pub payload: serde_json::Value,
    /// The chain block of the event it came from, so a reorg can retract it.
    pub source_block: Option<i64>,
}

/// Records `notification` unless its key exists; returns whether it is new. Safe inside
/// the caller's transaction (checks before inserting, so PostgreSQL's transaction is
/// never aborted by a unique violation); a concurrent insert of the same key outside a
/// transaction surfaces as `Ok(false)`.
pub fn record(conn: &mut DbConnection, notification: &NewNotification, now: DateTime<Utc>) -> DbResult<bool> {
    let exists: i64 =
        notifications::table.filter(notifications::dedupe_key.eq(&notification.dedupe_key)).count().get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    let inserted = diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(uuid::Uuid::now_v7().to_string()),
            notifications::dedupe_key.eq(&notification.dedupe_key),
            notifications::kind.eq(notification.kind.as_str()),
            notifications::recipient.eq(notification.recipient.to_ascii_lowercase()),
            notifications::listing_id.eq(&notification.listing_id),
            notifications::auction_id.eq(&notification.auction_id),
            notifications::payload.eq(notification.payload.to_string()),
            notifications::source_block.eq(notification.source_block),
            notifications::created_at.eq(naive(now)),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Members who bid on `auction_id`, in the order of their first bid: who hears how an
/// auction ended (`won` / `lost`).
pub fn bidders(conn: &mut DbConnection, auction_id: &str) -> DbResult<Vec<String>> {
    let bidders: Vec<String> = chain_bids::table
        .filter(chain_bids::auction_id.eq(auction_id))
        .order((chain_bids::block_number.asc(), chain_bids::log_index.asc()))
        .select(chain_bids::bidder)
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    Ok(bidders.into_iter().filter(|b| seen.insert(b.clone())).collect())
}

/// Who hears that an auction is ending soon: its bidders, then the members watching its
/// listing, each once.
pub fn ending_soon_audience(conn: &mut DbConnection, auction_id: &str, listing_id: &str) -> DbResult<Vec<String>> {
    let mut audience = bidders(conn, auction_id)?;
    for watcher in crate::members::watchlist::watchers(conn, listing_id)? {
        if !audience.iter().any(|m| m.eq_ignore_ascii_case(&watcher)) {
            audience.push(watcher);
        }
    }
    Ok(audience)
}

/// The bidder who led `auction_id` just before the bid at `(block, log_index)`.
pub fn previous_leader(
    conn: &mut DbConnection,
    auction_id: &str,
    block: i64,
    log_index: i64,
) -> DbResult<Option<String>> {
    Ok(chain_bids::table
        .filter(chain_bids::auction_id.eq(auction_id))
        .filter(
            chain_bids::block_number
                .lt(block)
                .or(chain_bids::block_number.eq(block).and(chain_bids::log_index.lt(log_index))),
        )
        .order((chain_bids::block_number.desc(), chain_bids::log_index.desc()))
        .select(chain_bids::bidder)
        .first(conn)
        .optional()?)
}

/// A reorg orphaned blocks above `ancestor`: notifications from there that reached no
/// channel yet are deleted; where some channel already had it, the rest is cancelled.
pub(crate) fn retract_above(conn: &mut DbConnection, ancestor: i64, now: NaiveDateTime) -> DbResult<usize> {
    let ids: Vec<String> =
        notifications::table.filter(notifications::source_block.gt(ancestor)).select(notifications::id).load(conn)?;
    let mut retracted = 0;
    for id in ids {
        let delivered: i64 = notification_deliveries::table
            .filter(notification_deliveries::notification_id.eq(&id))
            .filter(notification_deliveries::status.eq(DeliveryStatus::Delivered.as_str()))
            .count()
            .get_result(conn)?;
        if delivered == 0 {
            diesel::delete(notification_deliveries::table.filter(notification_deliveries::notification_id.eq(&id)))
                .execute(conn)?;
            diesel::delete(notifications::table.find(&id)).execute(conn)?;
        } else {
            diesel::update(
                notification_deliveries::table
                    .filter(notification_deliveries::notification_id.eq(&id))
                    .filter(notification_deliveries::status.eq(DeliveryStatus::Pending.as_str())),
            )
            .set((
                notification_deliveries::status.eq(DeliveryStatus::Skipped.as_str()),
                notification_deliveries::last_error.eq("retracted: its chain event was rolled back"),
                notification_deliveries::locked_until.eq(None::<NaiveDateTime>),
                notification_deliveries::delivered_at.eq(Some(now)),
            ))
            .execute(conn)?;
        }
        retracted += 1;
    }
    Ok(retracted)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
    Skipped,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed, Self::Skipped].into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
struct NotificationRow {
    id: String,
    dedupe_key: String,
    kind: String,
    recipient: String,
    listing_id: Option<String>,
    auction_id: Option<String>,
    payload: String,
    source_block: Option<i64>,
    created_at: NaiveDateTime,
    planned_at: Option<NaiveDateTime>,
    read_at: Option<NaiveDateTime>,
}

/// A recorded notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: String,
    pub dedupe_key: String,
    pub kind: NotificationKind,
    pub recipient: String,
    pub listing_id: Option<String>,
    pub auction_id: Option<String>,
    pub payload: serde_json::Value,
    pub source_block: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl TryFrom<NotificationRow> for Notification {
    type Error = DbError;
    fn try_from(row: NotificationRow) -> DbResult<Self> {
        let _ = row.planned_at;
        Ok(Self {
            kind: row.kind.parse().map_err(|_| corrupt("notifications", "kind", &row.kind))?,
            payload: serde_json::from_str(&row.payload).map_err(|_| corrupt("notifications", "payload", &row.id))?,
            id: row.id,
            dedupe_key: row.dedupe_key,
            recipient: row.recipient,
            listing_id: row.listing_id,
            auction_id: row.auction_id,
            source_block: row.source_block,
            created_at: row.created_at.and_utc(),
            read_at: row.read_at.map(|t| t.and_utc()),
        })
    }
}

pub fn get(conn: &mut DbConnection, id: &str) -> DbResult<Option<Notification>> {
    let row: Option<NotificationRow> =
        notifications::table.find(id).select(NotificationRow::as_select()).first(conn).optional()?;
    row.map(Notification::try_from).transpose()
}

/// Notifications whose deliveries are not planned yet, oldest first.
pub fn unplanned(conn: &mut DbConnection, limit: i64) -> DbResult<Vec<Notification>> {
    let rows: Vec<NotificationRow> = notifications::table
        .filter(notifications::planned_at.is_null())
        .order(notifications::created_at.asc())
        .limit(limit)
        .select(NotificationRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Notification::try_from).collect()
}

/// Creates the delivery rows of a notification (once: guarded by `planned_at`).
pub fn plan(
    conn: &mut DbConnection,
    notification_id: &str,
    channels: &[(Channel, String)],
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let now = naive(now);
    crate::connection::transaction(conn, |conn| {
        let claimed = diesel::update(
            notifications::table
                .filter(notifications::id.eq(notification_id))
                .filter(notifications::planned_at.is_null()),
        )
        .set(notifications::planned_at.eq(Some(now)))
        .execute(conn)?;
        if claimed == 0 {
            return Ok(false);
        }
        for (channel, target) in channels {
            diesel::insert_into(notification_deliveries::table)
                .values((
                    notification_deliveries::id.eq(uuid::Uuid::now_v7().to_string()),
                    notification_deliveries::notification_id.eq(notification_id),
                    notification_deliveries::channel.eq(channel.as_str()),
                    notification_deliveries::target.eq(target),
                    notification_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                    notification_deliveries::attempts.eq(0),
                    notification_deliveries::next_attempt_at.eq(now),
                    notification_deliveries::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(true)
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notification_deliveries)]
struct DeliveryRow {
    id: String,
    notification_id: String,
    channel: String,
    target: String,
    status: String,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    locked_by: Option<String>,
    locked_until: Option<NaiveDateTime>,
    last_error: Option<String>,
    delivered_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

/// One delivery of a notification over one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub notification_id: String,
    pub channel: Channel,
    /// The webhook URL; empty for in-app and email (the address is read when sending).
    pub target: String,
    pub status: DeliveryStatus,
    /// Attempts started, this one included once claimed.
    pub attempts: i32,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = DbError;
    fn try_from(row: DeliveryRow) -> DbResult<Self> {
        let _ = (row.next_attempt_at, row.locked_by, row.locked_until, row.created_at);
        Ok(Self {
            channel: row.channel.parse().map_err(|_| corrupt("notification_deliveries", "channel", &row.channel))?,
            status: DeliveryStatus::parse(&row.status)
                .ok_or_else(|| corrupt("notification_deliveries", "status", &row.status))?,
            id: row.id,
            notification_id: row.notification_id,
            target: row.target,
            attempts: row.attempts,
            last_error: row.last_error,
            delivered_at: row.delivered_at.map(|t| t.and_utc()),
        })
    }
}

/// Claims up to `limit` due deliveries for `worker` for `visibility`: the attempt is
/// counted now, before anything is sent. A delivery whose worker died is due again once
/// its lock has expired.
pub fn claim_due(
    conn: &mut DbConnection,
    worker: &str,
    limit: i64,
    visibility: Duration,
    now: DateTime<Utc>,
) -> DbResult<Vec<Delivery>> {
    let now_n = naive(now);
    let candidates: Vec<(String, i32)> = notification_deliveries::table
        .filter(notification_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(notification_deliveries::next_attempt_at.le(now_n))
        .filter(notification_deliveries::locked_until.is_null().or(notification_deliveries::locked_until.lt(now_n)))
        .order(notification_deliveries::next_attempt_at.asc())
        .limit(limit)
        .select((notification_deliveries::id, notification_deliveries::attempts))
        .load(conn)?;
    let mut claimed = Vec::new();
    for (id, attempts) in candidates {
        let updated = diesel::update(
            notification_deliveries::table
                .filter(notification_deliveries::id.eq(&id))
                .filter(notification_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
                .filter(notification_deliveries::attempts.eq(attempts)),
        )
        .set((
            notification_deliveries::attempts.eq(attempts + 1),
            notification_deliveries::locked_by.eq(Some(worker)),
            notification_deliveries::locked_until.eq(Some(naive(now + visibility))),
        ))
        .execute(conn)?;
        if updated == 1 {
            let row: DeliveryRow =
                notification_deliveries::table.find(&id).select(DeliveryRow::as_select()).first(conn)?;
            claimed.push(Delivery::try_from(row)?);
        }
    }
    Ok(claimed)
}

fn finish(
    conn: &mut DbConnection,
    delivery: &Delivery,
    worker: &str,
    status: DeliveryStatus,
    error: Option<&str>,
    next_attempt_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let target = notification_deliveries::table
        .filter(notification_deliveries::id.eq(&delivery.id))
        .filter(notification_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(notification_deliveries::locked_by.eq(worker))
        .filter(notification_deliveries::attempts.eq(delivery.attempts));
    let done_at = (status != DeliveryStatus::Pending).then(|| naive(now));
    let updated = diesel::update(target)
        .set((
            notification_deliveries::status.eq(status.as_str()),
            notification_deliveries::last_error.eq(error),
            notification_deliveries::locked_by.eq(None::<String>),
            notification_deliveries::locked_until.eq(None::<NaiveDateTime>),
            notification_deliveries::next_attempt_at.eq(naive(next_attempt_at.unwrap_or(now))),
            notification_deliveries::delivered_at.eq(done_at),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// The outside effect happened. `false` when the claim was lost meanwhile (another worker
/// took over after the lock expired): nothing is changed then.
pub fn mark_delivered(
    conn: &mut DbConnection,
    delivery: &Delivery,
    worker: &str,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    finish(conn, delivery, worker, DeliveryStatus::Delivered, None, None, now)
}

/// Delivers an in-app notification: marks it delivered and, in the same transaction, puts
/// it on the recipient's live stream (`/me/events`, kind `notification`), so the inbox and
/// the stream never disagree. Call [`crate::members::events::wake`] after it returns.
pub fn deliver_in_app(
    conn: &mut DbConnection,
    delivery: &Delivery,
    notification: &Notification,
    worker: &str,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    use crate::members::events::{self, EventKind, NewEvent};
    let recipient: commissary_domain::Address =
        notification.recipient.parse().map_err(|_| corrupt("notifications", "recipient", &notification.id))?;
    crate::connection::transaction(conn, |conn| {
        if !finish(conn, delivery, worker, DeliveryStatus::Delivered, None, None, now)? {
            return Ok(false);
        }
        let event = NewEvent {
            kind: EventKind::Notification,
            listing_id: notification.listing_id.clone(),
            auction_id: notification.auction_id.clone(),
            recipient: Some(recipient),
            data: serde_json::json!({
                "id": notification.id,
                "kind": notification.kind.as_str(),
                "headline": notification.kind.headline(),
                "listing_id": notification.listing_id,
                "auction_id": notification.auction_id,
                "data": notification.payload,
                "created_at": notification.created_at,
                "read": notification.read_at.is_some(),
            }),
        };
        events::record(conn, &event, now)?;
        Ok(true)
    })
}

/// Nothing to deliver (no confirmed email, opted out, webhook removed from the config).
pub fn mark_skipped(
    conn: &mut DbConnection,
    delivery: &Delivery,
    worker: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    finish(conn, delivery, worker, DeliveryStatus::Skipped, Some(reason), None, now)
}

/// The attempt failed: retry at `retry_at`, or give up (`None`) and record why.
pub fn mark_failed(
    conn: &mut DbConnection,
    delivery: &Delivery,
    worker: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let status = if retry_at.is_some() { DeliveryStatus::Pending } else { DeliveryStatus::Failed };
    finish(conn, delivery, worker, status, Some(error), retry_at, now)
}

/// Every delivery of a notification (for tests and operators).
pub fn deliveries_of(conn: &mut DbConnection, notification_id: &str) -> DbResult<Vec<Delivery>> {
    let rows: Vec<DeliveryRow> = notification_deliveries::table
        .filter(notification_deliveries::notification_id.eq(notification_id))
        .order(notification_deliveries::id.asc())
        .select(DeliveryRow::as_select())
        .load(conn)?;
    rows.into_iter().map(Delivery::try_from).collect()
}

/// All notifications, oldest first (for tests and operators).
pub fn all(conn: &mut DbConnection) -> DbResult<Vec<Notification>> {
    let rows: Vec<NotificationRow> =
        notifications::table.order(notifications::created_at.asc()).select(NotificationRow::as_select()).load(conn)?;
    rows.into_iter().map(Notification::try_from).collect()
}

/// A member's in-app inbox: notifications delivered in the app, newest first, with the
/// unread count.
pub fn inbox(
    conn: &mut DbConnection,
    recipient: &str,
    limit: i64,
    before: Option<&str>,
) -> DbResult<(Vec<Notification>, i64)> {
    let delivered_in_app = notification_deliveries::table
        .filter(notification_deliveries::channel.eq(Channel::InApp.as_str()))
        .filter(notification_deliveries::status.eq(DeliveryStatus::Delivered.as_str()))
        .select(notification_deliveries::notification_id);
    let mut query = notifications::table
        .filter(notifications::recipient.eq(recipient))
        .filter(notifications::id.eq_any(delivered_in_app))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(notifications::id.lt(before));
    }
    let rows: Vec<NotificationRow> =
        query.order(notifications::id.desc()).limit(limit).select(NotificationRow::as_select()).load(conn)?;
    let unread: i64 = notifications::table
        .filter(notifications::recipient.eq(recipient))
        .filter(notifications::read_at.is_null())
        .filter(
            notifications::id.eq_any(
                notification_deliveries::table
                    .filter(notification_deliveries::channel.eq(Channel::InApp.as_str()))
                    .filter(notification_deliveries::status.eq(DeliveryStatus::Delivered.as_str()))
                    .select(notification_deliveries::notification_id),
            ),
        )
        .count()
        .get_result(conn)?;
    Ok((rows.into_iter().map(Notification::try_from).collect::<DbResult<_>>()?, unread))
}

/// Marks the member's notifications read: the listed ones, or all when `ids` is `None`.
pub fn mark_read(
    conn: &mut DbConnection,
    recipient: &str,
    ids: Option<&[String]>,
    now: DateTime<Utc>,
) -> DbResult<usize> {
    let base = notifications::table
        .filter(notifications::recipient.eq(recipient))
        .filter(notifications::read_at.is_null())
        .into_boxed();
    let target = match ids {
        Some(ids) => base.filter(notifications::id.eq_any(ids.to_vec())),
        None => base,
    };
    let ids: Vec<String> = target.select(notifications::id).load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::update(notifications::table.filter(notifications::id.eq_any(ids)))
        .set(notifications::read_at.eq(Some(naive(now))))
        .execute(conn)?)
}
