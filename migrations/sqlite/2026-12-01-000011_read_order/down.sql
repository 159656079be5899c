DROP TRIGGER listing_search_insert;
DROP TRIGGER listing_search_update;
DROP TRIGGER listing_search_delete;
DROP TABLE listing_search;
CREATE VIRTUAL TABLE listing_search USING fts5(
    listing_id UNINDEXED,
    title,
    description,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO listing_search (listing_id, title, description) SELECT id, title, description FROM listings;
CREATE TRIGGER listing_search_insert AFTER INSERT ON listings BEGIN
    INSERT INTO listing_search (listing_id, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER listing_search_update AFTER UPDATE OF title, description ON listings BEGIN
    UPDATE listing_search SET title = new.title, description = new.description WHERE listing_id = old.id;
END;
CREATE TRIGGER listing_search_delete AFTER DELETE ON listings BEGIN
    DELETE FROM listing_search WHERE listing_id = old.id;
END;

DROP INDEX listings_search_rowid;
ALTER TABLE listings DROP COLUMN search_rowid;
DROP INDEX listings_category_end_key;
DROP INDEX listings_end_key;
DROP INDEX listings_status_end_key;
CREATE INDEX listings_status_ends_at ON listings (status, ends_at, id);
ALTER TABLE listings DROP COLUMN end_key;
