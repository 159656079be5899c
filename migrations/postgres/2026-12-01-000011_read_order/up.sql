-- Keys that let a listing page be read in index order instead of sorting every listing
-- (crates/db/src/views.rs).
--
-- end_key: the current end in unix seconds — the auction's (extensions included) once
-- it exists, the scheduled end before. Written with the price key wherever a listing's
-- auction projection is (crates/db/src/chain/auctions.rs), so "ending soon" pages walk
-- an index and stop after one page. (SQLite's mirror also re-keys its full-text table;
-- PostgreSQL's tsvector is a column of listings already.)
ALTER TABLE listings ADD COLUMN end_key BIGINT NOT NULL DEFAULT 0;
UPDATE listings SET end_key = COALESCE(
    (SELECT end_time FROM chain_auctions WHERE chain_auctions.auction_id = listings.auction_id),
    CAST(EXTRACT(EPOCH FROM ends_at) AS BIGINT)
);
DROP INDEX listings_status_ends_at;
CREATE INDEX listings_status_end_key ON listings (status, end_key, id);
CREATE INDEX listings_end_key ON listings (end_key, id);
CREATE INDEX listings_category_end_key ON listings (category, end_key, id);
