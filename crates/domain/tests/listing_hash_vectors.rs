//! The listing hash is recorded on chain, so its encoding must never drift. These
//! tests pin it three ways: against an independent encoder (serde_json over a sorted
//! map) and an independent keccak (RustCrypto's sha3), and against vectors whose
//! hashes were computed outside Rust with Foundry's `cast keccak`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha3::{Digest, Keccak256};

use commissary_domain::listing::{Fulfilment, Pickup, Shipping};
use commissary_domain::{Category, Condition, ListingDetails, ListingDocument, Schedule, TokenAmount};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("valid time").with_timezone(&Utc)
}

fn amp() -> ListingDetails {
    ListingDetails {
        title: "Fender Deluxe Reverb '68 — \"blackface\"".into(),
        description: "Donated by the Leeds collective.\nTubes replaced 2024.\tWorks.\\ 🎸 \u{1}".into(),
        category: Category::Amplifiers,
        condition: Condition::Good,
        donor_credit: Some("Leeds Collective".into()),
        reserve_price: TokenAmount::parse("25000000000000000000").expect("amount"),
        schedule: Schedule { starts_at: at("2026-12-01T18:00:00Z"), ends_at: at("2026-12-08T18:00:00Z") },
        min_increment_bps: 500,
        extension_secs: 300,
        fulfilment: Fulfilment {
            pickup: Pickup { available: true, location: Some("Leeds".into()) },
            shipping: Shipping::default(),
        },
    }
}

fn pedal() -> ListingDetails {
    ListingDetails {
        title: "Pedal".into(),
        description: String::new(),
        category: Category::Effects,
        condition: Condition::ForParts,
        donor_credit: None,
        reserve_price: TokenAmount::parse("1").expect("amount"),
        schedule: Schedule { starts_at: at("2026-01-01T00:00:00Z"), ends_at: at("2026-01-01T00:05:00Z") },
        min_increment_bps: 1,
        extension_secs: 0,
        fulfilment: Fulfilment::default(),
    }
}

const PHOTOS: [&str; 2] = [
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "60303AE22B998861BCE3B28F33EEC1BE758A213C86C93C076DBE9F558C11C752",
];

/// The document as an independent encoder produces it: a sorted map through serde_json.
fn independent_document(d: &ListingDetails, photos: &[&str]) -> String {
    let mut doc: BTreeMap<&str, Value> = BTreeMap::new();
    doc.insert("schema", json!("commissary.listing.v1"));
    doc.insert("title", json!(d.title));
    doc.insert("description", json!(d.description));
    doc.insert("category", json!(d.category.as_str()));
    doc.insert("condition", json!(d.condition.as_str()));
    doc.insert("donor_credit", json!(d.donor_credit));
    doc.insert("reserve_price", json!(d.reserve_price.to_string()));
    doc.insert("starts_at", json!(d.schedule.starts_at.timestamp()));
    doc.insert("ends_at", json!(d.schedule.ends_at.timestamp()));
    doc.insert("min_increment_bps", json!(d.min_increment_bps));
    doc.insert("extension_secs", json!(d.extension_secs));
    doc.insert("photos", json!(photos.iter().map(|p| p.to_lowercase()).collect::<Vec<_>>()));
    serde_json::to_string(&doc).expect("json")
}

#[test]
fn document_matches_an_independent_encoder_and_keccak() {
    for (details, photos) in [(amp(), &PHOTOS[..]), (pedal(), &[][..])] {
        let photos_owned: Vec<String> = photos.iter().map(|p| p.to_string()).collect();
        let document = ListingDocument::new(&details, &photos_owned);
        assert_eq!(document.as_str(), independent_document(&details, photos));
        let independent_hash = Keccak256::digest(document.as_str().as_bytes());
        assert_eq!(document.hash().to_vec(), independent_hash.to_vec());
    }
}

#[test]
fn pinned_vectors_computed_with_cast_keccak() {
    let photos: Vec<String> = PHOTOS.iter().map(|p| p.to_string()).collect();
    let amp_doc = ListingDocument::new(&amp(), &photos);
    assert_eq!(amp_doc.hash_hex(), AMP_HASH, "document: {}", amp_doc.as_str());
    let pedal_doc = ListingDocument::new(&pedal(), &[]);
    assert_eq!(
        pedal_doc.as_str(),
        r#"{"category":"effects","condition":"for_parts","description":"","donor_credit":null,"ends_at":1767225900,"extension_secs":0,"min_increment_bps":1,"photos":[],"reserve_price":"1","schema":"commissary.listing.v1","starts_at":1767225600,"title":"Pedal"}"#
    );
    assert_eq!(pedal_doc.hash_hex(), PEDAL_HASH);
}

#[test]
fn any_field_change_changes_the_hash() {
    let base = ListingDocument::new(&amp(), &[]).hash();
    let mut changed = amp();
    changed.reserve_price = TokenAmount::parse("25000000000000000001").expect("amount");
    assert_ne!(ListingDocument::new(&changed, &[]).hash(), base);
    let reordered = ListingDocument::new(&amp(), &[PHOTOS[1].into(), PHOTOS[0].into()]).hash();
    let ordered = ListingDocument::new(&amp(), &[PHOTOS[0].into(), PHOTOS[1].into()]).hash();
    assert_ne!(reordered, ordered, "photo order is part of the listing");
    let mut fulfilment_only = amp();
    fulfilment_only.fulfilment.shipping.available = true;
    assert_eq!(ListingDocument::new(&fulfilment_only, &[]).hash(), base, "fulfilment notes are not hashed");
}

// python3 json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) | cast keccak
const AMP_HASH: &str = "0x6b0bd80cfa1227905f0982e266486b0e8656877b3f38a3093c662ecdd381c53c";
const PEDAL_HASH: &str = "0xfc78562cd90e62b0009464c7a1899926605a8dea719dc87f8c1a279c799eae99";
