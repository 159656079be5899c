-- Keys that let a listing page be read in index order instead of sorting every listing
-- (crates/db/src/views.rs).
--
-- end_key: the current end in unix seconds — the auction's (extensions included) once
-- it exists, the scheduled end before. Written with the price key wherever a listing's
-- auction projection is (crates/db/src/chain/auctions.rs), so "ending soon" pages walk
-- an index and stop after one page.
ALTER TABLE listings ADD COLUMN end_key BIGINT NOT NULL DEFAULT 0;
UPDATE listings SET end_key = COALESCE(
    (SELECT end_time FROM chain_auctions WHERE chain_auctions.auction_id = listings.auction_id),
    CAST(strftime('%s', ends_at) AS INTEGER)
);
DROP INDEX listings_status_ends_at;
CREATE INDEX listings_status_end_key ON listings (status, end_key, id);
CREATE INDEX listings_end_key ON listings (end_key, id);
CREATE INDEX listings_category_end_key ON listings (category, end_key, id);

-- search_rowid: the listing's row in the full-text index. Reading an FTS5 column costs a
-- lookup in its content table per match (2 ms for 2,000 matches); its rowid costs
-- nothing, so matches join on the rowid. A listing's own rowid cannot be the key: VACUUM
-- may renumber the rowids of a table without an INTEGER PRIMARY KEY, while FTS5 keeps
-- its rowids.
ALTER TABLE listings ADD COLUMN search_rowid INTEGER;
UPDATE listings SET search_rowid = rowid;
CREATE UNIQUE INDEX listings_search_rowid ON listings (search_rowid);

DROP TRIGGER listing_search_insert;
DROP TRIGGER listing_search_update;
DROP TRIGGER listing_search_delete;
DROP TABLE listing_search;
CREATE VIRTUAL TABLE listing_search USING fts5(
    title,
    description,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO listing_search (rowid, title, description) SELECT search_rowid, title, description FROM listings;

CREATE TRIGGER listing_search_insert AFTER INSERT ON listings BEGIN
    INSERT INTO listing_search (title, description) VALUES (new.title, new.description);
    UPDATE listings SET search_rowid = last_insert_rowid() WHERE id = new.id;
END;
CREATE TRIGGER listing_search_update AFTER UPDATE OF title, description ON listings BEGIN
    UPDATE listing_search SET title = new.title, description = new.description WHERE rowid = old.search_rowid;
END;
CREATE TRIGGER listing_search_delete AFTER DELETE ON listings BEGIN
    DELETE FROM listing_search WHERE rowid = old.search_rowid;
END;
