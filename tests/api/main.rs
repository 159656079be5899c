//! End-to-end tests of the HTTP API against a real service and database.

mod after_sale;
mod auctions;
mod auth;
mod conditional;
mod ending_soon;
mod helpers;
mod lifecycle;
mod listings;
mod live;
mod max_bid;
mod operations;
mod photos;
mod read_cache;
mod relay;
mod search;
