-- Full-text search over listings' title (weight A) and description (weight B), see
-- crates/db/src/search.rs. A generated column is kept by PostgreSQL itself in the
-- transaction of every write. The `simple` configuration (no stemming, no stop words) on
-- text whose non-alphanumeric runs are replaced by spaces splits words exactly where
-- SQLite's FTS5 `unicode61` tokenizer does, so both backends find the same listings.
ALTER TABLE listings ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')), 'A')
    || setweight(to_tsvector('simple'::regconfig, regexp_replace(description, '[^[:alnum:]]+', ' ', 'g')), 'B')
) STORED;
CREATE INDEX listings_search ON listings USING GIN (search);
