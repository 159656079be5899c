//! The canonical listing document and its keccak256 hash.
//!
//! The contract records `listing_hash` in `createAuction`, so anyone holding the
//! document can prove what was auctioned. The encoding is therefore fixed:
//!
//! * a JSON object, UTF-8, no insignificant whitespace, keys in byte-wise ascending order;
//! * strings escaped minimally (`"` `\` and control characters only, `\n`-style short
//!   escapes where JSON has them, otherwise lowercase `\u00XX`); non-ASCII is raw UTF-8;
//! * `reserve_price` is a decimal string of base units; times are integer Unix seconds;
//! * `donor_credit` is `null` when absent; `photos` lists photo SHA-256s (lowercase hex)
//!   in display order;
//! * `schema` is `"commissary.listing.v1"`.
//!
//! `listing_hash = keccak256(document bytes)`. This is the same output as Python's
//! `json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.

use std::fmt::Write as _;

use tiny_keccak::{Hasher, Keccak};

use crate::listing::ListingDetails;

pub const LISTING_SCHEMA: &str = "commissary.listing.v1";

pub fn keccak256(bytes: &[u8]) -> [u8; 32] {
    let mut hasher = Keccak::v256();
    hasher.update(bytes);
    let mut out = [0u8; 32];
    hasher.finalize(&mut out);
    out
}

/// The frozen listing text that is hashed on publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingDocument(String);

impl ListingDocument {
    pub fn new(details: &ListingDetails, photo_sha256s: &[String]) -> Self {
        let mut out = String::with_capacity(256 + details.description.len());
        out.push('{');
        // Keys are written in ascending byte order by hand so the encoding cannot
        // change with a serializer's map implementation.
        push_key(&mut out, "category", true);
        push_str(&mut out, details.category.as_str());
        push_key(&mut out, "condition", false);
        push_str(&mut out, details.condition.as_str());
        push_key(&mut out, "description", false);
        push_str(&mut out, &details.description);
        push_key(&mut out, "donor_credit", false);
        match &details.donor_credit {
            Some(credit) => push_str(&mut out, credit),
            None => out.push_str("null"),
        }
        push_key(&mut out, "ends_at", false);
        let _ = write!(out, "{}", details.schedule.ends_at.timestamp());
        push_key(&mut out, "extension_secs", false);
        let _ = write!(out, "{}", details.extension_secs);
        push_key(&mut out, "min_increment_bps", false);
        let _ = write!(out, "{}", details.min_increment_bps);
        push_key(&mut out, "photos", false);
        out.push('[');
        for (i, sha) in photo_sha256s.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_str(&mut out, &sha.to_ascii_lowercase());
        }
        out.push(']');
        push_key(&mut out, "reserve_price", false);
        push_str(&mut out, &details.reserve_price.to_string());
        push_key(&mut out, "schema", false);
        push_str(&mut out, LISTING_SCHEMA);
        push_key(&mut out, "starts_at", false);
        let _ = write!(out, "{}", details.schedule.starts_at.timestamp());
        push_key(&mut out, "title", false);
        push_str(&mut out, &details.title);
        out.push('}');
        Self(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> [u8; 32] {
        keccak256(self.0.as_bytes())
    }

    /// `0x`-prefixed lowercase hex of [`Self::hash`], as stored and shown by the API.
    pub fn hash_hex(&self) -> String {
        format!("0x{}", hex::encode(self.hash()))
    }
}

fn push_key(out: &mut String, key: &str, first: bool) {
    if !first {
        out.push(',');
    }
    push_str(out, key);
    out.push(':');
}

fn push_str(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keccak_of_empty_input() {
        assert_eq!(hex::encode(keccak256(b"")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    }

    #[test]
    fn escapes_like_json() {
        let mut out = String::new();
        push_str(&mut out, "a\"b\\c\nd\u{1}e\u{7f}é🎸");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0001e\u{7f}é🎸\"");
        assert_eq!(out, serde_json::to_string("a\"b\\c\nd\u{1}e\u{7f}é🎸").expect("json"));
    }
}
