use chrono::{Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use commissary_domain::{ListingId, ListingStatus};

use crate::helpers::*;

#[actix_rt::test]
async fn steward_creates_a_draft_with_defaults() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let response =
        steward.post(app.url("/api/v1/listings")).json(&listing_body("Gibson SG")).send().await.expect("create");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers().get("location").expect("location").to_str().expect("ascii").to_owned();
    let body: Value = response.json().await.expect("json");
    assert_eq!(location, format!("/api/v1/listings/{}", body["id"].as_str().expect("id")));
    assert_eq!(body["status"], "draft");
    assert_eq!(body["title"], "Gibson SG");
    assert_eq!(body["reserve_price"], "25000000000000000000");
    assert_eq!(body["current_price"], "25000000000000000000");
    assert_eq!(body["min_increment_bps"], 500);
    assert_eq!(body["extension_secs"], 300);
    assert_eq!(body["pickup"], json!({ "available": true, "location": null }));
    assert_eq!(body["photos"], json!([]));
    assert_eq!(body["created_by"], Wallet::from_hex(STEWARD_KEY).address().to_string());

    let fetched: Value = steward.get(app.url(&location)).send().await.expect("get").json().await.expect("json");
    assert_eq!(fetched, body);
}

#[actix_rt::test]
async fn only_stewards_write_listings() {
    let app = TestApp::spawn().await;
    let anonymous = app.client().post(app.url("/api/v1/listings")).json(&listing_body("x")).send().await.expect("send");
    assert_eq!(error_code(anonymous).await, (StatusCode::UNAUTHORIZED, "unauthenticated".into()));
    let member = app.member().await;
    let response = member.post(app.url("/api/v1/listings")).json(&listing_body("x")).send().await.expect("send");
    assert_eq!(error_code(response).await, (StatusCode::FORBIDDEN, "forbidden".into()));

    let steward = app.steward().await;
    let listing = app.create_listing(&steward, listing_body("Bass")).await;
    let path = format!("/api/v1/listings/{}", listing["id"].as_str().expect("id"));
    let patch = member.patch(app.url(&path)).json(&json!({ "title": "Mine now" })).send().await.expect("patch");
    assert_eq!(patch.status(), StatusCode::FORBIDDEN);
    let delete = member.delete(app.url(&path)).send().await.expect("delete");
    assert_eq!(delete.status(), StatusCode::FORBIDDEN);
}

#[actix_rt::test]
async fn every_validation_rule_is_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let start = Utc::now() + Duration::hours(1);
    let fmt = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("title", json!(""), "empty"),
        ("title", json!("x".repeat(121)), "too_long"),
        ("description", json!("d".repeat(10_001)), "too_long"),
        ("category", json!("synthesizers"), "invalid_choice"),
        ("condition", json!("mint"), "invalid_choice"),
        ("reserve_price", json!("0"), "must_be_positive"),
        ("reserve_price", json!("-5"), "not_decimal_integer"),
        ("reserve_price", json!("1.5"), "not_decimal_integer"),
        ("reserve_price", json!("079"), "leading_zero"),
        ("reserve_price", json!("79228162514264337593543950336"), "amount_too_large"),
        ("starts_at", json!("next tuesday"), "invalid_datetime"),
        ("ends_at", json!(fmt(start + Duration::minutes(4))), "duration_too_short"),
        ("ends_at", json!(fmt(start + Duration::days(31))), "duration_too_long"),
        ("ends_at", json!(fmt(start - Duration::minutes(10))), "before_start"),
        ("min_increment_bps", json!(0), "out_of_range"),
        ("min_increment_bps", json!(10_001), "out_of_range"),
        ("extension_secs", json!(86_401), "out_of_range"),
        ("pickup", json!({ "available": false }), "no_fulfilment"),
    ];
    for (field, value, code) in cases {
        let mut body = listing_body("Valid title");
        body["starts_at"] = json!(fmt(start));
        body[field] = value;
        let response = steward.post(app.url("/api/v1/listings")).json(&body).send().await.expect("send");
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}/{code}");
        let error: Value = response.json().await.expect("json");
        assert_eq!(error["error"]["code"], "validation_failed");
        let details = error["error"]["details"].as_array().expect("details");
        assert!(details.iter().any(|d| d["field"] == field && d["code"] == code), "{field}/{code} not in {details:?}");
    }
    let mut missing = listing_body("x");
    missing.as_object_mut().expect("object").remove("reserve_price");
    let response = steward.post(app.url("/api/v1/listings")).json(&missing).send().await.expect("send");
    let error: Value = response.json().await.expect("json");
    assert_eq!(
        error["error"]["details"][0],
        json!({ "field": "reserve_price", "code": "required", "message": "reserve_price is required" })
    );

    // Money travels as strings: a JSON number is a type error.
    let mut numeric = listing_body("x");
    numeric["reserve_price"] = json!(25);
    let response = steward.post(app.url("/api/v1/listings")).json(&numeric).send().await.expect("send");
    assert_eq!(error_code(response).await, (StatusCode::BAD_REQUEST, "invalid_json".into()));

    let mut typo = listing_body("x");
    typo["titel"] = json!("typo");
    let response = steward.post(app.url("/api/v1/listings")).json(&typo).send().await.expect("send");
    assert_eq!(error_code(response).await, (StatusCode::BAD_REQUEST, "invalid_json".into()));

    let huge = json!({ "title": "x".repeat(300 * 1024) });
    let response = steward.post(app.url("/api/v1/listings")).json(&huge).send().await.expect("send");
    assert_eq!(error_code(response).await, (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into()));

    // Nothing half-written: every rejected request left no row behind.
    let page: Value =
        steward.get(app.url("/api/v1/listings?status=draft")).send().await.expect("list").json().await.expect("json");
    assert_eq!(page["items"], json!([]));
}

#[actix_rt::test]
async fn drafts_are_patched_and_revalidated() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let listing = app.create_listing(&steward, listing_body("Rhodes Mk I")).await;
    let path = format!("/api/v1/listings/{}", listing["id"].as_str().expect("id"));

    let response = steward
        .patch(app.url(&path))
        .json(&json!({ "title": "Rhodes Mark I Stage 73", "donor_credit": null, "min_increment_bps": 250,
                        "shipping": { "available": true, "note": "UK only, buyer pays" } }))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), StatusCode::OK);
    let patched: Value = response.json().await.expect("json");
    assert_eq!(patched["title"], "Rhodes Mark I Stage 73");
    assert_eq!(patched["donor_credit"], Value::Null);
    assert_eq!(patched["min_increment_bps"], 250);
    assert_eq!(patched["shipping"], json!({ "available": true, "note": "UK only, buyer pays" }));
    assert_eq!(patched["reserve_price"], listing["reserve_price"], "untouched fields keep their value");

    let shrink =
        steward.patch(app.url(&path)).json(&json!({ "ends_at": listing["starts_at"] })).send().await.expect("patch");
    assert_eq!(shrink.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unchanged: Value = steward.get(app.url(&path)).send().await.expect("get").json().await.expect("json");
    assert_eq!(unchanged["ends_at"], listing["ends_at"]);
}

/// Puts a draft straight into `to`, as the chain worker would over time (no worker runs here).
async fn force_status(app: &TestApp, id: &str, to: ListingStatus) {
    use commissary_db::schema::listings as l;
    use diesel::prelude::*;
    let id: ListingId = id.parse().expect("uuid");
    app.db
        .run(move |conn| {
            let updated = diesel::update(l::table.find(id.to_string()).filter(l::status.eq("draft")))
                .set(l::status.eq(to.as_str()))
                .execute(conn)?;
            assert_eq!(updated, 1, "the listing was a draft");
            Ok(())
        })
        .await
        .expect("status change");
}

#[actix_rt::test]
async fn published_listings_are_frozen() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let listing = app.create_listing(&steward, listing_body("Frozen")).await;
    let id = listing["id"].as_str().expect("id");
    force_status(&app, id, ListingStatus::Publishing).await;
    let path = format!("/api/v1/listings/{id}");
    let patch = steward.patch(app.url(&path)).json(&json!({ "title": "Changed" })).send().await.expect("patch");
    assert_eq!(error_code(patch).await, (StatusCode::CONFLICT, "listing_not_draft".into()));
    let delete = steward.delete(app.url(&path)).send().await.expect("delete");
    assert_eq!(error_code(delete).await, (StatusCode::CONFLICT, "listing_not_draft".into()));
    let upload = app.upload(&steward, id, "a.png", commissary_photos::corpus::png(64, 48)).await;
    assert_eq!(error_code(upload).await, (StatusCode::CONFLICT, "listing_not_draft".into()));
    // Published listings are public.
    let public: Value = app.client().get(app.url(&path)).send().await.expect("get").json().await.expect("json");
    assert_eq!(public["status"], "publishing");
}

#[actix_rt::test]
async fn drafts_are_deleted_and_hidden_from_the_public() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let listing = app.create_listing(&steward, listing_body("Secret draft")).await;
    let path = format!("/api/v1/listings/{}", listing["id"].as_str().expect("id"));
    let anonymous = app.client().get(app.url(&path)).send().await.expect("get");
    assert_eq!(error_code(anonymous).await, (StatusCode::NOT_FOUND, "not_found".into()));
    let member = app.member().await;
    let listed: Value = member.get(app.url("/api/v1/listings")).send().await.expect("list").json().await.expect("json");
    assert_eq!(listed["items"], json!([]));
    let drafts = member.get(app.url("/api/v1/listings?status=draft")).send().await.expect("list");
    assert_eq!(drafts.status(), StatusCode::FORBIDDEN);

    assert_eq!(steward.delete(app.url(&path)).send().await.expect("delete").status(), StatusCode::NO_CONTENT);
    let gone = steward.get(app.url(&path)).send().await.expect("get");
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let again = steward.delete(app.url(&path)).send().await.expect("delete");
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[actix_rt::test]
async fn unknown_and_malformed_ids_are_404() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    for path in ["/api/v1/listings/not-a-uuid", &format!("/api/v1/listings/{}", uuid::Uuid::now_v7())] {
        let response = steward.get(app.url(path)).send().await.expect("get");
        assert_eq!(error_code(response).await, (StatusCode::NOT_FOUND, "not_found".into()), "{path}");
        let response = steward.patch(app.url(path)).json(&json!({ "title": "x" })).send().await.expect("patch");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// Publishes listings directly in the database so the public list has content.
async fn seed_public(app: &TestApp, steward: &reqwest::Client, specs: &[(&str, &str, &str, i64)]) -> Vec<String> {
    let mut ids = Vec::new();
    for (title, category, reserve, end_hours) in specs {
        let mut body = listing_body(title);
        body["category"] = json!(category);
        body["reserve_price"] = json!(reserve);
        let start = Utc::now() + Duration::minutes(30);
        body["starts_at"] = json!(start.to_rfc3339_opts(SecondsFormat::Secs, true));
        body["ends_at"] = json!((start + Duration::hours(*end_hours)).to_rfc3339_opts(SecondsFormat::Secs, true));
        let listing = app.create_listing(steward, body).await;
        let id = listing["id"].as_str().expect("id").to_owned();
        force_status(app, &id, ListingStatus::Scheduled).await;
        ids.push(id);
    }
    ids
}

async fn titles(client: &reqwest::Client, url: String) -> (Vec<String>, Option<String>) {
    let response = client.get(url).send().await.expect("list");
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.expect("json");
    let titles = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().expect("title").to_owned())
        .collect();
    (titles, page["next_cursor"].as_str().map(str::to_owned))
}

#[actix_rt::test]
async fn listing_search_filters_sorts_and_paginates() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    seed_public(
        &app,
        &steward,
        &[
            ("Vox AC30 amplifier", "amplifiers", "900", 30),
            ("Tube screamer pedal", "effects", "10", 10),
            ("Marshall 100% valve amp", "amplifiers", "1000", 20),
            ("Shure SM58", "audio", "9", 40),
            ("Big Muff", "effects", "10", 50),
        ],
    )
    .await;
    let anon = app.client();
    let list = |query: &str| app.url(&format!("/api/v1/listings{query}"));

    let (ending, _) = titles(&anon, list("")).await;
    assert_eq!(
        ending,
        ["Tube screamer pedal", "Marshall 100% valve amp", "Vox AC30 amplifier", "Shure SM58", "Big Muff"]
    );
    let (newest, _) = titles(&anon, list("?sort=newest")).await;
    assert_eq!(
        newest,
        ["Big Muff", "Shure SM58", "Marshall 100% valve amp", "Tube screamer pedal", "Vox AC30 amplifier"]
    );
    let (low, _) = titles(&anon, list("?sort=price_low")).await;
    assert_eq!(low[0], "Shure SM58", "9 < 10 numerically, not textually");
    assert_eq!(low[3..], ["Vox AC30 amplifier", "Marshall 100% valve amp"]);
    let (high, _) = titles(&anon, list("?sort=price_high")).await;
    assert_eq!(high[..2], ["Marshall 100% valve amp", "Vox AC30 amplifier"]);
    assert_eq!(high[4], "Shure SM58");

    let (amps, _) = titles(&anon, list("?category=amplifiers")).await;
    assert_eq!(amps, ["Marshall 100% valve amp", "Vox AC30 amplifier"]);
    let (search, _) = titles(&anon, list("?q=AMP")).await;
    assert_eq!(search, ["Marshall 100% valve amp", "Vox AC30 amplifier"], "case-insensitive");
    let (percent, _) = titles(&anon, list("?q=100%25")).await;
    assert_eq!(percent, ["Marshall 100% valve amp"], "LIKE wildcards are literal");
    let (underscore, _) = titles(&anon, list("?q=_")).await;
    assert!(underscore.is_empty());
    let (scheduled, _) = titles(&anon, list("?status=scheduled,live&category=effects")).await;
    assert_eq!(scheduled, ["Tube screamer pedal", "Big Muff"]);
    let (none, _) = titles(&anon, list("?status=settled")).await;
    assert!(none.is_empty());

    for sort in ["ending_soon", "newest", "price_low", "price_high"] {
        let (all, _) = titles(&anon, list(&format!("?sort={sort}"))).await;
        let mut paged = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let query = match &cursor {
                Some(c) => format!("?sort={sort}&limit=2&cursor={c}"),
                None => format!("?sort={sort}&limit=2"),
            };
            let (page, next) = titles(&anon, list(&query)).await;
            assert!(page.len() <= 2);
            paged.extend(page);
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(paged, all, "pages of {sort} neither skip nor repeat");
    }
}

#[actix_rt::test]
async fn bad_list_parameters_are_400() {
    let app = TestApp::spawn().await;
    let anon = app.client();
    for (query, code) in [
        ("?sort=cheapest", "invalid_sort"),
        ("?status=sold", "invalid_status"),
        ("?category=synths", "invalid_category"),
        ("?limit=0", "invalid_limit"),
        ("?limit=101", "invalid_limit"),
        ("?limit=ten", "invalid_query"),
        ("?cursor=zz", "invalid_cursor"),
        ("?unknown=1", "invalid_query"),
    ] {
        let response = anon.get(app.url(&format!("/api/v1/listings{query}"))).send().await.expect("list");
        assert_eq!(error_code(response).await, (StatusCode::BAD_REQUEST, code.to_owned()), "{query}");
    }
    let cursor_of_other_sort = hex::encode("v1|newest|1|x");
    let response = anon
        .get(app.url(&format!("/api/v1/listings?sort=price_low&cursor={cursor_of_other_sort}")))
        .send()
        .await
        .expect("list");
    assert_eq!(error_code(response).await, (StatusCode::BAD_REQUEST, "invalid_cursor".into()));
}
