//! Full-text search of listings, one query API over the two backends' own indexes: SQLite's
//! FTS5 table `listing_search` and PostgreSQL's `listings.search` tsvector (GIN), both
//! kept current by the database in the transaction of every write (migrations
//! `000008_listing_search`, `000011_read_order`: SQLite's rows are keyed by
//! `listings.search_rowid`, so a match joins on an integer without reading the table).
//!
//! What a member types is split into words here (every character that is not a letter or
//! digit separates, as both indexes split the stored text), lowercased, and each word is
//! matched as a prefix ("fend" finds Fender); a listing matches when it has every word.
//! The words are plain alphanumerics, so no FTS5 or tsquery syntax can be injected.
//!
//! Ranking is the same on both backends by construction (the backends' own scores, bm25
//! and ts_rank, differ in their floats): listings whose title has every word come before
//! those that match only with the description; the sort's order breaks ties.

use diesel::dsl::{AsExprOf, sql};
use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text};

use crate::{DbConnection, DbResult};

/// At most this many words of a query are used; more only make the query slower.
const MAX_TERMS: usize = 8;
/// Longer "words" are cut to this many characters (still a prefix of themselves).
const MAX_TERM_CHARS: usize = 64;

/// A parsed search: the words of the query, lowercased, each matched as a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    terms: Vec<String>,
}

impl SearchText {
    /// The words of `text`; `None` when it has none (e.g. only punctuation), which
    /// matches nothing.
    pub fn parse(text: &str) -> Option<Self> {
        let terms: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(MAX_TERMS)
            .map(|w| w.chars().take(MAX_TERM_CHARS).collect::<String>().to_lowercase())
            .collect();
        (!terms.is_empty()).then_some(Self { terms })
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// FTS5 query: every word as a quoted prefix term, in the title only or anywhere.
    fn fts5(&self, title_only: bool) -> String {
        let all = self.terms.iter().map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(" ");
        if title_only { format!("title : ({all})") } else { all }
    }

    /// tsquery text: every word as a prefix (`:*`), weight A (the title) or any weight.
    fn tsquery(&self, title_only: bool) -> String {
        let weight = if title_only { "A" } else { "" };
        self.terms.iter().map(|t| format!("{t}:*{weight}")).collect::<Vec<_>>().join(" & ")
    }

    fn query_for(&self, conn: &DbConnection, title_only: bool) -> String {
        match conn {
            DbConnection::Sqlite(_) => self.fts5(title_only),
            DbConnection::Postgres(_) => self.tsquery(title_only),
        }
    }
}

/// SQL condition on `listings`, with its query bound as a parameter.
pub type Condition = SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, AsExprOf<String, Text>>>;
/// SQL integer expression on `listings`, with its query bound as a parameter.
pub type Tier = SqlLiteral<Integer, UncheckedBind<SqlLiteral<Integer>, AsExprOf<String, Text>>>;

fn matching_sql(conn: &DbConnection) -> (&'static str, &'static str) {
    match conn {
        DbConnection::Sqlite(_) => {
            ("listings.search_rowid IN (SELECT rowid FROM listing_search WHERE listing_search MATCH ", ")")
        }
        DbConnection::Postgres(_) => ("listings.search @@ to_tsquery('simple', ", ")"),
    }
}

/// The listings having every word (the filter of a search); uses the full-text index.
pub fn matches(conn: &DbConnection, text: &SearchText) -> Condition {
    let (before, after) = matching_sql(conn);
    sql::<Bool>(before).bind::<Text, _>(text.query_for(conn, false)).sql(after)
}

/// 0 for a listing whose title has every word, 1 for the others (the rank of a search).
pub fn tier(conn: &DbConnection, text: &SearchText) -> Tier {
    let (before, after) = matching_sql(conn);
    sql::<Integer>(&format!("(CASE WHEN {before}"))
        .bind::<Text, _>(text.query_for(conn, true))
        .sql(&format!("{after} THEN 0 ELSE 1 END)"))
}

/// The tier of one listing for `text` (where a relevance page ends, for its cursor).
pub fn tier_of(conn: &mut DbConnection, text: &SearchText, id: &str) -> DbResult<i32> {
    let tier = tier(conn, text);
    Ok(crate::schema::listings::table
        .filter(crate::schema::listings::id.eq(id.to_owned()))
        .select(tier)
        .first::<i32>(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_alphanumeric_lowercase_prefixes() {
        let text = SearchText::parse("  Fend-er's \"AC30\" OR *x:* Höf ").expect("words");
        assert_eq!(text.terms(), ["fend", "er", "s", "ac30", "or", "x", "höf"]);
        assert_eq!(text.fts5(false), "\"fend\"* \"er\"* \"s\"* \"ac30\"* \"or\"* \"x\"* \"höf\"*");
        assert_eq!(text.tsquery(true), "fend:*A & er:*A & s:*A & ac30:*A & or:*A & x:*A & höf:*A");
        assert_eq!(SearchText::parse("%_ -- ''"), None);
        assert_eq!(SearchText::parse(&"w ".repeat(20)).expect("words").terms().len(), MAX_TERMS);
    }
}
