-- The read version: one counter that moves, in the writing transaction, whenever a table
-- a public listing view reads changes (crates/db/src/views.rs: listings, chain_auctions,
-- photos, watchlist counts, member_profiles display names). Every replica's read cache
-- (crates/api/src/read_cache.rs) serves an entry only while the counter it reads equals
-- the one the entry was computed under, so the database, not a timer, decides when a
-- cached view is stale, whichever process wrote (API, indexer, keeper, another replica).
--
-- The counter is a row, not a sequence: a sequence moves before its transaction commits,
-- so a reader could see the new number with the old data and keep the old view under it.
-- The triggers are deferred to commit and bump once per transaction: the row lock is
-- taken last, when the transaction holds every other lock it will need, so two writers
-- cannot deadlock on it, and it is held only for the commit itself.
CREATE TABLE read_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO read_version (id, version) VALUES (1, 0);

CREATE FUNCTION read_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('commissary.read_version_bumped', true) IS DISTINCT FROM pg_current_xact_id()::text THEN
        PERFORM set_config('commissary.read_version_bumped', pg_current_xact_id()::text, true);
        UPDATE read_version SET version = version + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER read_version_listings AFTER INSERT OR UPDATE OR DELETE ON listings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_version_bump();
CREATE CONSTRAINT TRIGGER read_version_auctions AFTER INSERT OR UPDATE OR DELETE ON chain_auctions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_version_bump();
CREATE CONSTRAINT TRIGGER read_version_photos AFTER INSERT OR UPDATE OR DELETE ON photos
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_version_bump();
CREATE CONSTRAINT TRIGGER read_version_watchlist AFTER INSERT OR UPDATE OR DELETE ON watchlist
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_version_bump();
-- Views show only display names of profiles (the rest is personal and never cached).
CREATE CONSTRAINT TRIGGER read_version_profiles AFTER INSERT OR UPDATE OF address, display_name OR DELETE
    ON member_profiles DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION read_version_bump();
