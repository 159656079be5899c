//! After the hammer, end to end against a real anvil, a real SMTP server and a real
//! webhook receiver on loopback: confirmed email, outbid / won / lost / ending soon in
//! the inbox, by email and by signed webhook; the winner's claim, the stewards' steps,
//! receipt, erasure after retention, the stewards' books, unsubscribe.

use std::time::{Duration, Instant};

use alloy::primitives::U256;
use base64::Engine;
use chrono::{Duration as ChronoDuration, Utc};
use hmac::{Hmac, Mac};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use commissary::after_sale_config::{EmailConfig, WebhookConfig};
use commissary::config::Secret;
use commissary_chain::testkit::{ANVIL_KEYS, Anvil, AnvilOptions, address_of};
use commissary_notify::testkit::{ReceivedMail, ReceivedRequest, SmtpSink, WebhookReceiver};

use crate::helpers::*;
use crate::live::SseStream;

const AMPLED: u128 = 1_000_000_000_000_000_000;
/// A test secret (24 bytes, base64), not used anywhere real.
const WEBHOOK_SECRET: &str = "whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS13ZWJob29r";
const ALICE_EMAIL: &str = "alice@member.test";
const ALICE_NAME: &str = "Alice Marchetti";
const ALICE_PHONE: &str = "+44 113 496 0123";

async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Standard Webhooks verification written from the specification, independently of the
/// service's signer: HMAC-SHA256 over `id.timestamp.body` with the base64 key after
/// `whsec_`, any `v1,` entry of the space-separated header must match, and the
/// timestamp must be within five minutes.
fn verify_standard_webhook(secret: &str, request: &ReceivedRequest) -> bool {
    let (Some(id), Some(timestamp), Some(signatures)) =
        (request.header("webhook-id"), request.header("webhook-timestamp"), request.header("webhook-signature"))
    else {
        return false;
    };
    let Ok(ts) = timestamp.parse::<i64>() else { return false };
    if (Utc::now().timestamp() - ts).abs() > 300 {
        return false;
    }
    let engine = base64::engine::general_purpose::STANDARD;
    let Ok(key) = engine.decode(secret.trim_start_matches("whsec_")) else { return false };
    let mut signed = Vec::new();
    signed.extend_from_slice(format!("{id}.{timestamp}.").as_bytes());
    signed.extend_from_slice(&request.body);
    signatures.split(' ').filter_map(|s| s.strip_prefix("v1,")).any(|candidate| {
        let Ok(given) = engine.decode(candidate) else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
        mac.update(&signed);
        mac.verify_slice(&given).is_ok()
    })
}

fn code_in(mail: &ReceivedMail) -> String {
    let text = mail.texts().join("\n");
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text}"))
        .to_owned()
}

async fn inbox(app: &TestApp, client: &Client) -> Value {
    get_json(app, client, "/api/v1/me/notifications").await
}

fn kinds(inbox: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["kind"].as_str().expect("kind").to_owned())
        .collect();
    kinds.sort();
    kinds
}

async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> (StatusCode, Value) {
    let response = client.post(app.url(path)).json(&body).send().await.expect("post");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[actix_rt::test]
async fn won_gear_reaches_its_winner_and_everyone_hears_about_it() {
    let smtp = SmtpSink::start().await;
    let hooks = WebhookReceiver::start().await;
    let anvil = Anvil::spawn_with(AnvilOptions { block_time: Some(1), ..Default::default() }).await;
    let (deployment, chain) = anvil.deploy().await;
    let app = TestApp::spawn_with(|config| {
        config.chain = Some(chain);
        config.email = Some(EmailConfig {
            smtp_url: Secret::new(smtp.url()),
            from: "Ampled Commissary <commissary@coop.test>".into(),
        });
        config.webhooks = vec![WebhookConfig {
            url: hooks.url("/hooks/commissary"),
            secret: Secret::new(WEBHOOK_SECRET),
            kinds: Vec::new(),
        }];
        config.notifications.poll_interval = Duration::from_millis(100);
        config.notifications.scan_interval = Duration::from_millis(300);
        config.notifications.ending_soon_lead = Duration::from_secs(3600);
        // Erase personal data as soon as a fulfillment is closed, to see it happen.
        config.fulfillment.retention_days = 0;
    })
    .await;
    let steward = app.steward().await;
    let alice = app.signed_in(MEMBER_KEY).await;
    let bob = app.signed_in(OTHER_KEY).await;
    // Carol never bids: she only watches the listing.
    let carol = app.signed_in(ANVIL_KEYS[3].trim_start_matches("0x")).await;
    let alice_address = address_of(ANVIL_KEYS[1]).to_checksum(None);

    // Alice's profile: a display name, and an email address confirmed by its code.
    let (status, body) =
        app_put(&app, &alice, "/api/v1/me/profile", json!({"display_name": "see www.x.io", "email": "nope"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| d["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, ["display_name", "email"]);
    let (status, body) =
        app_put(&app, &alice, "/api/v1/me/profile", json!({"display_name": "Alice M.", "email": ALICE_EMAIL})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["pending_email"], ALICE_EMAIL);
    assert_eq!(body["email"], Value::Null, "not used before it is confirmed");
    let code_mail =
        eventually("the confirmation code", || async { smtp.mails().into_iter().find(|m| m.to == [ALICE_EMAIL]) })
            .await;
    let code = code_in(&code_mail);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, body) = post(&app, &alice, "/api/v1/me/profile/email/confirm", json!({"code": wrong})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_code")));
    assert_eq!(body["error"]["details"]["remaining_attempts"], 4);
    let (status, body) = post(&app, &alice, "/api/v1/me/profile/email/confirm", json!({"code": code})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], ALICE_EMAIL);

    // An auction (pickup only) that runs six minutes; Bob opens, Alice outbids him, and
    // chain time moves past the end.
    let mut listing = opening_now("Gibson ES-335", ChronoDuration::minutes(6));
    listing["reserve_price"] = json!((10 * AMPLED).to_string());
    listing["extension_secs"] = json!(0);
    listing["category"] = json!("instruments");
    let id = app.create_listing(&steward, listing).await["id"].as_str().expect("id").to_owned();
    assert_eq!(app.publish(&steward, &id).await.status(), StatusCode::ACCEPTED);
    let live = eventually("the auction to go live", || async {
        let l = get_json(&app, &app.client(), &format!("/api/v1/listings/{id}")).await;
        (l["status"] == "live").then_some(l)
    })
    .await;
    let auction_id: u64 = live["auction_id"].as_str().expect("auction").parse().expect("number");
    let watched = carol.put(app.url(&format!("/api/v1/me/watchlist/{id}"))).send().await.expect("watch");
    assert_eq!(watched.status(), StatusCode::NO_CONTENT);
    for key in [ANVIL_KEYS[1], ANVIL_KEYS[2]] {
        anvil.fund(&deployment, key, U256::from(100 * AMPLED)).await;
    }
    anvil.bid(&deployment, ANVIL_KEYS[2], auction_id, 10 * AMPLED).await.expect("bob bids");
    anvil.bid(&deployment, ANVIL_KEYS[1], auction_id, 11 * AMPLED).await.expect("alice outbids bob");
    anvil.increase_time(7 * 60).await;
    eventually("settlement", || async {
        let l = get_json(&app, &app.client(), &format!("/api/v1/listings/{id}")).await;
        (l["status"] == "settled").then_some(())
    })
    .await;

    // Alice's display name is shown with her bid; Bob set none.
    let bids = get_json(&app, &app.client(), &format!("/api/v1/listings/{id}/bids")).await;
    let names: Vec<&Value> = bids["items"].as_array().expect("bids").iter().map(|b| &b["bidder_name"]).collect();
    assert_eq!(names, [&json!("Alice M."), &Value::Null]);
    // And with her win, on the listing itself.
    let listing = get_json(&app, &app.client(), &format!("/api/v1/listings/{id}")).await;
    assert_eq!(listing["highest_bidder_name"], "Alice M.");
    assert_eq!(listing["settlement"]["winner_name"], "Alice M.");

    // The inboxes, each notification once.
    let alice_inbox = eventually("alice's won", || async {
        let i = inbox(&app, &alice).await;
        kinds(&i).contains(&"won".to_owned()).then_some(i)
    })
    .await;
    assert_eq!(kinds(&alice_inbox), ["ending_soon", "won"]);
    assert_eq!(alice_inbox["unread"], 2);
    let won = alice_inbox["items"].as_array().expect("items").iter().find(|n| n["kind"] == "won").expect("won").clone();
    assert_eq!(won["listing_id"], id.as_str());
    assert_eq!(won["data"]["amount"], (11 * AMPLED).to_string());
    let bob_inbox = eventually("bob's lost", || async {
        let i = inbox(&app, &bob).await;
        kinds(&i).contains(&"lost".to_owned()).then_some(i)
    })
    .await;
    assert_eq!(kinds(&bob_inbox), ["ending_soon", "lost", "outbid"]);
    // A watcher hears that it is ending soon, but not how it ended: that is for bidders.
    let carol_inbox = eventually("carol's ending soon", || async {
        let i = inbox(&app, &carol).await;
        (!kinds(&i).is_empty()).then_some(i)
    })
    .await;
    assert_eq!(kinds(&carol_inbox), ["ending_soon"]);
    assert_eq!(carol_inbox["items"][0]["listing_id"], id.as_str());

    // Each in-app notification was also pushed on the member's own stream, and only there.
    let mut stream = SseStream::open(&alice, &app.url("/api/v1/me/events"), Some(0)).await;
    let mut pushed = Vec::new();
    while pushed.len() < 2 {
        let event = stream.next_of("notification").await;
        pushed.push((event.data["kind"].as_str().expect("kind").to_owned(), event.data["id"].to_string()));
    }
    pushed.sort();
    let mut listed: Vec<(String, String)> = alice_inbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| (n["kind"].as_str().expect("kind").to_owned(), n["id"].to_string()))
        .collect();
    listed.sort();
    assert_eq!(pushed, listed, "the stream carries the inbox's notifications");
    let mut carol_stream = SseStream::open(&carol, &app.url("/api/v1/me/events"), Some(0)).await;
    let carol_pushed = carol_stream.next_of("notification").await;
    assert_eq!(carol_pushed.data["kind"], "ending_soon");
    assert_eq!(carol_pushed.data["id"], carol_inbox["items"][0]["id"]);
    assert!(
        carol_stream.next_within(Duration::from_millis(500)).await.is_none(),
        "nobody else's notifications on carol's stream"
    );

    // Alice's won email: text and HTML, a link to the listing, one-click unsubscribe.
    let won_mail = eventually("the won email", || async {
        smtp.mails().into_iter().find(|m| m.header("Subject").is_some_and(|s| s.contains("You won")))
    })
    .await;
    assert_eq!(won_mail.to, [ALICE_EMAIL]);
    let texts = won_mail.texts();
    assert_eq!(texts.len(), 2, "plain text and HTML");
    let link = format!("{SIWE_URI}/#/listing/{id}");
    assert!(texts[0].contains(&link) && texts[0].contains("11 AMPLED"), "{}", texts[0]);
    assert!(texts[1].contains(&format!("href=\"{link}\"")), "{}", texts[1]);
    assert_eq!(won_mail.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    let unsubscribe = won_mail.header("List-Unsubscribe").expect("unsubscribe header");
    assert!(smtp.mails().iter().all(|m| m.to == [ALICE_EMAIL]), "bob has no address: nothing is mailed to him");

    // Only the winner and stewards see the fulfillment; others get 404.
    let path = format!("/api/v1/listings/{id}/fulfillment");
    assert_eq!(bob.get(app.url(&path)).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    assert_eq!(app.client().get(app.url(&path)).send().await.expect("get").status(), StatusCode::NOT_FOUND);
    let record = get_json(&app, &alice, &path).await;
    assert_eq!(record["state"], "awaiting_claim");
    assert_eq!(record["winner"], alice_address);
    assert_eq!(record["amount"], (11 * AMPLED).to_string());

    // The claim: every invalid field at once; only the winner may claim.
    let claim_path = format!("/api/v1/listings/{id}/claim");
    let (status, body) = post(&app, &alice, &claim_path, json!({"method": "shipping", "name": "", "email": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<(&str, &str)> = body["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| (d["field"].as_str().expect("field"), d["code"].as_str().expect("code")))
        .collect();
    assert_eq!(fields, [("method", "method_not_offered"), ("name", "required"), ("email", "invalid_email")]);
    let claim = json!({"method": "pickup", "name": ALICE_NAME, "email": ALICE_EMAIL, "phone": ALICE_PHONE});
    assert_eq!(post(&app, &bob, &claim_path, claim.clone()).await.0, StatusCode::NOT_FOUND);
    let (status, body) = post(&app, &alice, &claim_path, claim).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "claimed");
    assert_eq!(body["contact"]["name"], ALICE_NAME);

    // Stewards move it along; a skipped step is refused with the allowed ones.
    let moves = format!("/api/v1/listings/{id}/fulfillment/transitions");
    assert_eq!(post(&app, &alice, &moves, json!({"to": "ready_for_pickup"})).await.0, StatusCode::FORBIDDEN);
    let (status, body) = post(&app, &steward, &moves, json!({"to": "shipped"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")), "{body}");
    assert_eq!(body["error"]["details"], json!({"from": "claimed", "to": "shipped", "allowed": ["ready_for_pickup"]}));
    let (status, body) =
        post(&app, &steward, &moves, json!({"to": "ready_for_pickup", "note": "at the Leeds rooms"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        post(&app, &alice, &claim_path, json!({"method": "pickup", "name": "A", "email": ALICE_EMAIL})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("claim_not_amendable")));
    let (status, body) =
        post(&app, &alice, &format!("/api/v1/listings/{id}/fulfillment/confirm-receipt"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "handed_over");
    let steps: Vec<&str> =
        body["history"].as_array().expect("history").iter().map(|h| h["to"].as_str().expect("to")).collect();
    assert_eq!(steps, ["awaiting_claim", "claimed", "ready_for_pickup", "handed_over"]);
    let queue = get_json(&app, &steward, "/api/v1/fulfillment?state=handed_over").await;
    assert_eq!(queue["items"].as_array().expect("items").len(), 1);
    assert_eq!(queue["items"][0]["overdue"], false);
    assert_eq!(alice.get(app.url("/api/v1/fulfillment")).send().await.expect("queue").status(), StatusCode::FORBIDDEN);

    // Retention 0 days: the scan erases the personal data, the history stays.
    let erased = eventually("erasure", || async {
        let r = get_json(&app, &steward, &path).await;
        (r["erased"] == true).then_some(r)
    })
    .await;
    assert_eq!(erased["contact"]["name"], "[redacted]");
    assert_eq!(erased["contact"]["email"], "[redacted]");
    assert_eq!(erased["contact"]["phone"], Value::Null);
    assert_eq!(erased["history"][2]["note"], "[redacted]");
    assert_eq!(erased["history"].as_array().expect("history").len(), 4);

    // Every step reached the winner (claimed, ready, handed over).
    let alice_inbox = eventually("the fulfillment updates", || async {
        let i = inbox(&app, &alice).await;
        (kinds(&i).iter().filter(|k| *k == "fulfillment_update").count() == 3).then_some(i)
    })
    .await;
    assert_eq!(alice_inbox["unread"], 5);
    let (status, body) = post(&app, &alice, "/api/v1/me/notifications/read", json!({})).await;
    assert_eq!((status, &body["marked"]), (StatusCode::OK, &json!(5)));
    assert_eq!(inbox(&app, &alice).await["unread"], 0);

    // Webhooks: one per notification, each signed per Standard Webhooks, no personal data.
    let total = app.db.run(commissary_db::after_sale::notifications::all).await.expect("notifications").len();
    let requests = eventually("every webhook", || async {
        let r = hooks.requests();
        (r.len() >= total).then_some(r)
    })
    .await;
    let mut ids: Vec<&str> = requests.iter().map(|r| r.header("webhook-id").expect("id")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "one webhook per notification");
    for request in &requests {
        assert_eq!(request.path, "/hooks/commissary");
        assert!(verify_standard_webhook(WEBHOOK_SECRET, request), "signature of {:?}", request.header("webhook-id"));
        let body = String::from_utf8(request.body.clone()).expect("utf8");
        for personal in [ALICE_NAME, ALICE_EMAIL, ALICE_PHONE] {
            assert!(!body.contains(personal), "personal data in a webhook: {body}");
        }
        let json: Value = serde_json::from_str(&body).expect("json body");
        assert!(json["type"].as_str().is_some_and(|t| t.starts_with("commissary.")), "{json}");
    }
    let mut tampered = requests[0].clone();
    tampered.body.push(b' ');
    assert!(!verify_standard_webhook(WEBHOOK_SECRET, &tampered), "the verification can fail");

    // The stewards' books.
    let csv = steward.get(app.url("/api/v1/reports/auctions.csv")).send().await.expect("csv");
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
    let csv = csv.text().await.expect("text");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("listing_id,title,category,donor_credit,reserve_ampled,"), "{csv}");
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(row[0], id);
    assert_eq!((row[2], row[4], row[8], row[9]), ("instruments", "10", "sold", "11"));
    assert_eq!(row[10], alice_address.to_ascii_lowercase());
    assert_eq!(row[12], "handed_over");
    assert_eq!(
        alice.get(app.url("/api/v1/reports/auctions.csv")).send().await.expect("csv").status(),
        StatusCode::FORBIDDEN
    );
    let summary = get_json(&app, &steward, "/api/v1/reports/summary").await;
    assert_eq!(summary["items"][0]["category"], "instruments");
    assert_eq!((summary["items"][0]["sold"].as_u64(), summary["items"][0]["unsold"].as_u64()), (Some(1), Some(0)));
    assert_eq!(summary["items"][0]["ampled_redeemed"], "11");

    // One-click unsubscribe from the won kind (RFC 8058 POST to the header's URL).
    let url = unsubscribe.trim_start_matches('<').trim_end_matches('>').replace(SIWE_URI, &app.base);
    let response = app.client().post(url).body("List-Unsubscribe=One-Click").send().await.expect("unsubscribe");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let settings = get_json(&app, &alice, "/api/v1/me/notification-settings").await;
    assert_eq!((settings["email"]["won"].as_bool(), settings["email"]["outbid"].as_bool()), (Some(false), Some(true)));
}

async fn app_put(app: &TestApp, client: &Client, path: &str, body: Value) -> (StatusCode, Value) {
    let response = client.put(app.url(path)).json(&body).send().await.expect("put");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}
