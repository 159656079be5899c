//! Listing rows and the queries stewards and members run against them.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use commissary_domain::listing::{Fulfilment, Pickup, Shipping};
use commissary_domain::{Address, ListingDetails, ListingId, ListingStatus, ListingTransition, Schedule, TokenAmount};

use crate::schema::listings;
use crate::{Conflict, DbConnection, DbError, DbResult};

/// The stored texts of `list`, for `status IN (...)` guards built from the domain's rules.
pub(crate) fn statuses<'a>(list: impl IntoIterator<Item = &'a ListingStatus>) -> Vec<&'static str> {
    list.into_iter().map(|s| s.as_str()).collect()
}

/// The statuses in which the domain lets a listing be edited (the guard of draft writes).
fn editable() -> Vec<&'static str> {
    statuses(ListingStatus::ALL.iter().filter(|s| s.can_edit()))
}

/// Zero-padded so that text order equals numeric order (uint96 has at most 29 digits).
pub fn price_key(amount: &TokenAmount) -> String {
    format!("{:0>30}", amount.to_string())
}

/// The current end in unix seconds, the key "ending soon" pages are read in: the
/// auction's end once it exists (written with its projection), the scheduled one before.
pub fn end_key(end: DateTime<Utc>) -> i64 {
    end.timestamp()
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = listings)]
#[diesel(treat_none_as_null = true)]
pub(crate) struct ListingRow {
    id: String,
    status: String,
    title: String,
    description: String,
    category: String,
    item_condition: String,
    donor_credit: Option<String>,
    reserve_price: String,
    current_price: String,
    price_key: String,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    min_increment_bps: i32,
    extension_secs: i32,
    pickup_available: bool,
    pickup_location: Option<String>,
    shipping_available: bool,
    shipping_note: Option<String>,
    listing_document: Option<String>,
    listing_hash: Option<String>,
    auction_id: Option<String>,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A listing as stored, with domain types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingRecord {
    pub id: ListingId,
    pub status: ListingStatus,
    pub details: ListingDetails,
    pub current_price: TokenAmount,
    pub listing_document: Option<String>,
    pub listing_hash: Option<String>,
    pub auction_id: Option<String>,
    pub created_by: Address,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn corrupt(field: &str, value: &str) -> DbError {
    DbError::Corrupt(format!("listings.{field} = {value:?}"))
}

impl TryFrom<ListingRow> for ListingRecord {
    type Error = DbError;

    fn try_from(row: ListingRow) -> DbResult<Self> {
        let amount = |field: &str, v: &str| TokenAmount::parse(v).map_err(|_| corrupt(field, v));
        let small = |field: &str, v: i32| u32::try_from(v).map_err(|_| corrupt(field, &v.to_string()));
        Ok(Self {
            id: row.id.parse().map_err(|_| corrupt("id", &row.id))?,
            status: row.status.parse().map_err(|_| corrupt("status", &row.status))?,
            details: ListingDetails {
                title: row.title,
                description: row.description,
                category: row.category.parse().map_err(|_| corrupt("category", &row.category))?,
                condition: row.item_condition.parse().map_err(|_| corrupt("item_condition", &row.item_condition))?,
                donor_credit: row.donor_credit,
                reserve_price: amount("reserve_price", &row.reserve_price)?,
                schedule: Schedule { starts_at: row.starts_at.and_utc(), ends_at: row.ends_at.and_utc() },
                min_increment_bps: u16::try_from(row.min_increment_bps)
                    .map_err(|_| corrupt("min_increment_bps", &row.min_increment_bps.to_string()))?,
                extension_secs: small("extension_secs", row.extension_secs)?,
                fulfilment: Fulfilment {
                    pickup: Pickup { available: row.pickup_available, location: row.pickup_location },
                    shipping: Shipping { available: row.shipping_available, note: row.shipping_note },
                },
            },
            current_price: amount("current_price", &row.current_price)?,
            listing_document: row.listing_document,
            listing_hash: row.listing_hash,
            auction_id: row.auction_id,
            created_by: Address::parse(&row.created_by).map_err(|_| corrupt("created_by", &row.created_by))?,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

impl ListingRow {
    fn from_record(r: &ListingRecord) -> Self {
        let d = &r.details;
        Self {
            id: r.id.to_string(),
            status: r.status.as_str().to_owned(),
            title: d.title.clone(),
            description: d.description.clone(),
            category: d.category.as_str().to_owned(),
            item_condition: d.condition.as_str().to_owned(),
            donor_credit: d.donor_credit.clone(),
            reserve_price: d.reserve_price.to_string(),
            current_price: r.current_price.to_string(),
            price_key: price_key(&r.current_price),
            starts_at: d.schedule.starts_at.naive_utc(),
            ends_at: d.schedule.ends_at.naive_utc(),
            min_increment_bps: i32::from(d.min_increment_bps),
            // Bounded by validation to one day, so the conversion cannot fail.
            extension_secs: i32::try_from(d.extension_secs).unwrap_or(i32::MAX),
            pickup_available: d.fulfilment.pickup.available,
            pickup_location: d.fulfilment.pickup.location.clone(),
            shipping_available: d.fulfilment.shipping.available,
            shipping_note: d.fulfilment.shipping.note.clone(),
            listing_document: r.listing_document.clone(),
            listing_hash: r.listing_hash.clone(),
            auction_id: r.auction_id.clone(),
            created_by: r.created_by.to_lower_hex(),
            created_at: r.created_at.naive_utc(),
            updated_at: r.updated_at.naive_utc(),
        }
    }
}

impl ListingRecord {
    /// A fresh draft; its current price is the reserve until someone bids.
    pub fn new_draft(details: ListingDetails, created_by: Address, now: DateTime<Utc>) -> Self {
        let now = crate::storable(now);
        Self {
            id: ListingId::new(),
            status: ListingStatus::Draft,
            current_price: details.reserve_price,
            details,
            listing_document: None,
            listing_hash: None,
            auction_id: None,
            created_by,
            created_at: now,
            updated_at: now,
        }
    }
}

pub fn insert(conn: &mut DbConnection, record: &ListingRecord) -> DbResult<()> {
    diesel::insert_into(listings::table)
        .values((ListingRow::from_record(record), listings::end_key.eq(end_key(record.details.schedule.ends_at))))
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: ListingId) -> DbResult<ListingRecord> {
    listings::table.find(id.to_string()).select(ListingRow::as_select()).first(conn)?.try_into()
}

/// Distinguishes "no such listing" from "exists but not a draft" after a guarded write.
fn not_draft_or_missing(conn: &mut DbConnection, id: ListingId) -> DbError {
    match get(conn, id) {
        Ok(_) => DbError::Conflict(Conflict::ListingNotDraft),
        Err(e) => e,
    }
}

/// Replaces a draft's details. The `status = 'draft'` guard makes this safe against a
/// concurrent publish: whichever commits second sees the other's effect.
pub fn update_draft(
    conn: &mut DbConnection,
    id: ListingId,
    details: &ListingDetails,
    now: DateTime<Utc>,
) -> DbResult<ListingRecord> {
    let current = get(conn, id)?;
    let now = crate::storable(now);
    let record =
        ListingRecord { details: details.clone(), current_price: details.reserve_price, updated_at: now, ..current };
    let updated = diesel::update(
        listings::table.filter(listings::id.eq(id.to_string())).filter(listings::status.eq_any(editable())),
    )
    .set((ListingRow::from_record(&record), listings::end_key.eq(end_key(details.schedule.ends_at))))
    .execute(conn)?;
    if updated == 0 {
        return Err(not_draft_or_missing(conn, id));
    }
    Ok(record)
}

pub fn delete_draft(conn: &mut DbConnection, id: ListingId) -> DbResult<()> {
    let deleted = diesel::delete(
        listings::table.filter(listings::id.eq(id.to_string())).filter(listings::status.eq_any(editable())),
    )
    .execute(conn)?;
    if deleted == 0 {
        return Err(not_draft_or_missing(conn, id));
    }
    Ok(())
}

/// Locks a draft against concurrent edits for the rest of the transaction by bumping
/// `updated_at` under the draft guard; returns the record. Photo writes call this first
/// so that a photo can never be attached to a listing that is being published.
pub fn touch_draft(conn: &mut DbConnection, id: ListingId, now: DateTime<Utc>) -> DbResult<ListingRecord> {
    let updated = diesel::update(
        listings::table.filter(listings::id.eq(id.to_string())).filter(listings::status.eq_any(editable())),
    )
    .set(listings::updated_at.eq(now.naive_utc()))
    .execute(conn)?;
    if updated == 0 {
        return Err(not_draft_or_missing(conn, id));
    }
    get(conn, id)
}

/// Freezes a draft for publication: stores its canonical document and hash and makes the
/// [`ListingTransition::Publish`] move, all under the draft guard so a concurrent edit
/// cannot slip in.
pub fn freeze_for_publish(
    conn: &mut DbConnection,
    id: ListingId,
    document: &str,
    listing_hash: &str,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let (from, to) = ListingTransition::Publish.statuses();
    let updated = diesel::update(
        listings::table.filter(listings::id.eq(id.to_string())).filter(listings::status.eq(from.as_str())),
    )
    .set((
        listings::status.eq(to.as_str()),
        listings::listing_document.eq(Some(document)),
        listings::listing_hash.eq(Some(listing_hash)),
        listings::updated_at.eq(crate::storable(now).naive_utc()),
    ))
    .execute(conn)
    // The contract identifies auctions by this hash, so two identical listings (same
    // text, times and photos) cannot both be published.
    .map_err(|e| DbError::from(e).on_unique(Conflict::DuplicateListing))?;
    if updated == 0 {
        return Err(not_draft_or_missing(conn, id));
    }
    Ok(())
}

/// Makes one of the domain's transitions; fails with [`Conflict::StatusChanged`] if the
/// listing is no longer where the transition starts (someone else moved it first).
pub fn transition(
    conn: &mut DbConnection,
    id: ListingId,
    transition: ListingTransition,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let (from, to) = transition.statuses();
    let updated = diesel::update(
        listings::table.filter(listings::id.eq(id.to_string())).filter(listings::status.eq(from.as_str())),
    )
    .set((listings::status.eq(to.as_str()), listings::updated_at.eq(now.naive_utc())))
    .execute(conn)?;
    if updated == 0 {
        get(conn, id)?;
        return Err(DbError::Conflict(Conflict::StatusChanged));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_keys_sort_numerically() {
        let k = |v: u128| price_key(&TokenAmount::from_u128(v).expect("fits"));
        assert!(k(9) < k(10));
        assert!(k(999_999_999_999_999_999) < k(1_000_000_000_000_000_000));
        assert_eq!(k(1).len(), 30);
        assert_eq!(price_key(&TokenAmount::parse("79228162514264337593543950335").expect("max")).len(), 30);
    }
}
