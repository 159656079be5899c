// Written by hand to match migrations/{sqlite,postgres}; both backends share these types.

diesel::table! {
    listings (id) {
        id -> Text,
        status -> Text,
        title -> Text,
        description -> Text,
        category -> Text,
        item_condition -> Text,
        donor_credit -> Nullable<Text>,
        reserve_price -> Text,
        current_price -> Text,
        price_key -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        min_increment_bps -> Integer,
        extension_secs -> Integer,
        pickup_available -> Bool,
        pickup_location -> Nullable<Text>,
        shipping_available -> Bool,
        shipping_note -> Nullable<Text>,
        listing_document -> Nullable<Text>,
        listing_hash -> Nullable<Text>,
        auction_id -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        end_key -> BigInt,
    }
}

diesel::table! {
    photos (id) {
        id -> Text,
        listing_id -> Text,
        position -> Integer,
        sha256 -> Text,
        width -> Integer,
        height -> Integer,
        renditions -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    auth_nonces (nonce) {
        nonce -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        state -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(photos -> listings (listing_id));
diesel::allow_tables_to_appear_in_same_query!(listings, photos, auth_nonces, sessions);
