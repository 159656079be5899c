DROP TABLE photos;
DROP TABLE listings;
