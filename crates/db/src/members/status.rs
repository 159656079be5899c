//! `status` events: a listing's status is announced whenever it differs from the last one
//! announced, whichever path changed it (indexer, phase updates, rollbacks).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use commissary_domain::ListingStatus;

use super::events::{EventKind, NewEvent, record};
use super::schema::live_listing_status;
use crate::schema::listings;
use crate::{DbConnection, DbResult};

/// Announces the listings' status where it differs from the last one announced (drafts
/// are never announced). Safe to call for listings that did not change.
pub fn sync_statuses<'a>(
    conn: &mut DbConnection,
    listing_ids: impl IntoIterator<Item = &'a str>,
    now: DateTime<Utc>,
) -> DbResult<()> {
    for listing_id in listing_ids {
        let Some(status) =
            listings::table.find(listing_id).select(listings::status).first::<String>(conn).optional()?
        else {
            continue;
        };
        if status == ListingStatus::Draft.as_str() {
            continue;
        }
        let announced: Option<String> =
            live_listing_status::table.find(listing_id).select(live_listing_status::status).first(conn).optional()?;
        if announced.as_deref() == Some(status.as_str()) {
            continue;
        }
        let updated = diesel::update(live_listing_status::table.find(listing_id))
            .set(live_listing_status::status.eq(&status))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(live_listing_status::table)
                .values((live_listing_status::listing_id.eq(listing_id), live_listing_status::status.eq(&status)))
                .execute(conn)?;
        }
        let data = json!({ "listing_id": listing_id, "status": status, "previous": announced });
        let event = NewEvent {
            kind: EventKind::Status,
            listing_id: Some(listing_id.to_owned()),
            auction_id: None,
            recipient: None,
            data,
        };
        record(conn, &event, now)?;
    }
    Ok(())
}
