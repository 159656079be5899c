//! Members' profiles: public display name, private email (used only once confirmed with
//! a one-time code, kept as a SHA-256), per-kind email opt-outs and the unsubscribe token.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use commissary_domain::notification::NotificationKind;
use commissary_domain::profile::EMAIL_CODE_MAX_ATTEMPTS;

use super::schema::member_profiles;
use crate::chain::{corrupt, naive};
use crate::{DbConnection, DbError, DbResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = member_profiles)]
struct Row {
    address: String,
    display_name: Option<String>,
    email: Option<String>,
    pending_email: Option<String>,
    email_code_hash: Option<String>,
    email_code_expires_at: Option<NaiveDateTime>,
    email_code_attempts: i32,
    email_opt_out: String,
    unsubscribe_token: String,
    updated_at: NaiveDateTime,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Profile {
    pub address: String,
    pub display_name: Option<String>,
    /// Confirmed address: the only one mail is sent to (besides the confirmation code).
    pub email: Option<String>,
    pub pending_email: Option<String>,
    pub email_opt_out: Vec<NotificationKind>,
    pub unsubscribe_token: String,
}

// Personal data stays out of Debug output (and so out of logs).
impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("address", &self.address)
            .field("has_email", &self.email.is_some())
            .field("email_opt_out", &self.email_opt_out)
            .finish_non_exhaustive()
    }
}

impl TryFrom<Row> for Profile {
    type Error = DbError;
    fn try_from(row: Row) -> DbResult<Self> {
        let _ = (row.email_code_hash, row.email_code_expires_at, row.email_code_attempts, row.updated_at);
        let kinds: Vec<String> = serde_json::from_str(&row.email_opt_out)
            .map_err(|_| corrupt("member_profiles", "email_opt_out", &row.email_opt_out))?;
        Ok(Self {
            email_opt_out: kinds
                .iter()
                .map(|k| k.parse().map_err(|_| corrupt("member_profiles", "email_opt_out", k)))
                .collect::<DbResult<_>>()?,
            address: row.address,
            display_name: row.display_name,
            email: row.email,
            pending_email: row.pending_email,
            unsubscribe_token: row.unsubscribe_token,
        })
    }
}

pub fn get(conn: &mut DbConnection, address: &str) -> DbResult<Option<Profile>> {
    let row: Option<Row> = member_profiles::table.find(address).select(Row::as_select()).first(conn).optional()?;
    row.map(Profile::try_from).transpose()
}

/// The profile, created empty on first use (with a fresh unsubscribe token).
pub fn get_or_create(conn: &mut DbConnection, address: &str, token: &str, now: DateTime<Utc>) -> DbResult<Profile> {
    if let Some(profile) = get(conn, address)? {
        return Ok(profile);
    }
    let inserted = diesel::insert_into(member_profiles::table)
        .values((
            member_profiles::address.eq(address),
            member_profiles::email_code_attempts.eq(0),
            member_profiles::email_opt_out.eq("[]"),
            member_profiles::unsubscribe_token.eq(token),
            member_profiles::updated_at.eq(naive(now)),
        ))
        .execute(conn);
    match inserted {
        Ok(_) | Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {}
        Err(e) => return Err(e.into()),
    }
    get(conn, address)?.ok_or(DbError::NotFound)
}

pub fn set_display_name(conn: &mut DbConnection, address: &str, name: &str, now: DateTime<Utc>) -> DbResult<()> {
    diesel::update(member_profiles::table.find(address))
        .set((member_profiles::display_name.eq(Some(name)), member_profiles::updated_at.eq(naive(now))))
        .execute(conn)?;
    Ok(())
}

/// Removes the email address (confirmed and pending) and any code.
pub fn clear_email(conn: &mut DbConnection, address: &str, now: DateTime<Utc>) -> DbResult<()> {
    diesel::update(member_profiles::table.find(address))
        .set((
            member_profiles::email.eq(None::<String>),
            member_profiles::pending_email.eq(None::<String>),
            member_profiles::email_code_hash.eq(None::<String>),
            member_profiles::email_code_expires_at.eq(None::<NaiveDateTime>),
            member_profiles::email_code_attempts.eq(0),
            member_profiles::updated_at.eq(naive(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Starts confirming `email`: a new code (its hash) replaces any previous one.
pub fn set_pending_email(
    conn: &mut DbConnection,
    address: &str,
    email: &str,
    code_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DbResult<()> {
    diesel::update(member_profiles::table.find(address))
        .set((
            member_profiles::pending_email.eq(Some(email)),
            member_profiles::email_code_hash.eq(Some(code_hash)),
            member_profiles::email_code_expires_at.eq(Some(naive(expires_at))),
            member_profiles::email_code_attempts.eq(0),
            member_profiles::updated_at.eq(naive(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a confirmation attempt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    Confirmed,
    /// Wrong code; this many tries remain.
    Wrong {
        remaining: i32,
    },
    /// No code pending, expired, or voided by too many wrong tries.
    NoCode,
}

/// Checks a code hash; a match moves the pending address to the confirmed one. Every
/// wrong try counts; the last allowed wrong try voids the code.
pub fn confirm_email(
    conn: &mut DbConnection,
    address: &str,
    code_hash: &str,
    now: DateTime<Utc>,
) -> DbResult<Confirmation> {
    crate::connection::transaction(conn, |conn| {
        let Some(row) = member_profiles::table.find(address).select(Row::as_select()).first(conn).optional()? else {
            return Ok(Confirmation::NoCode);
        };
        let live = row.email_code_expires_at.is_some_and(|t| t.and_utc() > now)
            && row.email_code_attempts < EMAIL_CODE_MAX_ATTEMPTS;
        let (Some(expected), Some(pending), true) =
            (row.email_code_hash.as_deref(), row.pending_email.as_deref(), live)
        else {
            return Ok(Confirmation::NoCode);
        };
        if constant_time_eq(expected.as_bytes(), code_hash.as_bytes()) {
            diesel::update(member_profiles::table.find(address))
                .set((
                    member_profiles::email.eq(Some(pending)),
                    member_profiles::pending_email.eq(None::<String>),
                    member_profiles::email_code_hash.eq(None::<String>),
                    member_profiles::email_code_expires_at.eq(None::<NaiveDateTime>),
                    member_profiles::email_code_attempts.eq(0),
                    member_profiles::updated_at.eq(naive(now)),
                ))
                .execute(conn)?;
            return Ok(Confirmation::Confirmed);
        }
        let attempts = row.email_code_attempts + 1;
        let remaining = EMAIL_CODE_MAX_ATTEMPTS - attempts;
        if remaining <= 0 {
            diesel::update(member_profiles::table.find(address))
                .set((
                    member_profiles::email_code_hash.eq(None::<String>),
                    member_profiles::email_code_expires_at.eq(None::<NaiveDateTime>),
                    member_profiles::email_code_attempts.eq(attempts),
                ))
                .execute(conn)?;
        } else {
            diesel::update(member_profiles::table.find(address))
                .set(member_profiles::email_code_attempts.eq(attempts))
                .execute(conn)?;
        }
        Ok(Confirmation::Wrong { remaining: remaining.max(0) })
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn set_opt_out(
    conn: &mut DbConnection,
    address: &str,
    kinds: &[NotificationKind],
    now: DateTime<Utc>,
) -> DbResult<()> {
    let text = serde_json::to_string(&kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>())
        .map_err(|e| DbError::Corrupt(e.to_string()))?;
    diesel::update(member_profiles::table.find(address))
        .set((member_profiles::email_opt_out.eq(text), member_profiles::updated_at.eq(naive(now))))
        .execute(conn)?;
    Ok(())
}

pub fn by_unsubscribe_token(conn: &mut DbConnection, token: &str) -> DbResult<Option<Profile>> {
    let row: Option<Row> = member_profiles::table
        .filter(member_profiles::unsubscribe_token.eq(token))
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    row.map(Profile::try_from).transpose()
}

/// Public display names of `addresses` (lowercase), for bids and wins.
pub fn display_names(conn: &mut DbConnection, addresses: &[String]) -> DbResult<Vec<(String, String)>> {
    if addresses.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, Option<String>)> = member_profiles::table
        .filter(member_profiles::address.eq_any(addresses))
        .select((member_profiles::address, member_profiles::display_name))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(a, n)| n.map(|n| (a, n))).collect())
}
