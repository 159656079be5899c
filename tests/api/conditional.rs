//! `ETag` / `If-None-Match` on listing reads: `304` without a body while nothing the
//! response shows has changed; a new tag as soon as a bid (recorded through the indexer's
//! own store function, as in `ending_soon`), a watcher, an edit or a status change
//! changes it, and not when only another listing changed.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};

use commissary_db::chain::indexer::{self, Cursor};
use commissary_domain::{Address, AuctionEvent, TokenAmount};

use crate::ending_soon::{block, created, logged, published};
use crate::helpers::*;

/// GET with an optional `If-None-Match`: (status, ETag, Cache-Control, body).
async fn read(app: &TestApp, client: &Client, path: &str, tag: Option<&str>) -> (StatusCode, String, String, Vec<u8>) {
    let mut request = client.get(app.url(path));
    if let Some(tag) = tag {
        request = request.header(header::IF_NONE_MATCH, tag);
    }
    let response = request.send().await.expect("get");
    let status = response.status();
    let value = |name| response.headers().get(name).map(|v| v.to_str().expect("ascii").to_owned());
    let etag = value(header::ETAG).expect("an ETag on every answer, 304 too");
    let cache = value(header::CACHE_CONTROL).expect("Cache-Control");
    let body = response.bytes().await.expect("body").to_vec();
    (status, etag, cache, body)
}

async fn apply(
    app: &TestApp,
    previous: i64,
    number: i64,
    now: DateTime<Utc>,
    events: Vec<commissary_domain::LoggedEvent>,
) {
    let cursor = Cursor { block_number: previous, block_hash: block(previous, now).block_hash };
    app.db
        .run(move |conn| {
            indexer::apply_range(conn, "test", Some(&cursor), &[], &events, &block(number, now), Utc::now())
        })
        .await
        .expect("events applied");
}

fn bid(
    number: i64,
    auction: u64,
    now: DateTime<Utc>,
    amount: &str,
    end: DateTime<Utc>,
) -> commissary_domain::LoggedEvent {
    logged(
        number,
        auction,
        now,
        AuctionEvent::BidPlaced {
            bidder: Address::parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8").expect("address"),
            amount: TokenAmount::parse(amount).expect("amount"),
            end_time: end,
        },
    )
}

#[actix_rt::test]
async fn listing_reads_answer_304_until_a_bid_or_a_watcher_changes_them() {
    let app = TestApp::spawn().await;
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).expect("now");
    let (a_end, b_end) = (now + Duration::hours(1), now + Duration::hours(2));
    let (a, a_hash) = published(&app, "Fender Twin", a_end).await;
    let (_b, b_hash) = published(&app, "Vox AC30", b_end).await;
    let events = [created(10, 1, now, a_hash, a_end), created(11, 2, now, b_hash, b_end)];
    app.db
        .run(move |conn| indexer::apply_range(conn, "test", None, &[], &events, &block(11, now), Utc::now()))
        .await
        .expect("creations applied");

    let anon = app.client();
    let detail = format!("/api/v1/listings/{a}");
    let list = "/api/v1/listings?limit=20&sort=ending_soon";
    let (status, d1, cache, body) = read(&app, &anon, &detail, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache, "no-cache", "public, but revalidated on every use");
    assert!(d1.starts_with("W/\""), "{d1}");
    let shown: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(shown["highest_bid"], Value::Null);
    assert_eq!(read(&app, &anon, &detail, None).await.1, d1, "nothing changed: the same tag");
    let (status, tag, _, body) = read(&app, &anon, &detail, Some(&d1)).await;
    assert_eq!((status, tag.as_str(), body.len()), (StatusCode::NOT_MODIFIED, d1.as_str(), 0), "304 has no body");
    let (status, l1, _, _) = read(&app, &anon, list, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _, body) = read(&app, &anon, list, Some(&format!("\"x\", {l1}"))).await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));

    // A bid on the other listing changes the page, not this listing.
    apply(&app, 11, 12, now, vec![bid(12, 2, now, "30000000000000000000", b_end)]).await;
    assert_eq!(read(&app, &anon, &detail, Some(&d1)).await.0, StatusCode::NOT_MODIFIED);
    let (status, l2, _, _) = read(&app, &anon, list, Some(&l1)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(l2, l1);

    // A bid on this listing: a new tag and the new price, on the detail and the page.
    apply(&app, 12, 13, now, vec![bid(13, 1, now, "26000000000000000000", a_end)]).await;
    let (status, d2, _, body) = read(&app, &anon, &detail, Some(&d1)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(d2, d1);
    let shown: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(shown["highest_bid"], "26000000000000000000");
    let (status, l3, _, _) = read(&app, &anon, list, Some(&l2)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(l3, l2);
    assert_eq!(read(&app, &anon, &detail, Some(&d2)).await.0, StatusCode::NOT_MODIFIED);

    // A new watcher changes `watch_count`.
    let member = app.member().await;
    let watched = member.put(app.url(&format!("/api/v1/me/watchlist/{a}"))).send().await.expect("watch");
    assert_eq!(watched.status(), StatusCode::NO_CONTENT);
    let (status, d3, _, body) = read(&app, &anon, &detail, Some(&d2)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(d3, d2);
    assert_eq!(serde_json::from_slice::<Value>(&body).expect("json")["watch_count"], 1);
    assert_eq!(read(&app, &anon, list, Some(&l3)).await.0, StatusCode::OK);
}

#[actix_rt::test]
async fn an_edit_or_a_status_change_gives_a_new_tag_and_drafts_stay_private() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let listing = app.create_listing(&steward, listing_body("Big Muff")).await;
    let id = listing["id"].as_str().expect("id");
    let photo = app.upload(&steward, id, "front.jpg", commissary_photos::corpus::jpeg(640, 480)).await;
    assert_eq!(photo.status(), StatusCode::CREATED, "publishing needs a photo");
    let path = format!("/api/v1/listings/{id}");
    let (status, t1, cache, _) = read(&app, &steward, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache, "private, no-cache", "a steward's view may show drafts");
    assert_eq!(read(&app, &steward, &path, Some(&t1)).await.0, StatusCode::NOT_MODIFIED);
    // Even holding the tag, the public never learns of the draft.
    let anonymous = app.client().get(app.url(&path)).header(header::IF_NONE_MATCH, &t1).send().await.expect("get");
    assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);

    let edited = steward.patch(app.url(&path)).json(&json!({ "title": "Big Muff Pi" })).send().await.expect("patch");
    assert_eq!(edited.status(), StatusCode::OK);
    let (status, t2, _, _) = read(&app, &steward, &path, Some(&t1)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(t2, t1);

    let publish = steward.post(app.url(&format!("{path}/publish"))).send().await.expect("publish");
    assert_eq!(publish.status(), StatusCode::ACCEPTED);
    let (status, t3, _, body) = read(&app, &steward, &path, Some(&t2)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(t3, t2);
    assert_eq!(serde_json::from_slice::<Value>(&body).expect("json")["status"], "publishing");
}
