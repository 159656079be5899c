-- Gasless bids relayed by the co-op's relayer (crates/db/src/relay.rs). A relay is
-- recorded together with its transaction intent (chain_tx_intents, goal
-- "relay:<bidder>:<nonce>", attempt = attempt) in one transaction, so the sender of the
-- relayer's account sends it exactly once, also across a crash. A new attempt for the same
-- (bidder, nonce) is only recorded once every earlier one failed (none can be mined).
-- Conventions as in the chain migration: amounts and nonces decimal TEXT, addresses and
-- hashes lowercase 0x-hex.
CREATE TABLE relays (
    id TEXT PRIMARY KEY NOT NULL,
    bidder TEXT NOT NULL,
    bid_nonce TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    listing_id TEXT NOT NULL,
    auction_id TEXT NOT NULL,
    amount TEXT NOT NULL,
    intent_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    tx_hash TEXT,
    block_number BIGINT,
    -- Estimated when recorded, the gas used once mined (what the budgets count).
    gas BIGINT NOT NULL,
    failure_code TEXT,
    failure_message TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (bidder, bid_nonce, attempt)
);
CREATE INDEX relays_bidder_created ON relays (bidder, created_at);
CREATE INDEX relays_created ON relays (created_at);
CREATE INDEX relays_status ON relays (status);
