//! Leader leases: a row per name naming its holder until `expires_at`. Only the holder
//! works; `epoch` grows with every change of holder and fences writes of a deposed one.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::naive;
use super::schema::chain_leases;
use crate::{Conflict, DbConnection, DbError, DbResult};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = chain_leases)]
struct LeaseRow {
    name: String,
    holder: String,
    epoch: i64,
    expires_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A held lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    pub epoch: i64,
    pub expires_at: DateTime<Utc>,
}

impl From<LeaseRow> for Lease {
    fn from(row: LeaseRow) -> Self {
        Self { name: row.name, holder: row.holder, epoch: row.epoch, expires_at: row.expires_at.and_utc() }
    }
}

pub fn current(conn: &mut DbConnection, name: &str) -> DbResult<Option<Lease>> {
    Ok(chain_leases::table.find(name).select(LeaseRow::as_select()).first(conn).optional()?.map(Lease::from))
}

/// Takes or renews the lease for `holder` until `now + ttl`. Returns the lease when
/// `holder` has it afterwards, `None` while someone else holds an unexpired one.
pub fn try_acquire(
    conn: &mut DbConnection,
    name: &str,
    holder: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> DbResult<Option<Lease>> {
    let expires = naive(now + ttl);
    let now_n = naive(now);
    let Some(row) = current(conn, name)? else {
        let inserted = crate::connection::transaction(conn, |conn| {
            diesel::insert_into(chain_leases::table)
                .values((
                    chain_leases::name.eq(name),
                    chain_leases::holder.eq(holder),
                    chain_leases::epoch.eq(1_i64),
                    chain_leases::expires_at.eq(expires),
                    chain_leases::updated_at.eq(now_n),
                ))
                .execute(conn)
                .map_err(DbError::from)
        });
        return match inserted {
            Ok(_) => current(conn, name),
            Err(DbError::Conflict(Conflict::UniqueViolation)) => Ok(None),
            Err(e) => Err(e),
        };
    };
    let (new_epoch, allowed) =
        if row.holder == holder { (row.epoch, true) } else { (row.epoch + 1, row.expires_at < crate::storable(now)) };
    if !allowed {
        return Ok(None);
    }
    let updated = diesel::update(
        chain_leases::table
            .filter(chain_leases::name.eq(name))
            .filter(chain_leases::holder.eq(&row.holder))
            .filter(chain_leases::epoch.eq(row.epoch)),
    )
    .set((
        chain_leases::holder.eq(holder),
        chain_leases::epoch.eq(new_epoch),
        chain_leases::expires_at.eq(expires),
        chain_leases::updated_at.eq(now_n),
    ))
    .execute(conn)?;
    if updated == 1 { current(conn, name) } else { Ok(None) }
}

/// Extends a held lease; false when it was lost (another holder or epoch).
pub fn renew(conn: &mut DbConnection, lease: &Lease, ttl: Duration, now: DateTime<Utc>) -> DbResult<bool> {
    let updated = diesel::update(
        chain_leases::table
            .filter(chain_leases::name.eq(&lease.name))
            .filter(chain_leases::holder.eq(&lease.holder))
            .filter(chain_leases::epoch.eq(lease.epoch)),
    )
    .set((chain_leases::expires_at.eq(naive(now + ttl)), chain_leases::updated_at.eq(naive(now))))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Gives a lease up so another worker can take it at once (graceful shutdown).
pub fn release(conn: &mut DbConnection, lease: &Lease, now: DateTime<Utc>) -> DbResult<()> {
    diesel::update(
        chain_leases::table
            .filter(chain_leases::name.eq(&lease.name))
            .filter(chain_leases::holder.eq(&lease.holder))
            .filter(chain_leases::epoch.eq(lease.epoch)),
    )
    .set((chain_leases::expires_at.eq(naive(now - Duration::seconds(1))), chain_leases::updated_at.eq(naive(now))))
    .execute(conn)?;
    Ok(())
}

/// Fence for writes that must come from the current holder: inside the caller's
/// transaction, touches the lease row (on PostgreSQL this locks it until commit) and
/// fails with [`Conflict::LeaseLost`] unless `lease` is still held and unexpired.
pub fn fence(conn: &mut DbConnection, lease: &Lease, now: DateTime<Utc>) -> DbResult<()> {
    let now_n = naive(now);
    let updated = diesel::update(
        chain_leases::table
            .filter(chain_leases::name.eq(&lease.name))
            .filter(chain_leases::holder.eq(&lease.holder))
            .filter(chain_leases::epoch.eq(lease.epoch))
            .filter(chain_leases::expires_at.gt(now_n)),
    )
    .set(chain_leases::updated_at.eq(now_n))
    .execute(conn)?;
    if updated == 1 { Ok(()) } else { Err(DbError::Conflict(Conflict::LeaseLost)) }
}
