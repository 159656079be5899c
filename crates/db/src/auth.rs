//! Sign-in nonces and server-side sessions.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::{auth_nonces, sessions};
use crate::{DbConnection, DbResult};

pub fn insert_nonce(
    conn: &mut DbConnection,
    nonce: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> DbResult<()> {
    diesel::insert_into(auth_nonces::table)
        .values((
            auth_nonces::nonce.eq(nonce),
            auth_nonces::created_at.eq(now.naive_utc()),
            auth_nonces::expires_at.eq(expires_at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks a nonce used. Returns false if it is unknown, expired or already used; the
/// single guarded UPDATE makes two concurrent logins with one nonce impossible.
pub fn consume_nonce(conn: &mut DbConnection, nonce: &str, now: DateTime<Utc>) -> DbResult<bool> {
    let updated = diesel::update(
        auth_nonces::table
            .filter(auth_nonces::nonce.eq(nonce))
            .filter(auth_nonces::used_at.is_null())
            .filter(auth_nonces::expires_at.gt(now.naive_utc())),
    )
    .set(auth_nonces::used_at.eq(Some(now.naive_utc())))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn session_insert(
    conn: &mut DbConnection,
    id_hash: &str,
    state: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> DbResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id_hash.eq(id_hash),
            sessions::state.eq(state),
            sessions::created_at.eq(now.naive_utc()),
            sessions::expires_at.eq(expires_at.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The session's state, unless it is unknown or expired.
pub fn session_load(conn: &mut DbConnection, id_hash: &str, now: DateTime<Utc>) -> DbResult<Option<String>> {
    Ok(sessions::table
        .filter(sessions::id_hash.eq(id_hash))
        .filter(sessions::expires_at.gt(now.naive_utc()))
        .select(sessions::state)
        .first(conn)
        .optional()?)
}

/// Replaces state and expiry; returns false if the session no longer exists.
pub fn session_update(
    conn: &mut DbConnection,
    id_hash: &str,
    state: Option<&str>,
    expires_at: DateTime<Utc>,
) -> DbResult<bool> {
    let target = sessions::table.filter(sessions::id_hash.eq(id_hash));
    let updated = match state {
        Some(state) => diesel::update(target)
            .set((sessions::state.eq(state), sessions::expires_at.eq(expires_at.naive_utc())))
            .execute(conn)?,
        None => diesel::update(target).set(sessions::expires_at.eq(expires_at.naive_utc())).execute(conn)?,
    };
    Ok(updated == 1)
}

pub fn session_delete(conn: &mut DbConnection, id_hash: &str) -> DbResult<()> {
    diesel::delete(sessions::table.filter(sessions::id_hash.eq(id_hash))).execute(conn)?;
    Ok(())
}

/// Removes expired nonces and sessions; run periodically.
pub fn purge_expired(conn: &mut DbConnection, now: DateTime<Utc>) -> DbResult<usize> {
    let n = diesel::delete(auth_nonces::table.filter(auth_nonces::expires_at.le(now.naive_utc()))).execute(conn)?;
    let s = diesel::delete(sessions::table.filter(sessions::expires_at.le(now.naive_utc()))).execute(conn)?;
    Ok(n + s)
}
