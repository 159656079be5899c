DROP INDEX listings_category_end_key;
DROP INDEX listings_end_key;
DROP INDEX listings_status_end_key;
CREATE INDEX listings_status_ends_at ON listings (status, ends_at, id);
ALTER TABLE listings DROP COLUMN end_key;
