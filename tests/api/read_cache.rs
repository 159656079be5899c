//! The read cache (`commissary_api::read_cache`): an entry lives exactly as long as the
//! database's read version stays put; every write to a table a listing view reads moves
//! the version (triggers, migration `000010_read_version`), a write elsewhere does not;
//! concurrent misses compute once; stewards bypass it, and drafts stay hidden.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::Value;

use commissary_api::conditional::Rendered;
use commissary_api::read_cache::{Cached, ReadCache};
use commissary_db::chain::indexer;
use commissary_db::listings::{self, ListingRecord};
use commissary_db::photos::{self, NewPhoto, RenditionRef};
use commissary_db::{DbConnection, DbResult, read_version};
use commissary_domain::{Address, ListingDetails, ListingInput};

use crate::ending_soon::{block, created, published};
use crate::helpers::*;

/// The entry of `key`, computed (the next value of `computed`) when missing.
async fn read(cache: &ReadCache, computed: &AtomicUsize) -> String {
    let entry = cache
        .get_or_compute("key".into(), || async {
            let n = computed.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Cached::Found(Rendered::of(&n)?))
        })
        .await
        .expect("entry");
    match &*entry {
        Cached::Found(rendered) => String::from_utf8(rendered.body.to_vec()).expect("utf8"),
        Cached::Missing => panic!("computed entries are found"),
    }
}

fn details(title: &str) -> ListingDetails {
    let now = Utc::now();
    let input = ListingInput {
        title: Some(title.into()),
        category: Some("instruments".into()),
        condition: Some("good".into()),
        reserve_price: Some("1000".into()),
        starts_at: Some((now + Duration::hours(1)).to_rfc3339()),
        ends_at: Some((now + Duration::days(2)).to_rfc3339()),
        ..Default::default()
    };
    ListingDetails::create(input, now).expect("valid listing")
}

#[actix_rt::test]
async fn a_cached_entry_is_dropped_exactly_when_the_read_version_moves() {
    let app = TestApp::spawn().await;
    let cache = ReadCache::start(app.db.clone());
    let computed = AtomicUsize::new(0);
    assert_eq!(read(&cache, &computed).await, "1");
    assert_eq!(read(&cache, &computed).await, "1", "served from the cache");
    assert_eq!(computed.load(Ordering::SeqCst), 1);

    let version = || async { app.db.run(read_version::current).await.expect("version") };
    // A write no view reads (a sign-in nonce) leaves the version and the entry alone.
    let before = version().await;
    app.db
        .run(|conn| commissary_db::auth::insert_nonce(conn, "n0nce", Utc::now(), Utc::now() + Duration::minutes(5)))
        .await
        .expect("nonce");
    assert_eq!(version().await, before);
    assert_eq!(read(&cache, &computed).await, "1");

    let steward = Address::parse("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266").expect("address");
    let draft = ListingRecord::new_draft(details("Drum stool"), steward, Utc::now());
    let id = draft.id;
    let (live, hash) = published(&app, "Snare drum", Utc::now() + Duration::hours(3)).await;
    let mut expected = read(&cache, &computed).await.parse::<usize>().expect("number");
    type Write = Box<dyn FnOnce(&mut DbConnection) -> DbResult<()> + Send>;
    let writes: Vec<(&str, Write)> = vec![
        ("a listing inserted", Box::new(move |conn| listings::insert(conn, &draft))),
        (
            "a draft edited",
            Box::new(move |conn| listings::update_draft(conn, id, &details("Drum throne"), Utc::now()).map(|_| ())),
        ),
        (
            "a photo added",
            Box::new(move |conn| {
                let rendition = RenditionRef {
                    name: "w320".into(),
                    width: 320,
                    height: 240,
                    key: "renditions/abc/w320.jpg".into(),
                    content_type: "image/jpeg".into(),
                };
                let photo = NewPhoto { sha256: "ab".repeat(32), width: 640, height: 480, renditions: vec![rendition] };
                photos::add(conn, id, photo, Utc::now()).map(|_| ())
            }),
        ),
        (
            "a watcher added",
            Box::new(move |conn| commissary_db::members::watchlist::add(conn, steward, live, Utc::now())),
        ),
        (
            "a display name set",
            Box::new(move |conn| {
                let address = steward.to_lower_hex();
                commissary_db::after_sale::profiles::get_or_create(conn, &address, "token", Utc::now())?;
                commissary_db::after_sale::profiles::set_display_name(conn, &address, "Ada", Utc::now())
            }),
        ),
        (
            "an auction indexed",
            Box::new(move |conn| {
                let now = Utc::now();
                let events = [created(10, 1, now, hash, now + Duration::hours(3))];
                indexer::apply_range(conn, "test", None, &[], &events, &block(10, now), now).map(|_| ())
            }),
        ),
    ];
    for (what, write) in writes {
        let before = version().await;
        app.db.run(move |conn| write(conn)).await.expect(what);
        assert!(version().await > before, "{what} moves the read version");
        expected += 1;
        assert_eq!(read(&cache, &computed).await, expected.to_string(), "{what} drops the entry");
        assert_eq!(read(&cache, &computed).await, expected.to_string(), "then it is cached again");
    }
}

#[actix_rt::test]
async fn concurrent_misses_compute_once() {
    let app = TestApp::spawn().await;
    let cache = Arc::new(ReadCache::start(app.db.clone()));
    let computed = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..32)
        .map(|_| {
            let (cache, computed) = (cache.clone(), computed.clone());
            actix_rt::spawn(async move {
                cache
                    .get_or_compute("page".into(), || async {
                        computed.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok(Cached::Missing)
                    })
                    .await
                    .expect("entry");
            })
        })
        .collect();
    for reader in readers {
        reader.await.expect("reader");
    }
    assert_eq!(computed.load(Ordering::SeqCst), 1, "one computation served all 32 requests");
}

#[actix_rt::test]
async fn drafts_stay_hidden_and_stewards_see_their_edits_at_once() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let anon = app.client();
    let member = app.member().await;
    let draft = app.create_listing(&steward, listing_body("Bass amp")).await;
    let id = draft["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/listings/{id}");
    for _ in 0..2 {
        for client in [&anon, &member] {
            let response = client.get(app.url(&path)).send().await.expect("get");
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "a draft is hidden, cached or not");
            let page: Value =
                client.get(app.url("/api/v1/listings")).send().await.expect("list").json().await.expect("json");
            assert_eq!(page["items"].as_array().expect("items").len(), 0, "no draft in public pages");
        }
        let seen = get_json(&app, &steward, &path).await;
        assert_eq!(seen["id"], id.as_str(), "stewards see drafts");
    }
    let response = steward
        .patch(app.url(&path))
        .json(&serde_json::json!({ "title": "Bass amp, 100 W" }))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(get_json(&app, &steward, &path).await["title"], "Bass amp, 100 W");
    // A published listing is public, and the same for everyone who is not a steward.
    let (live, _) = published(&app, "Bass amp, 100 W", Utc::now() + Duration::hours(3)).await;
    let path = format!("/api/v1/listings/{live}");
    let a: Value = anon.get(app.url(&path)).send().await.expect("get").json().await.expect("json");
    let m: Value = member.get(app.url(&path)).send().await.expect("get").json().await.expect("json");
    assert_eq!(a["title"], "Bass amp, 100 W");
    assert_eq!(a, m);
}
