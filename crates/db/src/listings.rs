//! Listing rows and the queries stewards and members run against them.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use commissary_domain::listing::{Fulfilment, Pickup, Shipping};
use commissary_domain::{Address, ListingDetails, ListingId, ListingStatus, Schedule, TokenAmount};

use crate::schema::listings;
use crate::{DbConnection, DbError, DbResult, MultiBackend};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Zero-padded so that text order equals numeric order (uint96 has at most 29 digits).
pub fn price_key(amount: &TokenAmount) -> String {
    format!("{:0>30}", amount.to_string())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = listings)]
#[diesel(treat_none_as_null = true)]
struct ListingRow {
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
    diesel::insert_into(listings::table).values(ListingRow::from_record(record)).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: ListingId) -> DbResult<ListingRecord> {
    listings::table.find(id.to_string()).select(ListingRow::as_select()).first(conn)?.try_into()
}

/// Distinguishes "no such listing" from "exists but not a draft" after a guarded write.
fn not_draft_or_missing(conn: &mut DbConnection, id: ListingId) -> DbError {
    match get(conn, id) {
        Ok(_) => DbError::Conflict("listing_not_draft"),
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
        listings::table
            .filter(listings::id.eq(id.to_string()))
            .filter(listings::status.eq(ListingStatus::Draft.as_str())),
    )
    .set(ListingRow::from_record(&record))
    .execute(conn)?;
    if updated == 0 {
        return Err(not_draft_or_missing(conn, id));
    }
    Ok(record)
}

pub fn delete_draft(conn: &mut DbConnection, id: ListingId) -> DbResult<()> {
    let deleted = diesel::delete(
        listings::table
            .filter(listings::id.eq(id.to_string()))
            .filter(listings::status.eq(ListingStatus::Draft.as_str())),
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
        listings::table
            .filter(listings::id.eq(id.to_string()))
            .filter(listings::status.eq(ListingStatus::Draft.as_str())),
    )
    .set(listings::updated_at.eq(now.naive_utc()))
    .execute(conn)?;
    if updated == 0 {
        return Err(not_draft_or_missing(conn, id));
    }
    get(conn, id)
}

/// Freezes a draft for publication: stores its canonical document and hash and moves it
/// to `publishing`, all under the draft guard so a concurrent edit cannot slip in.
pub fn freeze_for_publish(
    conn: &mut DbConnection,
    id: ListingId,
    document: &str,
    listing_hash: &str,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let updated = diesel::update(
        listings::table
            .filter(listings::id.eq(id.to_string()))
            .filter(listings::status.eq(ListingStatus::Draft.as_str())),
    )
    .set((
        listings::status.eq(ListingStatus::Publishing.as_str()),
        listings::listing_document.eq(Some(document)),
        listings::listing_hash.eq(Some(listing_hash)),
        listings::updated_at.eq(crate::storable(now).naive_utc()),
    ))
    .execute(conn)
    .map_err(|e| match DbError::from(e) {
        // The contract identifies auctions by this hash, so two identical listings
        // (same text, times and photos) cannot both be published.
        DbError::Conflict(_) => DbError::Conflict("duplicate_listing"),
        other => other,
    })?;
    if updated == 0 {
        return Err(not_draft_or_missing(conn, id));
    }
    Ok(())
}

/// Moves a listing from one status to another; fails with `Conflict("status_changed")`
/// if it is no longer in `from` (someone else moved it first).
pub fn transition(
    conn: &mut DbConnection,
    id: ListingId,
    from: ListingStatus,
    to: ListingStatus,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let updated = diesel::update(
        listings::table.filter(listings::id.eq(id.to_string())).filter(listings::status.eq(from.as_str())),
    )
    .set((listings::status.eq(to.as_str()), listings::updated_at.eq(now.naive_utc())))
    .execute(conn)?;
    if updated == 0 {
        get(conn, id)?;
        return Err(DbError::Conflict("status_changed"));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListingSort {
    #[default]
    EndingSoon,
    Newest,
    PriceLow,
    PriceHigh,
}

impl ListingSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EndingSoon => "ending_soon",
            Self::Newest => "newest",
            Self::PriceLow => "price_low",
            Self::PriceHigh => "price_high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::EndingSoon, Self::Newest, Self::PriceLow, Self::PriceHigh].into_iter().find(|v| v.as_str() == s)
    }
}

/// Where the previous page ended: the sort key of its last row plus that row's id as
/// the tie-breaker, so pages never skip or repeat rows with equal keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingCursor {
    pub key: String,
    pub id: String,
}

impl ListingCursor {
    pub fn after(sort: ListingSort, record: &ListingRecord) -> Self {
        let key = match sort {
            ListingSort::EndingSoon => record.details.schedule.ends_at.timestamp_micros().to_string(),
            ListingSort::Newest => record.created_at.timestamp_micros().to_string(),
            ListingSort::PriceLow | ListingSort::PriceHigh => price_key(&record.current_price),
        };
        Self { key, id: record.id.to_string() }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListingQuery {
    /// Only these statuses; `None` means every status except drafts.
    pub statuses: Option<Vec<ListingStatus>>,
    pub category: Option<String>,
    pub text: Option<String>,
    pub sort: ListingSort,
    pub cursor: Option<ListingCursor>,
    pub limit: i64,
}

fn micros_to_naive(key: &str) -> DbResult<NaiveDateTime> {
    key.parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .map(|t| t.naive_utc())
        .ok_or(DbError::Conflict("invalid_cursor"))
}

/// Escapes LIKE wildcards so a search for "100%" matches the text literally.
fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// One page of listings, plus whether another page follows.
pub fn list(conn: &mut DbConnection, query: &ListingQuery) -> DbResult<(Vec<ListingRecord>, bool)> {
    let mut q = listings::table.select(ListingRow::as_select()).into_boxed::<MultiBackend>();
    match &query.statuses {
        Some(statuses) => {
            q = q.filter(listings::status.eq_any(statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()))
        }
        None => q = q.filter(listings::status.ne(ListingStatus::Draft.as_str())),
    }
    if let Some(category) = &query.category {
        q = q.filter(listings::category.eq(category.clone()));
    }
    if let Some(text) = query.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = like_pattern(text.trim());
        q = q.filter(
            lower(listings::title)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(listings::description).like(pattern).escape('\\')),
        );
    }
    if let Some(cursor) = &query.cursor {
        let id = cursor.id.clone();
        q = match query.sort {
            ListingSort::EndingSoon => {
                let key = micros_to_naive(&cursor.key)?;
                q.filter(listings::ends_at.gt(key).or(listings::ends_at.eq(key).and(listings::id.gt(id))))
            }
            ListingSort::Newest => {
                let key = micros_to_naive(&cursor.key)?;
                q.filter(listings::created_at.lt(key).or(listings::created_at.eq(key).and(listings::id.lt(id))))
            }
            ListingSort::PriceLow => {
                let key = cursor.key.clone();
                q.filter(listings::price_key.gt(key.clone()).or(listings::price_key.eq(key).and(listings::id.gt(id))))
            }
            ListingSort::PriceHigh => {
                let key = cursor.key.clone();
                q.filter(listings::price_key.lt(key.clone()).or(listings::price_key.eq(key).and(listings::id.lt(id))))
            }
        };
    }
    q = match query.sort {
        ListingSort::EndingSoon => q.order((listings::ends_at.asc(), listings::id.asc())),
        ListingSort::Newest => q.order((listings::created_at.desc(), listings::id.desc())),
        ListingSort::PriceLow => q.order((listings::price_key.asc(), listings::id.asc())),
        ListingSort::PriceHigh => q.order((listings::price_key.desc(), listings::id.desc())),
    };
    let limit = query.limit.clamp(1, 100);
    let mut rows: Vec<ListingRow> = q.limit(limit + 1).load(conn)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let records = rows.into_iter().map(ListingRecord::try_from).collect::<DbResult<Vec<_>>>()?;
    Ok((records, has_more))
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

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("100%_Tube\\"), "%100\\%\\_tube\\\\%");
    }
}
