// Written by hand to match migrations/*/2026-11-24-000003_chain and *_intent_attempts.

diesel::table! {
    chain_jobs (id) {
        id -> Text,
        kind -> Text,
        dedupe_key -> Text,
        subject -> Nullable<Text>,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        run_after -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    chain_tx_intents (id) {
        id -> Text,
        intent_key -> Text,
        kind -> Text,
        from_address -> Text,
        to_address -> Text,
        calldata -> Text,
        subject -> Nullable<Text>,
        status -> Text,
        nonce -> Nullable<BigInt>,
        gas_limit -> Nullable<BigInt>,
        tx_hash -> Nullable<Text>,
        mined_block -> Nullable<BigInt>,
        success -> Nullable<Bool>,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        goal -> Text,
        attempt_number -> Integer,
        revert_data -> Nullable<Text>,
    }
}

diesel::table! {
    chain_tx_attempts (tx_hash) {
        tx_hash -> Text,
        intent_id -> Text,
        nonce -> BigInt,
        max_fee_per_gas -> Text,
        max_priority_fee_per_gas -> Text,
        raw_tx -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    chain_cursors (name) {
        name -> Text,
        block_number -> BigInt,
        block_hash -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    chain_blocks (block_number) {
        block_number -> BigInt,
        block_hash -> Text,
        parent_hash -> Text,
        block_time -> BigInt,
    }
}

diesel::table! {
    chain_events (tx_hash, log_index) {
        tx_hash -> Text,
        log_index -> BigInt,
        block_number -> BigInt,
        block_hash -> Text,
        block_time -> BigInt,
        auction_id -> Nullable<Text>,
        event -> Text,
        data -> Text,
    }
}

diesel::table! {
    chain_auctions (auction_id) {
        auction_id -> Text,
        auction_seq -> BigInt,
        listing_id -> Nullable<Text>,
        listing_hash -> Text,
        reserve_price -> Text,
        start_time -> BigInt,
        end_time -> BigInt,
        original_end_time -> BigInt,
        min_increment_bps -> Integer,
        extension_secs -> BigInt,
        highest_bidder -> Nullable<Text>,
        highest_bid -> Nullable<Text>,
        bid_count -> BigInt,
        status -> Text,
        settle_tx_hash -> Nullable<Text>,
        settle_winner -> Nullable<Text>,
        settle_amount -> Nullable<Text>,
        create_tx_hash -> Text,
        created_block -> BigInt,
        updated_block -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    chain_bids (tx_hash, log_index) {
        tx_hash -> Text,
        log_index -> BigInt,
        auction_id -> Text,
        bidder -> Text,
        amount -> Text,
        end_time -> BigInt,
        block_number -> BigInt,
        block_hash -> Text,
        block_time -> BigInt,
    }
}

diesel::table! {
    chain_leases (name) {
        name -> Text,
        holder -> Text,
        epoch -> BigInt,
        expires_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(chain_tx_attempts -> chain_tx_intents (intent_id));
diesel::joinable!(chain_bids -> chain_auctions (auction_id));
diesel::allow_tables_to_appear_in_same_query!(
    chain_jobs,
    chain_tx_intents,
    chain_tx_attempts,
    chain_cursors,
    chain_blocks,
    chain_events,
    chain_auctions,
    chain_bids,
    chain_leases,
);

use crate::schema::listings;
diesel::allow_tables_to_appear_in_same_query!(listings, chain_auctions);
