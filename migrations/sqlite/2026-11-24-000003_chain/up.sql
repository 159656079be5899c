-- The chain side (crates/chain, crates/db/src/chain). Conventions: amounts are canonical
-- decimal TEXT, addresses and hashes lowercase 0x-hex TEXT, auction ids decimal TEXT,
-- chain times and block numbers BIGINT (unix seconds / numbers), service times TIMESTAMP (UTC).

-- Durable work items (publish / cancel a listing). dedupe_key makes enqueueing idempotent;
-- a runner claims a job by setting locked_by/locked_until (a visibility timeout), so a job
-- whose runner died is picked up again once locked_until has passed.
CREATE TABLE chain_jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    subject TEXT,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','running','done','failed')),
    attempts INTEGER NOT NULL,
    run_after TIMESTAMP NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX chain_jobs_due ON chain_jobs (status, run_after);
CREATE INDEX chain_jobs_subject ON chain_jobs (subject);

-- The sender's outbox: one row per intended transaction, written before anything is
-- signed or sent. intent_key is unique, so an intent is recorded once; a nonce, once
-- assigned, is only replaced when the chain shows that nonce used by another transaction.
CREATE TABLE chain_tx_intents (
    id TEXT PRIMARY KEY NOT NULL,
    intent_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    from_address TEXT NOT NULL,
    to_address TEXT NOT NULL,
    calldata TEXT NOT NULL,
    subject TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued','sent','mined','failed')),
    nonce BIGINT,
    gas_limit BIGINT,
    tx_hash TEXT,
    mined_block BIGINT,
    success BOOLEAN,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX chain_tx_intents_nonce ON chain_tx_intents (from_address, nonce) WHERE nonce IS NOT NULL;
CREATE INDEX chain_tx_intents_status ON chain_tx_intents (status, nonce);

-- Every signed transaction (first send and fee bumps), recorded before it is broadcast,
-- so a restart rebroadcasts the very same bytes and recognises whichever one was mined.
CREATE TABLE chain_tx_attempts (
    tx_hash TEXT PRIMARY KEY NOT NULL,
    intent_id TEXT NOT NULL REFERENCES chain_tx_intents (id) ON DELETE CASCADE,
    nonce BIGINT NOT NULL,
    max_fee_per_gas TEXT NOT NULL,
    max_priority_fee_per_gas TEXT NOT NULL,
    raw_tx TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX chain_tx_attempts_intent ON chain_tx_attempts (intent_id, created_at);

-- The indexer's position: the last fully applied block (number + hash).
CREATE TABLE chain_cursors (
    name TEXT PRIMARY KEY NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Recently indexed blocks, to find the common ancestor after a reorg.
CREATE TABLE chain_blocks (
    block_number BIGINT PRIMARY KEY NOT NULL,
    block_hash TEXT NOT NULL,
    parent_hash TEXT NOT NULL,
    block_time BIGINT NOT NULL
);

-- Every contract event applied, the source the projections are rebuilt from after a reorg.
CREATE TABLE chain_events (
    tx_hash TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash TEXT NOT NULL,
    block_time BIGINT NOT NULL,
    auction_id TEXT,
    event TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_events_block ON chain_events (block_number);
CREATE INDEX chain_events_auction ON chain_events (auction_id, block_number, log_index);

-- Projection of the contract's auctions (what the API reads).
CREATE TABLE chain_auctions (
    auction_id TEXT PRIMARY KEY NOT NULL,
    auction_seq BIGINT NOT NULL UNIQUE,
    listing_id TEXT,
    listing_hash TEXT NOT NULL,
    reserve_price TEXT NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT NOT NULL,
    original_end_time BIGINT NOT NULL,
    min_increment_bps INTEGER NOT NULL,
    extension_secs BIGINT NOT NULL,
    highest_bidder TEXT,
    highest_bid TEXT,
    bid_count BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open','settled','cancelled')),
    settle_tx_hash TEXT,
    settle_winner TEXT,
    settle_amount TEXT,
    create_tx_hash TEXT NOT NULL,
    created_block BIGINT NOT NULL,
    updated_block BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX chain_auctions_listing ON chain_auctions (listing_id);
CREATE INDEX chain_auctions_hash ON chain_auctions (listing_hash);
CREATE INDEX chain_auctions_due ON chain_auctions (status, end_time);

-- Projection of bids, newest first by (block_number, log_index).
CREATE TABLE chain_bids (
    tx_hash TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    auction_id TEXT NOT NULL,
    bidder TEXT NOT NULL,
    amount TEXT NOT NULL,
    end_time BIGINT NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash TEXT NOT NULL,
    block_time BIGINT NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_bids_auction ON chain_bids (auction_id, block_number, log_index);

-- Leader leases: only the holder of a lease runs the indexer, the sender, the jobs and the
-- keeper. epoch increases on every change of holder and fences the sender's writes.
CREATE TABLE chain_leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    epoch BIGINT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
