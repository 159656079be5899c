-- After the hammer (crates/db/src/after_sale): fulfillment of won items, the notification
-- outbox, members' profiles. Same conventions as the chain tables: addresses lowercase
-- 0x-hex TEXT, amounts canonical decimal TEXT, chain blocks BIGINT, times TIMESTAMP (UTC).

-- One record per listing sold with a winner, created by the indexer in the transaction
-- that applies AuctionSettled. personal_data (JSON: name, email, phone, address, note) is
-- the only column with personal data; erasure replaces it with a redaction marker.
CREATE TABLE fulfillments (
    listing_id TEXT PRIMARY KEY NOT NULL,
    auction_id TEXT NOT NULL,
    winner TEXT NOT NULL,
    amount TEXT NOT NULL,
    settle_tx_hash TEXT NOT NULL,
    settle_block BIGINT NOT NULL,
    settled_at TIMESTAMP NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('awaiting_claim','claimed','ready_for_pickup','shipped','handed_over','unclaimed')),
    method TEXT CHECK (method IN ('pickup','shipping')),
    personal_data TEXT,
    tracking TEXT,
    claimed_at TIMESTAMP,
    state_changed_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    erased_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX fulfillments_queue ON fulfillments (state, settled_at);
CREATE INDEX fulfillments_winner ON fulfillments (winner);
CREATE INDEX fulfillments_closed ON fulfillments (closed_at);

-- Every step of a fulfillment: who (address, or 'system'), when, from, to, note.
CREATE TABLE fulfillment_history (
    id TEXT PRIMARY KEY NOT NULL,
    listing_id TEXT NOT NULL REFERENCES fulfillments (listing_id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX fulfillment_history_listing ON fulfillment_history (listing_id, at);

-- The outbox: one row per notification (dedupe_key UNIQUE: a re-applied event or a second
-- scan never makes another), one delivery row per notification and channel.
-- source_block: the chain block of the event it came from (a reorg above it retracts
-- what was not delivered yet).
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    listing_id TEXT,
    auction_id TEXT,
    payload TEXT NOT NULL,
    source_block BIGINT,
    created_at TIMESTAMP NOT NULL,
    -- Set once the delivery rows (in-app, email, webhooks) have been planned.
    planned_at TIMESTAMP,
    read_at TIMESTAMP
);
CREATE INDEX notifications_unplanned ON notifications (planned_at);
CREATE INDEX notifications_recipient ON notifications (recipient, created_at);
CREATE INDEX notifications_source_block ON notifications (source_block);

CREATE TABLE notification_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('in_app','email','webhook')),
    target TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','delivered','failed','skipped')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_error TEXT,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (notification_id, channel, target)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (status, next_attempt_at);

-- A member's public display name and private, confirmed email address. The pending email
-- waits for its one-time code (kept as a SHA-256 only). email_opt_out: JSON array of kinds.
CREATE TABLE member_profiles (
    address TEXT PRIMARY KEY NOT NULL,
    display_name TEXT,
    email TEXT,
    pending_email TEXT,
    email_code_hash TEXT,
    email_code_expires_at TIMESTAMP,
    email_code_attempts INTEGER NOT NULL,
    email_opt_out TEXT NOT NULL,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    updated_at TIMESTAMP NOT NULL
);
