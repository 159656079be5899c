//! Test harness: every test gets its own service on port 0, its own database (a fresh
//! SQLite file, or a fresh PostgreSQL database when COMMISSARY_TEST_DATABASE=postgres,
//! from the database crate's `testkit::TestDb`) and its own photo directory.

use std::path::PathBuf;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use k256::ecdsa::SigningKey;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use sha3::{Digest, Keccak256};

use commissary::config::{Config, Secret};
use commissary::{RunningApp, Settings};
use commissary_db::Db;
use commissary_db::testkit::TestDb;
use commissary_domain::Address;

pub const SIWE_DOMAIN: &str = "commissary.test";
pub const SIWE_URI: &str = "https://commissary.test";
pub const CHAIN_ID: u64 = 31337;

/// Anvil's well-known development keys: public test fixtures, not secrets.
pub const STEWARD_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
pub const MEMBER_KEY: &str = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
pub const OTHER_KEY: &str = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

#[derive(Clone)]
pub struct Wallet {
    key: SigningKey,
}

impl Wallet {
    pub fn from_hex(key: &str) -> Self {
        let bytes = hex::decode(key).expect("hex key");
        Self { key: SigningKey::from_slice(&bytes).expect("valid key") }
    }

    pub fn address(&self) -> Address {
        let point = self.key.verifying_key().to_encoded_point(false);
        let hash = Keccak256::digest(&point.as_bytes()[1..]);
        let mut out = [0u8; 20];
        out.copy_from_slice(&hash[12..]);
        Address(out)
    }

    /// `personal_sign` (EIP-191 version 0x45) of a text message: r || s || v(27/28).
    pub fn personal_sign(&self, message: &str) -> String {
        let mut hasher = Keccak256::new();
        hasher.update(format!("\x19Ethereum Signed Message:\n{}", message.len()).as_bytes());
        hasher.update(message.as_bytes());
        let digest = hasher.finalize();
        let (signature, recovery) = self.key.sign_prehash_recoverable(&digest).expect("sign");
        let mut bytes = signature.to_bytes().to_vec();
        bytes.push(27 + recovery.to_byte());
        format!("0x{}", hex::encode(bytes))
    }
}

/// The fields of an EIP-4361 message, rendered by hand (independently of the `siwe`
/// crate the server uses) so a formatting disagreement would show up as a failure.
#[derive(Clone)]
pub struct SiweMessage {
    pub domain: String,
    pub address: Address,
    pub statement: String,
    pub uri: String,
    pub chain_id: u64,
    pub nonce: String,
    pub issued_at: DateTime<Utc>,
    pub expiration_time: Option<DateTime<Utc>>,
}

impl SiweMessage {
    pub fn new(address: Address, nonce: &str) -> Self {
        Self {
            domain: SIWE_DOMAIN.into(),
            address,
            statement: "Sign in to the Ampled Commissary.".into(),
            uri: SIWE_URI.into(),
            chain_id: CHAIN_ID,
            nonce: nonce.into(),
            issued_at: Utc::now(),
            expiration_time: Some(Utc::now() + Duration::minutes(10)),
        }
    }

    pub fn render(&self) -> String {
        let mut text = format!(
            "{} wants you to sign in with your Ethereum account:\n{}\n\n{}\n\nURI: {}\nVersion: 1\nChain ID: {}\nNonce: {}\nIssued At: {}",
            self.domain,
            self.address,
            self.statement,
            self.uri,
            self.chain_id,
            self.nonce,
            self.issued_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        if let Some(exp) = self.expiration_time {
            text.push_str(&format!("\nExpiration Time: {}", exp.to_rfc3339_opts(SecondsFormat::Secs, true)));
        }
        text
    }
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub photo_dir: PathBuf,
    running: Option<RunningApp>,
    // Dropped after the app: removes the test's PostgreSQL database, if any.
    _database: TestDb,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        // A fresh SQLite file, or a fresh PostgreSQL database with COMMISSARY_TEST_DATABASE=postgres.
        let database = TestDb::new().await;
        let photo_dir = dir.path().join("photos");
        let mut config = Config::default();
        config.server.listen = "127.0.0.1:0".into();
        config.server.public_url = Some(SIWE_URI.into());
        config.database.url = Secret::new(database.url.clone());
        config.database.pool_size = 4;
        config.photos.store = photo_dir.display().to_string();
        config.auth.stewards = vec![Wallet::from_hex(STEWARD_KEY).address().to_string()];
        config.auth.chain_id = CHAIN_ID;
        config.auth.session_key = Secret::new("test-session-key-".repeat(5));
        adjust(&mut config);
        let settings: Settings = config.validate().expect("valid test config");
        let running = commissary::start(settings).await.expect("service starts");
        Self {
            base: running.url(),
            db: running.db.clone(),
            photo_dir,
            running: Some(running),
            _database: database,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client with its own cookie jar, i.e. one browser. Idle connections are dropped
    /// before the server's keep-alive (actix: 5 s) ends them: a request sent on a
    /// connection the server is closing at that moment fails with `IncompleteMessage`
    /// (seen once in CI, after a test waited on the chain).
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("client")
    }

    pub async fn nonce(&self, client: &Client) -> String {
        let body: Value =
            client.get(self.url("/api/v1/auth/nonce")).send().await.expect("nonce").json().await.expect("json");
        body["nonce"].as_str().expect("nonce string").to_owned()
    }

    pub async fn login_with(&self, client: &Client, message: &str, signature: &str) -> Response {
        client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "message": message, "signature": signature }))
            .send()
            .await
            .expect("login request")
    }

    pub async fn sign_in(&self, client: &Client, wallet: &Wallet) -> Response {
        let nonce = self.nonce(client).await;
        let message = SiweMessage::new(wallet.address(), &nonce).render();
        self.login_with(client, &message, &wallet.personal_sign(&message)).await
    }

    pub async fn signed_in(&self, key: &str) -> Client {
        let client = self.client();
        let response = self.sign_in(&client, &Wallet::from_hex(key)).await;
        assert_eq!(response.status(), StatusCode::OK, "sign-in failed: {}", response.text().await.unwrap_or_default());
        client
    }

    pub async fn steward(&self) -> Client {
        self.signed_in(STEWARD_KEY).await
    }

    pub async fn member(&self) -> Client {
        self.signed_in(MEMBER_KEY).await
    }

    pub async fn create_listing(&self, steward: &Client, body: Value) -> Value {
        let response = steward.post(self.url("/api/v1/listings")).json(&body).send().await.expect("create");
        let status = response.status();
        let json: Value = response.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "{json}");
        json
    }

    /// Publishes a draft as a steward does in the editor: with a photo first, which
    /// publishing requires. Returns the publish response.
    pub async fn publish(&self, steward: &Client, listing_id: &str) -> Response {
        let photo = self.upload(steward, listing_id, "front.jpg", commissary_photos::corpus::jpeg(640, 480)).await;
        assert_eq!(photo.status(), StatusCode::CREATED, "photo upload for publishing");
        steward.post(self.url(&format!("/api/v1/listings/{listing_id}/publish"))).send().await.expect("publish")
    }

    pub async fn upload(&self, client: &Client, listing_id: &str, file_name: &str, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
        let form = reqwest::multipart::Form::new().part("photo", part);
        client
            .post(self.url(&format!("/api/v1/listings/{listing_id}/photos")))
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop serving before the database goes away.
        drop(self.running.take());
    }
}

/// A listing body that opens as soon as it is published (within the publish grace for
/// the start) and closes `runs_for` later: at least five minutes, the shortest auction.
/// Tests move chain time (`evm_increaseTime`) to reach the end; they never wait for it.
pub fn opening_now(title: &str, runs_for: Duration) -> Value {
    let now = Utc::now();
    let mut body = listing_body(title);
    body["starts_at"] = json!(now.to_rfc3339_opts(SecondsFormat::Secs, true));
    body["ends_at"] = json!((now + runs_for).to_rfc3339_opts(SecondsFormat::Secs, true));
    body
}

/// A valid listing body starting soon and ending in a few days.
pub fn listing_body(title: &str) -> Value {
    let starts = Utc::now() + Duration::hours(1);
    let ends = starts + Duration::days(3);
    json!({
        "title": title,
        "description": "Donated by a member. Plays well.",
        "category": "instruments",
        "condition": "good",
        "donor_credit": "The Leeds collective",
        "reserve_price": "25000000000000000000",
        "starts_at": starts.to_rfc3339_opts(SecondsFormat::Secs, true),
        "ends_at": ends.to_rfc3339_opts(SecondsFormat::Secs, true),
    })
}

/// GETs `path` with `client` and parses the JSON body (for successful reads).
pub async fn get_json(app: &TestApp, client: &Client, path: &str) -> Value {
    let response = client.get(app.url(path)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    response.json().await.unwrap_or_else(|e| panic!("GET {path}: not JSON: {e}"))
}

pub async fn error_code(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("error body is JSON");
    let code = body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {body}")).to_owned();
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "error has a message: {body}");
    (status, code)
}
