-- Maximum bids ("bid up to"; crates/db/src/max_bids.rs). A member's signed MaxBid
-- authorization, kept so the relayer can bid for the member whenever they are outbid.
-- The maximum is private to its member: no public view reads this table. `hash` is the
-- authorization's EIP-712 digest (the contract's identity for it in MaxBidUsed and
-- MaxBidRevoked). At most one authorization per member and auction is `active`; a new one
-- revokes the previous one in the same transaction. Conventions as in the chain
-- migration: amounts and salts decimal TEXT, addresses, hashes and signatures lowercase
-- 0x-hex.
CREATE TABLE max_bids (
    id TEXT PRIMARY KEY NOT NULL,
    listing_id TEXT NOT NULL,
    auction_id TEXT NOT NULL,
    bidder TEXT NOT NULL,
    max_amount TEXT NOT NULL,
    salt TEXT NOT NULL,
    deadline BIGINT NOT NULL,
    signature TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    -- The member's EIP-2612 permit for the auction contract, when their allowance was
    -- short: attached to the first bid placed under the authorization (value decimal).
    permit_value TEXT,
    permit_deadline BIGINT,
    permit_signature TEXT,
    state TEXT NOT NULL CHECK (state IN ('active','exhausted','revoked','expired')),
    -- The relay of the first bid placed at once (null: the member was leading).
    first_relay_id TEXT,
    -- The member's signed MaxBidRevocation, once they revoked it through the service,
    -- and the relayer's intent submitting it (revokeMaxBidBySig).
    revocation_signature TEXT,
    revoke_intent_id TEXT,
    -- The highest bid the contract placed under it (MaxBidUsed): what it revealed.
    revealed_bid TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX max_bids_auction_state ON max_bids (auction_id, state);
CREATE INDEX max_bids_bidder_auction ON max_bids (bidder, auction_id);
CREATE INDEX max_bids_state ON max_bids (state);
