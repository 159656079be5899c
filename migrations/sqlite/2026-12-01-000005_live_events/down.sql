DROP INDEX chain_bids_bidder;
DROP TABLE watchlist;
DROP TABLE chain_credits;
DROP TABLE live_announced_bids;
DROP TABLE live_listing_status;
DROP TABLE live_events;
