DROP TRIGGER read_version_listings ON listings;
DROP TRIGGER read_version_auctions ON chain_auctions;
DROP TRIGGER read_version_photos ON photos;
DROP TRIGGER read_version_watchlist ON watchlist;
DROP TRIGGER read_version_profiles ON member_profiles;
DROP FUNCTION read_version_bump();
DROP TABLE read_version;
