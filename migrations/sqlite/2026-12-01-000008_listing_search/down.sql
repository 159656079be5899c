DROP TRIGGER listing_search_delete;
DROP TRIGGER listing_search_update;
DROP TRIGGER listing_search_insert;
DROP TABLE listing_search;
