-- Full-text search over listings' title and description (crates/db/src/search.rs).
-- A regular FTS5 table holding its own copy of the text, keyed by the listing id: an
-- external-content table would key on listings' implicit rowid, which VACUUM may renumber.
-- `unicode61` without diacritic folding splits words exactly where the PostgreSQL column
-- does (every character that is not a letter or digit separates), so both backends find
-- the same listings for the same query.
CREATE VIRTUAL TABLE listing_search USING fts5(
    listing_id UNINDEXED,
    title,
    description,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO listing_search (listing_id, title, description) SELECT id, title, description FROM listings;

-- Triggers keep the index in the transaction of every write, whichever code path makes it.
CREATE TRIGGER listing_search_insert AFTER INSERT ON listings BEGIN
    INSERT INTO listing_search (listing_id, title, description) VALUES (new.id, new.title, new.description);
END;
-- Only drafts are edited, so the scan for the id (UNINDEXED) is rare and small.
CREATE TRIGGER listing_search_update AFTER UPDATE OF title, description ON listings BEGIN
    UPDATE listing_search SET title = new.title, description = new.description WHERE listing_id = old.id;
END;
CREATE TRIGGER listing_search_delete AFTER DELETE ON listings BEGIN
    DELETE FROM listing_search WHERE listing_id = old.id;
END;
