//! Full-text search: the same corpus on SQLite (FTS5) and PostgreSQL (tsvector + GIN)
//! gives the same listings in the same order for every benchmark query, sort and page;
//! and through the API, prefix matches ranked title-first.

use chrono::{DateTime, Utc};
use serde_json::Value;

use commissary_db::testkit::{TestDb, corpus};
use commissary_db::views::{self, ListingQuery, ListingSort};

use crate::helpers::*;

const LISTINGS: usize = 300;

/// Every page of `text` in `sort`, `limit` at a time, as titles.
async fn search_all(test_db: &TestDb, text: &str, sort: ListingSort, limit: i64) -> Vec<String> {
    let mut titles = Vec::new();
    let mut cursor = None;
    loop {
        let query =
            ListingQuery { text: Some(text.to_owned()), sort, cursor: cursor.clone(), limit, ..Default::default() };
        let (page, next) = test_db.db.run(move |conn| views::page(conn, &query)).await.expect("page");
        titles.extend(page.into_iter().map(|v| v.record.details.title));
        match next {
            Some(next) => cursor = Some(next),
            None => return titles,
        }
    }
}

#[actix_rt::test]
async fn both_backends_find_the_same_listings_in_the_same_order() {
    let now: DateTime<Utc> = DateTime::from_timestamp(Utc::now().timestamp(), 0).expect("now");
    let sqlite = TestDb::on(false).await;
    let postgres = TestDb::on(true).await;
    for test_db in [&sqlite, &postgres] {
        test_db.db.run(move |conn| corpus::seed(conn, LISTINGS, 5, now)).await.expect("corpus");
    }
    let sorts = [ListingSort::Relevance, ListingSort::EndingSoon, ListingSort::Newest, ListingSort::PriceHigh];
    let mut found_some = 0;
    for text in corpus::QUERIES {
        for sort in sorts {
            let on_sqlite = search_all(&sqlite, text, sort, 7).await;
            let on_postgres = search_all(&postgres, text, sort, 7).await;
            assert_eq!(on_sqlite, on_postgres, "{text:?} sorted {sort:?}");
            let mut unique = on_sqlite.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), on_sqlite.len(), "pages neither repeat nor skip: {text:?} {sort:?}");
            if sort == ListingSort::Relevance {
                assert_eq!(search_all(&sqlite, text, sort, 100).await, on_sqlite, "paging keeps the order");
            }
            found_some += usize::from(!on_sqlite.is_empty());
        }
    }
    // "zzz" finds nothing, nor does "item 1234" among 300 listings (the benchmark has 10,000).
    assert_eq!(found_some, (corpus::QUERIES.len() - 2) * sorts.len(), "every other query finds listings");

    // What the queries mean, on either backend.
    let items = search_all(&postgres, "item 99", ListingSort::EndingSoon, 100).await;
    let expected: Vec<String> = [99, 990, 991, 992, 993, 994, 995, 996, 997, 998, 999]
        .into_iter()
        .filter(|i| *i < LISTINGS)
        .map(corpus::title)
        .collect();
    assert_eq!(items, expected, "\"99\" is a prefix: 99 and 990..999 (of those seeded)");
    let fend = search_all(&sqlite, "fend", ListingSort::Relevance, 100).await;
    let by_title = fend.iter().take_while(|t| t.starts_with("Fender")).count();
    assert_eq!(by_title, LISTINGS / 10, "every Fender by title first");
    assert!(fend.len() > by_title, "then those naming Fender in the description");
    assert!(search_all(&sqlite, "zzz", ListingSort::Relevance, 100).await.is_empty());
}

#[actix_rt::test]
async fn the_api_searches_by_prefix_and_ranks_titles_first() {
    let app = TestApp::spawn().await;
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).expect("now");
    app.db.run(move |conn| corpus::seed(conn, 40, 0, now)).await.expect("corpus");
    let page: Value = get_json(&app, &app.client(), "/api/v1/listings?q=Fend&limit=100").await;
    let titles: Vec<&str> =
        page["items"].as_array().expect("items").iter().map(|i| i["title"].as_str().expect("title")).collect();
    assert_eq!(titles[..4], [corpus::title(0), corpus::title(10), corpus::title(20), corpus::title(30)]);
    assert!(titles.len() > 4, "description matches follow: {titles:?}");
    let bad = app.client().get(app.url("/api/v1/listings?q=amp&sort=best")).send().await.expect("get");
    assert_eq!(error_code(bad).await.1, "invalid_sort");
}
