// Written by hand to match migrations/*/2026-12-01-000005_after_sale.

diesel::table! {
    fulfillments (listing_id) {
        listing_id -> Text,
        auction_id -> Text,
        winner -> Text,
        amount -> Text,
        settle_tx_hash -> Text,
        settle_block -> BigInt,
        settled_at -> Timestamp,
        state -> Text,
        method -> Nullable<Text>,
        personal_data -> Nullable<Text>,
        tracking -> Nullable<Text>,
        claimed_at -> Nullable<Timestamp>,
        state_changed_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    fulfillment_history (id) {
        id -> Text,
        listing_id -> Text,
        actor -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        note -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        dedupe_key -> Text,
        kind -> Text,
        recipient -> Text,
        listing_id -> Nullable<Text>,
        auction_id -> Nullable<Text>,
        payload -> Text,
        source_block -> Nullable<BigInt>,
        created_at -> Timestamp,
        planned_at -> Nullable<Timestamp>,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notification_deliveries (id) {
        id -> Text,
        notification_id -> Text,
        channel -> Text,
        target -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    member_profiles (address) {
        address -> Text,
        display_name -> Nullable<Text>,
        email -> Nullable<Text>,
        pending_email -> Nullable<Text>,
        email_code_hash -> Nullable<Text>,
        email_code_expires_at -> Nullable<Timestamp>,
        email_code_attempts -> Integer,
        email_opt_out -> Text,
        unsubscribe_token -> Text,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(fulfillment_history -> fulfillments (listing_id));
diesel::joinable!(notification_deliveries -> notifications (notification_id));
diesel::allow_tables_to_appear_in_same_query!(
    fulfillments,
    fulfillment_history,
    notifications,
    notification_deliveries,
    member_profiles,
);

use crate::chain::schema::{chain_auctions, chain_bids};
use crate::schema::listings;
diesel::allow_tables_to_appear_in_same_query!(fulfillments, listings);
diesel::allow_tables_to_appear_in_same_query!(fulfillments, chain_auctions);
diesel::allow_tables_to_appear_in_same_query!(notifications, chain_bids);
