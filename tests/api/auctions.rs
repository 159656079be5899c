//! Publishing and cancelling through the API. Here no chain worker runs, so these
//! tests pin what the API records; the chain side is tested with anvil elsewhere.

use chrono::{Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use commissary_domain::{ListingDetails, ListingDocument, ListingId};

use crate::helpers::*;

async fn queued_jobs(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let subject = id.to_owned();
    app.db
        .run(move |conn| commissary_db::chain::jobs::for_subject(conn, &subject))
        .await
        .expect("jobs")
        .into_iter()
        .map(|job| (job.kind, job.dedupe_key))
        .collect()
}

#[actix_rt::test]
async fn publishing_freezes_the_document_and_queues_one_job() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let listing = app.create_listing(&steward, listing_body("Korg MS-20")).await;
    let id = listing["id"].as_str().expect("id").to_owned();
    let photo: Value =
        app.upload(&steward, &id, "p.png", commissary_photos::corpus::png(64, 48)).await.json().await.expect("json");

    let response = steward.post(app.url(&format!("/api/v1/listings/{id}/publish"))).send().await.expect("publish");
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let published: Value = response.json().await.expect("json");
    assert_eq!(published["status"], "publishing");

    // The hash is the keccak256 of the canonical document of exactly what was shown.
    let listing_id: ListingId = id.parse().expect("uuid");
    let record = app.db.run(move |conn| commissary_db::listings::get(conn, listing_id)).await.expect("record");
    let details: ListingDetails = record.details.clone();
    let expected = ListingDocument::new(&details, &[photo["sha256"].as_str().expect("sha").to_owned()]);
    assert_eq!(published["listing_hash"], expected.hash_hex());
    assert_eq!(record.listing_document.as_deref(), Some(expected.as_str()));
    assert_eq!(queued_jobs(&app, &id).await, [("publish_listing".to_owned(), format!("publish:{id}"))]);

    let again = steward.post(app.url(&format!("/api/v1/listings/{id}/publish"))).send().await.expect("publish");
    assert_eq!(error_code(again).await, (StatusCode::CONFLICT, "listing_not_draft".into()));
    assert_eq!(queued_jobs(&app, &id).await.len(), 1, "no second job");
    let upload = app.upload(&steward, &id, "q.png", commissary_photos::corpus::png(65, 48)).await;
    assert_eq!(upload.status(), StatusCode::CONFLICT, "published photos are frozen");
}

#[actix_rt::test]
async fn only_stewards_publish_and_an_ended_draft_cannot_be_published() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let listing = app.create_listing(&steward, listing_body("Late")).await;
    let id = listing["id"].as_str().expect("id").to_owned();
    let member = app.member().await;
    let forbidden = member.post(app.url(&format!("/api/v1/listings/{id}/publish"))).send().await.expect("publish");
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    // A draft whose end has passed since it was written is rejected at publication.
    let listing_id: ListingId = id.parse().expect("uuid");
    let past = Utc::now() - Duration::minutes(1);
    app.db
        .run(move |conn| {
            let mut record = commissary_db::listings::get(conn, listing_id)?;
            record.details.schedule.starts_at = past - Duration::hours(1);
            record.details.schedule.ends_at = past;
            commissary_db::listings::update_draft(conn, listing_id, &record.details, Utc::now())
        })
        .await
        .expect("backdate");
    let response = steward.post(app.url(&format!("/api/v1/listings/{id}/publish"))).send().await.expect("publish");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(queued_jobs(&app, &id).await.is_empty());
}

#[actix_rt::test]
async fn publishing_reports_every_missing_piece_at_once_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let mut body = listing_body("Unready");
    body["description"] = json!("   ");
    let listing = app.create_listing(&steward, body).await;
    let id = listing["id"].as_str().expect("id").to_owned();
    let listing_id: ListingId = id.parse().expect("uuid");
    // Written an hour before it was meant to open, published two minutes after that.
    let start = Utc::now() - Duration::minutes(2);
    app.db
        .run(move |conn| {
            let mut record = commissary_db::listings::get(conn, listing_id)?;
            record.details.schedule.starts_at = start;
            commissary_db::listings::update_draft(conn, listing_id, &record.details, Utc::now())
        })
        .await
        .expect("backdate the start");
    let publish = || steward.post(app.url(&format!("/api/v1/listings/{id}/publish"))).send();
    let before: Value = get_json(&app, &steward, &format!("/api/v1/listings/{id}")).await;
    let response = publish().await.expect("publish");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields: Vec<(&str, &str)> = body["error"]["details"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| (f["field"].as_str().expect("field"), f["code"].as_str().expect("code")))
        .collect();
    assert_eq!(fields, [("photos", "required"), ("description", "required"), ("starts_at", "in_the_past")]);
    assert!(queued_jobs(&app, &id).await.is_empty(), "nothing queued");
    let still: Value = get_json(&app, &steward, &format!("/api/v1/listings/{id}")).await;
    assert_eq!(still["status"], "draft");
    // The check runs inside the publishing transaction, after it locked the draft: the
    // refusal rolls all of it back.
    assert_eq!(still["updated_at"], before["updated_at"], "a refused publish writes nothing");

    // Each piece supplied in turn: the refusal names only what is still missing.
    let photo = app.upload(&steward, &id, "front.jpg", commissary_photos::corpus::jpeg(640, 480)).await;
    assert_eq!(photo.status(), StatusCode::CREATED);
    let opens = (Utc::now() + Duration::minutes(10)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let patched = steward
        .patch(app.url(&format!("/api/v1/listings/{id}")))
        .json(&json!({ "starts_at": opens }))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), StatusCode::OK);
    let response = publish().await.expect("publish");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["details"][0]["field"], "description", "{body}");
    assert_eq!(body["error"]["details"].as_array().map(Vec::len), Some(1), "{body}");
    let patched = steward
        .patch(app.url(&format!("/api/v1/listings/{id}")))
        .json(&json!({ "description": "Plays well." }))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(publish().await.expect("publish").status(), StatusCode::ACCEPTED);
}

#[actix_rt::test]
async fn identical_listings_cannot_both_be_published() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let starts = (Utc::now() + Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let ends = (Utc::now() + Duration::days(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut body = listing_body("Twin");
    body["starts_at"] = json!(starts);
    body["ends_at"] = json!(ends);
    let first = app.create_listing(&steward, body.clone()).await;
    let second = app.create_listing(&steward, body).await;
    // The same photo too: the document, and so its hash, is the same.
    let first = app.publish(&steward, first["id"].as_str().expect("id")).await;
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    let duplicate = app.publish(&steward, second["id"].as_str().expect("id")).await;
    assert_eq!(error_code(duplicate).await, (StatusCode::CONFLICT, "duplicate_listing".into()));
    let still_draft: Value = steward
        .get(app.url(&format!("/api/v1/listings/{}", second["id"].as_str().expect("id"))))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(still_draft["status"], "draft", "the failed publication changed nothing");
}

#[actix_rt::test]
async fn cancelling_a_draft_or_a_publication() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let draft = app.create_listing(&steward, listing_body("Never mind")).await;
    let draft_id = draft["id"].as_str().expect("id").to_owned();
    let response = steward.post(app.url(&format!("/api/v1/listings/{draft_id}/cancel"))).send().await.expect("cancel");
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let cancelled: Value = response.json().await.expect("json");
    assert_eq!(cancelled["status"], "cancelled");
    assert!(queued_jobs(&app, &draft_id).await.is_empty(), "nothing on chain to cancel");

    let listing = app.create_listing(&steward, listing_body("Withdrawn")).await;
    let id = listing["id"].as_str().expect("id").to_owned();
    assert_eq!(app.publish(&steward, &id).await.status(), StatusCode::ACCEPTED);
    for _ in 0..2 {
        let response = steward.post(app.url(&format!("/api/v1/listings/{id}/cancel"))).send().await.expect("cancel");
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let jobs = queued_jobs(&app, &id).await;
    assert_eq!(jobs.iter().filter(|(kind, _)| kind == "cancel_listing").count(), 1, "cancel is idempotent: {jobs:?}");
}

#[actix_rt::test]
async fn bids_of_an_unpublished_listing_are_empty_and_drafts_stay_hidden() {
    let app = TestApp::spawn().await;
    let steward = app.steward().await;
    let listing = app.create_listing(&steward, listing_body("Quiet")).await;
    let id = listing["id"].as_str().expect("id");
    let bids: Value = get_json(&app, &steward, &format!("/api/v1/listings/{id}/bids")).await;
    assert_eq!(bids, json!({ "items": [], "next_cursor": null }));
    let anonymous = app.client().get(app.url(&format!("/api/v1/listings/{id}/bids"))).send().await.expect("bids");
    assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);
    let bad = steward.get(app.url(&format!("/api/v1/listings/{id}/bids?cursor=x"))).send().await.expect("bids");
    assert_eq!(error_code(bad).await, (StatusCode::BAD_REQUEST, "invalid_cursor".into()));
}
