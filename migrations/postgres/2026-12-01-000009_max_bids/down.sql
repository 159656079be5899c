DROP TABLE max_bids;
