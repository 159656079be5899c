//! After the hammer: fulfillment of won items, the notification outbox, members'
//! profiles, and the stewards' reports. The indexer calls [`on_chain_event`] and
//! [`on_rollback`] inside its own transactions, so a sale's record and its notifications
//! exist exactly when the settlement is in the projection: applied once with it, and
//! undone (while nobody acted on them yet) when a reorg takes it back.

pub mod fulfillment;
pub mod notifications;
pub mod profiles;
pub mod reports;
pub mod schema;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use commissary_domain::notification::NotificationKind;
use commissary_domain::{AuctionEvent, LoggedEvent};

use self::notifications::NewNotification;
use crate::chain::schema::chain_auctions;
use crate::chain::{chain_time, naive};
use crate::schema::listings;
use crate::{DbConnection, DbResult};

/// The listing an auction belongs to, and its title (public facts for notifications).
fn listing_of_auction(conn: &mut DbConnection, auction_id: &str) -> DbResult<Option<(String, String)>> {
    Ok(chain_auctions::table
        .inner_join(listings::table.on(listings::id.nullable().eq(chain_auctions::listing_id)))
        .filter(chain_auctions::auction_id.eq(auction_id))
        .select((listings::id, listings::title))
        .first(conn)
        .optional()?)
}

/// Derives what follows from one newly applied contract event: an `outbid` for the member
/// who lost the lead, and at settlement the sale's fulfillment record plus `won` / `lost`.
/// Called once per event, in the indexer's transaction, after the projection was updated.
pub(crate) fn on_chain_event(conn: &mut DbConnection, event: &LoggedEvent, now: DateTime<Utc>) -> DbResult<()> {
    let auction_id = event.auction_id.to_string();
    let Some((listing_id, title)) = listing_of_auction(conn, &auction_id)? else { return Ok(()) };
    let base = |kind: NotificationKind, key: String, recipient: &str, payload: serde_json::Value| NewNotification {
        dedupe_key: key,
        kind,
        recipient: recipient.to_ascii_lowercase(),
        listing_id: Some(listing_id.clone()),
        auction_id: Some(auction_id.clone()),
        payload,
        source_block: Some(event.block_number),
    };
    match &event.event {
        AuctionEvent::BidPlaced { bidder, amount, end_time } => {
            let bidder = bidder.to_lower_hex();
            let previous = notifications::previous_leader(conn, &auction_id, event.block_number, event.log_index)?;
            if let Some(previous) = previous.filter(|p| !p.eq_ignore_ascii_case(&bidder)) {
                let payload = json!({
                    "listing_id": listing_id, "auction_id": auction_id, "title": title,
                    "amount": amount, "ends_at": end_time, "tx_hash": event.tx_hash,
                });
                let key = format!("outbid:{}:{}", event.tx_hash, event.log_index);
                notifications::record(conn, &base(NotificationKind::Outbid, key, &previous, payload), now)?;
            }
        }
        AuctionEvent::AuctionSettled { winner: Some(winner), amount } => {
            let winner = winner.to_lower_hex();
            let amount = amount.to_string();
            fulfillment::open_for_sale(
                conn,
                &fulfillment::SettledSale {
                    listing_id: &listing_id,
                    auction_id: &auction_id,
                    winner: &winner,
                    amount: &amount,
                    tx_hash: &event.tx_hash,
                    block_number: event.block_number,
                    settled_at: event.block_time,
                },
                naive(now),
            )?;
            let payload = json!({
                "listing_id": listing_id, "auction_id": auction_id, "title": title,
                "amount": amount, "tx_hash": event.tx_hash,
            });
            let won_key = format!("won:{auction_id}:{winner}");
            notifications::record(conn, &base(NotificationKind::Won, won_key, &winner, payload.clone()), now)?;
            for bidder in notifications::bidders(conn, &auction_id)? {
                if !bidder.eq_ignore_ascii_case(&winner) {
                    let key = format!("lost:{auction_id}:{bidder}");
                    notifications::record(conn, &base(NotificationKind::Lost, key, &bidder, payload.clone()), now)?;
                }
            }
        }
        AuctionEvent::AuctionSettled { winner: None, .. }
        | AuctionEvent::AuctionCreated { .. }
        | AuctionEvent::AuctionCancelled => {}
    }
    Ok(())
}

/// Undoes what [`on_chain_event`] derived from blocks above `ancestor` and nobody acted on
/// yet. Called in the indexer's rollback transaction.
pub(crate) fn on_rollback(conn: &mut DbConnection, ancestor: i64, now: DateTime<Utc>) -> DbResult<()> {
    let removed = fulfillment::remove_unclaimed_above(conn, ancestor)?;
    let retracted = notifications::retract_above(conn, ancestor, naive(now))?;
    if !removed.is_empty() || retracted > 0 {
        tracing::info!(
            fulfillments = removed.len(),
            notifications = retracted,
            ancestor,
            "reorg: after-sale records undone"
        );
    }
    Ok(())
}

/// Records `ending_soon` for every member in the audience of each open auction ending
/// within `lead` of `chain_now` (once per auction and member, however often it runs).
/// Returns how many were new.
pub fn scan_ending_soon(
    conn: &mut DbConnection,
    chain_now: i64,
    lead_secs: i64,
    now: DateTime<Utc>,
) -> DbResult<usize> {
    let due: Vec<(String, i64, String, String)> = chain_auctions::table
        .inner_join(listings::table.on(listings::id.nullable().eq(chain_auctions::listing_id)))
        .filter(chain_auctions::status.eq("open"))
        .filter(chain_auctions::end_time.gt(chain_now))
        .filter(chain_auctions::end_time.le(chain_now + lead_secs))
        .select((chain_auctions::auction_id, chain_auctions::end_time, listings::id, listings::title))
        .load(conn)?;
    let mut new = 0;
    for (auction_id, end_time, listing_id, title) in due {
        for member in notifications::ending_soon_audience(conn, &auction_id, &listing_id)? {
            let notification = NewNotification {
                dedupe_key: format!("ending_soon:{auction_id}:{member}"),
                kind: NotificationKind::EndingSoon,
                recipient: member,
                listing_id: Some(listing_id.clone()),
                auction_id: Some(auction_id.clone()),
                payload: json!({
                    "listing_id": listing_id, "auction_id": auction_id, "title": title,
                    "ends_at": chain_time(end_time)?,
                }),
                source_block: None,
            };
            new += usize::from(notifications::record(conn, &notification, now)?);
        }
    }
    Ok(new)
}

/// Records a `claim_reminder` for each sale still awaiting its claim whose `claim_by`
/// (settlement + `claim_period`) is within `remind_before` of `now`. Once per sale.
pub fn scan_claim_reminders(
    conn: &mut DbConnection,
    claim_period: chrono::Duration,
    remind_before: chrono::Duration,
    now: DateTime<Utc>,
) -> DbResult<usize> {
    let mut new = 0;
    for sale in fulfillment::awaiting_claim_settled_before(conn, now - claim_period + remind_before, 500)? {
        let claim_by = sale.settled_at + claim_period;
        if claim_by <= now {
            continue;
        }
        let title: String = listings::table.find(sale.listing_id.to_string()).select(listings::title).first(conn)?;
        let notification = NewNotification {
            dedupe_key: format!("claim_reminder:{}", sale.listing_id),
            kind: NotificationKind::ClaimReminder,
            recipient: sale.winner.to_lower_hex(),
            listing_id: Some(sale.listing_id.to_string()),
            auction_id: Some(sale.auction_id.clone()),
            payload: json!({
                "listing_id": sale.listing_id, "auction_id": sale.auction_id, "title": title, "claim_by": claim_by,
            }),
            source_block: None,
        };
        new += usize::from(notifications::record(conn, &notification, now)?);
    }
    Ok(new)
}

/// Records the `fulfillment_update` of one step for the winner (in the step's transaction).
pub fn announce_step(
    conn: &mut DbConnection,
    sale: &fulfillment::Fulfillment,
    step: &fulfillment::Step,
    tracking: Option<&str>,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let title: String = listings::table.find(sale.listing_id.to_string()).select(listings::title).first(conn)?;
    let notification = NewNotification {
        dedupe_key: format!("fulfillment:{}:{}", sale.listing_id, step.history_id),
        kind: NotificationKind::FulfillmentUpdate,
        recipient: sale.winner.to_lower_hex(),
        listing_id: Some(sale.listing_id.to_string()),
        auction_id: Some(sale.auction_id.clone()),
        payload: json!({
            "listing_id": sale.listing_id, "auction_id": sale.auction_id, "title": title,
            "from": step.from, "to": step.to, "tracking": tracking,
        }),
        source_block: None,
    };
    notifications::record(conn, &notification, now)
}
