-- The read version: one counter that moves, in the writing transaction, whenever a table
-- a public listing view reads changes (crates/db/src/views.rs: listings, chain_auctions,
-- photos, watchlist counts, member_profiles display names). Every replica's read cache
-- (crates/api/src/read_cache.rs) serves an entry only while the counter it reads equals
-- the one the entry was computed under, so the database, not a timer, decides when a
-- cached view is stale, whichever process wrote (API, indexer, keeper, another replica).
-- SQLite has no statement-level triggers: row triggers bump once per row, which costs
-- one small update of a page the writer has hot anyway.
CREATE TABLE read_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO read_version (id, version) VALUES (1, 0);

CREATE TRIGGER read_version_listings_insert AFTER INSERT ON listings BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER read_version_listings_update AFTER UPDATE ON listings BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER read_version_listings_delete AFTER DELETE ON listings BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER read_version_auctions_insert AFTER INSERT ON chain_auctions BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER read_version_auctions_update AFTER UPDATE ON chain_auctions BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER read_version_auctions_delete AFTER DELETE ON chain_auctions BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER read_version_photos_insert AFTER INSERT ON photos BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER read_version_photos_update AFTER UPDATE ON photos BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER read_version_photos_delete AFTER DELETE ON photos BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER read_version_watchlist_insert AFTER INSERT ON watchlist BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER read_version_watchlist_update AFTER UPDATE ON watchlist BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER read_version_watchlist_delete AFTER DELETE ON watchlist BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;

-- Views show only display names of profiles (the rest is personal and never cached).
CREATE TRIGGER read_version_profiles_insert AFTER INSERT ON member_profiles BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER read_version_profiles_update AFTER UPDATE OF address, display_name ON member_profiles BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER read_version_profiles_delete AFTER DELETE ON member_profiles BEGIN
    UPDATE read_version SET version = version + 1 WHERE id = 1;
END;
