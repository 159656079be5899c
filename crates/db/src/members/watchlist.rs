//! Listings a member watches.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use commissary_domain::{Address, ListingId};

use super::schema::watchlist;
use crate::chain::naive;
use crate::{DbConnection, DbError, DbResult};

/// Adds `listing_id` to `member`'s watchlist; adding it again changes nothing.
pub fn add(conn: &mut DbConnection, member: Address, listing_id: ListingId, now: DateTime<Utc>) -> DbResult<()> {
    let inserted = diesel::insert_into(watchlist::table)
        .values((
            watchlist::member.eq(member.to_lower_hex()),
            watchlist::listing_id.eq(listing_id.to_string()),
            watchlist::created_at.eq(naive(now)),
        ))
        .execute(conn);
    match inserted.map_err(DbError::from) {
        Ok(_) | Err(DbError::Conflict(crate::Conflict::UniqueViolation)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes `listing_id` from `member`'s watchlist (nothing happens when it is not there).
pub fn remove(conn: &mut DbConnection, member: Address, listing_id: ListingId) -> DbResult<()> {
    diesel::delete(
        watchlist::table
            .filter(watchlist::member.eq(member.to_lower_hex()))
            .filter(watchlist::listing_id.eq(listing_id.to_string())),
    )
    .execute(conn)?;
    Ok(())
}

/// The members (lowercase hex) watching `listing_id`, earliest first.
pub fn watchers(conn: &mut DbConnection, listing_id: &str) -> DbResult<Vec<String>> {
    Ok(watchlist::table
        .filter(watchlist::listing_id.eq(listing_id))
        .order((watchlist::created_at.asc(), watchlist::member.asc()))
        .select(watchlist::member)
        .load(conn)?)
}

/// The listings `member` watches, most recently added first.
pub fn listing_ids(conn: &mut DbConnection, member: Address, limit: i64) -> DbResult<Vec<ListingId>> {
    let ids: Vec<String> = watchlist::table
        .filter(watchlist::member.eq(member.to_lower_hex()))
        .order((watchlist::created_at.desc(), watchlist::listing_id.asc()))
        .limit(limit)
        .select(watchlist::listing_id)
        .load(conn)?;
    ids.iter().map(|id| id.parse().map_err(|_| crate::chain::corrupt("watchlist", "listing_id", id))).collect()
}

/// How many members watch each of `listing_ids` (listings nobody watches are absent).
pub fn counts(conn: &mut DbConnection, listing_ids: &[ListingId]) -> DbResult<BTreeMap<ListingId, i64>> {
    if listing_ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let ids: Vec<String> = listing_ids.iter().map(ToString::to_string).collect();
    let rows: Vec<(String, i64)> = watchlist::table
        .filter(watchlist::listing_id.eq_any(ids))
        .group_by(watchlist::listing_id)
        .select((watchlist::listing_id, diesel::dsl::count_star()))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, n)| Ok((id.parse().map_err(|_| crate::chain::corrupt("watchlist", "listing_id", &id))?, n)))
        .collect()
}
