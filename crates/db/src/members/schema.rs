// Written by hand to match migrations/*/2026-12-01-000005_live_events.

diesel::table! {
    live_events (id) {
        id -> BigInt,
        kind -> Text,
        listing_id -> Nullable<Text>,
        auction_id -> Nullable<Text>,
        recipient -> Nullable<Text>,
        data -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    live_listing_status (listing_id) {
        listing_id -> Text,
        status -> Text,
    }
}

diesel::table! {
    live_announced_bids (tx_hash, log_index) {
        tx_hash -> Text,
        log_index -> BigInt,
        block_number -> BigInt,
        auction_id -> Text,
        listing_id -> Text,
        bidder -> Text,
        amount -> Text,
    }
}

diesel::table! {
    chain_credits (tx_hash, log_index) {
        tx_hash -> Text,
        log_index -> BigInt,
        block_number -> BigInt,
        block_time -> BigInt,
        bidder -> Text,
        kind -> Text,
        amount -> Text,
    }
}

diesel::table! {
    watchlist (member, listing_id) {
        member -> Text,
        listing_id -> Text,
        created_at -> Timestamp,
    }
}

use crate::schema::listings;
diesel::joinable!(watchlist -> listings (listing_id));
diesel::allow_tables_to_appear_in_same_query!(watchlist, listings);
