DROP INDEX listings_search;
ALTER TABLE listings DROP COLUMN search;
