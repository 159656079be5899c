-- Live updates and members' views (crates/db/src/members). Conventions as in the chain
-- migration: amounts decimal TEXT, addresses/hashes lowercase 0x-hex, chain times BIGINT.

-- Every event the SSE streams carry, public (recipient NULL) or addressed to one member.
-- The id is the stream's `id:`; written by the indexer in the transaction that applies the
-- chain log, so replaying `id > Last-Event-ID` gives exactly what a client missed.
CREATE TABLE live_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    listing_id TEXT,
    auction_id TEXT,
    recipient TEXT,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX live_events_listing ON live_events (listing_id, id);
CREATE INDEX live_events_recipient ON live_events (recipient, id);

-- The newest status announced per listing (a `status` event is written when the listing's
-- status differs from it), so a status change is announced once whichever path made it.
CREATE TABLE live_listing_status (
    listing_id TEXT PRIMARY KEY NOT NULL,
    status TEXT NOT NULL
);

-- Bids announced by a `bid` event and not taken back yet: a reorg that removes one of
-- them announces `bid_removed`.
CREATE TABLE live_announced_bids (
    tx_hash TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    block_number BIGINT NOT NULL,
    auction_id TEXT NOT NULL,
    listing_id TEXT NOT NULL,
    bidder TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX live_announced_bids_block ON live_announced_bids (block_number);

-- RefundCredited / Withdrawn of the auction contract (a refund that could not be pushed to
-- an outbid bidder is credited; the bidder pulls it with withdraw()).
CREATE TABLE chain_credits (
    tx_hash TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    block_number BIGINT NOT NULL,
    block_time BIGINT NOT NULL,
    bidder TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('credited','withdrawn')),
    amount TEXT NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX chain_credits_bidder ON chain_credits (bidder, block_number, log_index);

-- Listings a member watches.
CREATE TABLE watchlist (
    member TEXT NOT NULL,
    listing_id TEXT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member, listing_id)
);
CREATE INDEX watchlist_listing ON watchlist (listing_id);

CREATE INDEX chain_bids_bidder ON chain_bids (bidder, auction_id);
