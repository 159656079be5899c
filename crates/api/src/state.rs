use std::sync::Arc;

use commissary_db::Db;
use commissary_domain::Address;
use commissary_photos::{PhotoLimits, PhotoStore};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::roles::Role;

/// What SIWE messages must say to be accepted here.
#[derive(Debug, Clone)]
pub struct SiweConfig {
    /// The RFC 3986 authority the wallet shows the user, e.g. `commissary.ampled.coop`.
    pub domain: String,
    /// The origin the message is signed for, e.g. `https://commissary.ampled.coop`.
    pub uri: String,
    pub chain_id: u64,
}

/// What the web page needs to talk to the chain; nothing secret.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct PublicChainConfig {
    pub chain_id: u64,
    pub token_address: Option<Address>,
    pub auction_address: Option<Address>,
    /// A JSON-RPC endpoint browsers may use to read the chain and send transactions.
    pub rpc_url: Option<String>,
    /// Unlocked development accounts (local `commissary dev` only; empty otherwise).
    pub dev_accounts: Vec<Address>,
}

#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub stewards: Vec<Address>,
    pub siwe: SiweConfig,
    pub photo_limits: PhotoLimits,
    pub chain: PublicChainConfig,
    pub after_sale: AfterSaleSettings,
}

/// Shared by every request handler.
pub struct AppState {
    pub db: Db,
    pub photos: PhotoStore,
    pub config: ApiConfig,
    pub metrics: Option<PrometheusHandle>,
    /// Decoding a 40-megapixel photo takes seconds and hundreds of MB, so only as
    /// many run at once as there are cores; the rest wait their turn.
    pub photo_permits: tokio::sync::Semaphore,
    /// Sign-in attempts per client IP: nonces are stored server-side, so unbounded
    /// requests would fill the database.
    pub auth_limiter: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
}

/// Sign-in requests (nonce + login) a client IP may make: a burst of 20, then one
/// every 3 seconds.
fn auth_quota() -> governor::Quota {
    const PER_MINUTE: std::num::NonZeroU32 = std::num::NonZeroU32::new(20).expect("non-zero");
    governor::Quota::per_minute(PER_MINUTE)
}

impl AppState {
    pub fn new(db: Db, photos: PhotoStore, config: ApiConfig, metrics: Option<PrometheusHandle>) -> Arc<Self> {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Arc::new(Self {
            db,
            photos,
            config,
            metrics,
            photo_permits: tokio::sync::Semaphore::new(cores),
            auth_limiter: governor::RateLimiter::keyed(auth_quota()),
        })
    }

    pub fn is_steward(&self, address: Address) -> bool {
        self.config.stewards.contains(&address)
    }

    pub fn roles_of(&self, address: Address) -> Vec<Role> {
        if self.is_steward(address) { vec![Role::Member, Role::Steward] } else { vec![Role::Member] }
    }
}

/// Sends the one-time code that confirms a member's email address. Implemented by the
/// service's mailer; the API only knows it can ask.
pub trait ConfirmationMailer: Send + Sync {
    fn send_code<'a>(
        &'a self,
        to: &'a str,
        code: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>>;
}

/// What the after-sale endpoints need from the configuration.
#[derive(Clone, Default)]
pub struct AfterSaleSettings {
    pub policy: commissary_domain::fulfillment::FulfillmentPolicy,
    /// `None` when `[email]` is not configured: members cannot add an address then.
    pub mailer: Option<Arc<dyn ConfirmationMailer>>,
}

impl std::fmt::Debug for AfterSaleSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AfterSaleSettings")
            .field("policy", &self.policy)
            .field("email", &self.mailer.is_some())
            .finish()
    }
}
