-- Token amounts are canonical decimal strings of base units (no leading zeros); never
-- floats. price_key is current_price left-padded with zeros to 30 digits (uint96 has at
-- most 29) so that text order is numeric order on both backends.
CREATE TABLE listings (
    id TEXT PRIMARY KEY NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','publishing','scheduled','live','ended','settled','unsold','cancelled')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    item_condition TEXT NOT NULL,
    donor_credit TEXT,
    reserve_price TEXT NOT NULL CHECK (reserve_price ~ '^[1-9][0-9]{0,77}$'),
    current_price TEXT NOT NULL CHECK (current_price ~ '^[1-9][0-9]{0,77}$'),
    price_key TEXT NOT NULL CHECK (length(price_key) = 30),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    min_increment_bps INTEGER NOT NULL CHECK (min_increment_bps BETWEEN 1 AND 10000),
    extension_secs INTEGER NOT NULL CHECK (extension_secs BETWEEN 0 AND 86400),
    pickup_available BOOLEAN NOT NULL,
    pickup_location TEXT,
    shipping_available BOOLEAN NOT NULL,
    shipping_note TEXT,
    listing_document TEXT,
    listing_hash TEXT UNIQUE,
    auction_id TEXT UNIQUE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX listings_status_ends_at ON listings (status, ends_at, id);
CREATE INDEX listings_category ON listings (category, id);
CREATE INDEX listings_created_at ON listings (created_at, id);
CREATE INDEX listings_price_key ON listings (price_key, id);

CREATE TABLE photos (
    id TEXT PRIMARY KEY NOT NULL,
    listing_id TEXT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    renditions TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (listing_id, sha256)
);
CREATE INDEX photos_listing_position ON photos (listing_id, position);
