use std::sync::Arc;

use commissary_db::Db;
use commissary_domain::Address;
use commissary_photos::{PhotoLimits, PhotoStore};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::read_cache::ReadCache;
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
    pub relay: RelaySettings,
    /// Serve public listing reads from the read cache (`read_cache`); off, every read
    /// queries the database.
    pub read_cache: bool,
}

/// The relay's limits and its chain side (`None`: no `[chain]`, so no quotes or relays).
#[derive(Clone)]
pub struct RelaySettings {
    pub budget: commissary_domain::relay::Budget,
    pub rate_burst: u32,
    pub rate_per_second: u32,
    pub chain: Option<Arc<dyn RelayChain>>,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            budget: commissary_domain::relay::Budget {
                bids_per_member_per_hour: 30,
                gas_per_member_per_day: 3_000_000,
                gas_per_day: 100_000_000,
                min_relayer_balance: commissary_domain::U256::ZERO,
            },
            rate_burst: 10,
            rate_per_second: 1,
            chain: None,
        }
    }
}

impl std::fmt::Debug for RelaySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelaySettings")
            .field("budget", &self.budget)
            .field("rate_burst", &self.rate_burst)
            .field("rate_per_second", &self.rate_per_second)
            .field("chain", &self.chain.is_some())
            .finish()
    }
}

/// A future the relay's chain side returns (boxed: the trait is used as `dyn`).
pub type ChainFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, String>> + Send + 'a>>;

/// What a quote shows of the chain.
#[derive(Debug, Clone)]
pub struct QuoteView {
    pub chain_time: u64,
    pub auction: Option<commissary_domain::relay::ChainAuction>,
    pub nonce: commissary_domain::U256,
    pub balance: commissary_domain::U256,
    pub allowance: commissary_domain::U256,
    /// `chain_time` + 10 minutes.
    pub deadline: u64,
    /// The EIP-712 `Bid` for `eth_signTypedData_v4`.
    pub typed_data: serde_json::Value,
    /// The token's EIP-2612 permit, when the allowance does not cover the amount.
    pub permit_typed_data: Option<serde_json::Value>,
}

/// A permit attached to a relay request.
#[derive(Debug, Clone)]
pub struct PermitInput {
    pub value: commissary_domain::U256,
    pub deadline: u64,
    pub signature: Vec<u8>,
}

/// A signed bid checked against the chain and ready to be sent.
#[derive(Debug, Clone)]
pub struct PreparedRelay {
    pub facts: commissary_domain::relay::BidFacts,
    /// `0x`-hex calldata of the relayer's call.
    pub calldata: String,
    /// The relayer's address (the intent's sender) and the contract, lowercase hex.
    pub from_address: String,
    pub to_address: String,
}

/// What a maximum-bid quote shows of the chain.
#[derive(Debug, Clone)]
pub struct MaxBidQuoteView {
    pub chain_time: u64,
    pub auction: Option<commissary_domain::relay::ChainAuction>,
    pub balance: commissary_domain::U256,
    pub allowance: commissary_domain::U256,
    /// A fresh random salt to sign.
    pub salt: commissary_domain::U256,
    /// The auction's current end + 1 day (chain time + 1 day without an auction).
    pub deadline: u64,
    /// The EIP-712 `MaxBid` for `eth_signTypedData_v4`.
    pub typed_data: serde_json::Value,
    /// The token's EIP-2612 permit for the maximum, when the allowance does not cover it.
    pub permit_typed_data: Option<serde_json::Value>,
}

/// A signed maximum bid checked against the chain, with its first bid ready to be sent.
#[derive(Debug, Clone)]
pub struct PreparedMaxBid {
    pub facts: commissary_domain::max_bid::MaxBidFacts,
    /// The authorization's EIP-712 digest, `0x`-hex lowercase.
    pub hash: String,
    /// `0x`-hex calldata of the first bid (`bidByMaxBid[WithPermit]`).
    pub first_bid_calldata: String,
    /// The relayer's address (the intent's sender) and the contract, lowercase hex.
    pub from_address: String,
    pub to_address: String,
}

/// A member's signed revocation, checked and ready to be sent.
#[derive(Debug, Clone)]
pub struct PreparedRevocation {
    pub signed_by_bidder: bool,
    /// `0x`-hex calldata of `revokeMaxBidBySig`.
    pub calldata: String,
    pub from_address: String,
    pub to_address: String,
}

/// The chain side of gasless bids, implemented by the service with the chain client. The
/// API only knows it can ask (errors are messages for the log: the node is unreachable).
pub trait RelayChain: Send + Sync {
    /// Whether a relayer key is configured.
    fn has_relayer(&self) -> bool;

    fn quote<'a>(
        &'a self,
        auction: commissary_domain::AuctionId,
        bidder: Address,
        amount: Option<commissary_domain::TokenAmount>,
    ) -> ChainFuture<'a, QuoteView>;

    fn prepare<'a>(
        &'a self,
        auction: commissary_domain::AuctionId,
        bidder: Address,
        bid: commissary_domain::relay::SignedBid,
        signature: Vec<u8>,
        permit: Option<PermitInput>,
    ) -> ChainFuture<'a, PreparedRelay>;

    /// `Ok(Err(contract error name))` when the call would revert; `Ok(Ok(gas))` otherwise.
    fn simulate<'a>(&'a self, calldata: &'a str) -> ChainFuture<'a, Result<u64, String>>;

    /// The relayer's ETH balance in wei (zero without a relayer).
    fn relayer_balance(&self) -> ChainFuture<'_, commissary_domain::U256>;

    /// The contract's `credits(member)`.
    fn credits(&self, member: Address) -> ChainFuture<'_, commissary_domain::U256>;

    /// Wakes the relayer's sender after a relay was recorded.
    fn wake(&self);

    /// A quote for a maximum bid of `max_amount` (default: the minimum next bid).
    fn max_bid_quote<'a>(
        &'a self,
        auction: commissary_domain::AuctionId,
        bidder: Address,
        max_amount: Option<commissary_domain::TokenAmount>,
    ) -> ChainFuture<'a, MaxBidQuoteView>;

    fn prepare_max_bid<'a>(
        &'a self,
        auction: commissary_domain::AuctionId,
        bidder: Address,
        bid: commissary_domain::max_bid::SignedMaxBid,
        signature: Vec<u8>,
        permit: Option<PermitInput>,
    ) -> ChainFuture<'a, PreparedMaxBid>;

    /// The EIP-712 `MaxBidRevocation` of the authorization `hash` (`0x`-hex) by `bidder`.
    fn revocation_typed_data<'a>(&'a self, bidder: Address, hash: &'a str) -> ChainFuture<'a, serde_json::Value>;

    fn prepare_revocation<'a>(
        &'a self,
        bidder: Address,
        hash: &'a str,
        signature: Vec<u8>,
    ) -> ChainFuture<'a, PreparedRevocation>;
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
    /// Relay requests per member (before anything reads the chain).
    pub relay_limiter: governor::DefaultKeyedRateLimiter<Address>,
    /// Public listing reads, serialized, invalidated through the database's read version
    /// (`None` when configured off).
    pub read_cache: Option<ReadCache>,
}

/// Sign-in requests (nonce + login) a client IP may make: a burst of 20, then one
/// every 3 seconds.
fn auth_quota() -> governor::Quota {
    const PER_MINUTE: std::num::NonZeroU32 = std::num::NonZeroU32::new(20).expect("non-zero");
    governor::Quota::per_minute(PER_MINUTE)
}

/// A member's relay requests: a burst, then a steady rate.
fn relay_quota(relay: &RelaySettings) -> governor::Quota {
    let per_second = std::num::NonZeroU32::new(relay.rate_per_second.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
    let burst = std::num::NonZeroU32::new(relay.rate_burst.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
    governor::Quota::per_second(per_second).allow_burst(burst)
}

impl AppState {
    pub fn new(db: Db, photos: PhotoStore, config: ApiConfig, metrics: Option<PrometheusHandle>) -> Arc<Self> {
        let config_relay = config.relay.clone();
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Arc::new(Self {
            read_cache: config.read_cache.then(|| ReadCache::start(db.clone())),
            db,
            photos,
            config,
            metrics,
            photo_permits: tokio::sync::Semaphore::new(cores),
            auth_limiter: governor::RateLimiter::keyed(auth_quota()),
            relay_limiter: governor::RateLimiter::keyed(relay_quota(&config_relay)),
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
