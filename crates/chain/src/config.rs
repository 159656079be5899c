//! Configuration of the chain worker (embedded as `[chain]` in the service's TOML).

use std::path::PathBuf;
use std::time::Duration;

use alloy::primitives::Address;
use alloy::signers::local::PrivateKeySigner;
use commissary_domain::Secret;
use serde::Deserialize;

use crate::error::{ChainError, ChainResult};

/// Durations are written as `"250ms"`, `"2s"`, `"5m"`, `"1h"`, or an integer of milliseconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number.parse().ok()?;
    match unit.trim() {
        "" | "ms" => Some(Duration::from_millis(value)),
        "s" => Some(Duration::from_secs(value)),
        "m" => Some(Duration::from_secs(value.checked_mul(60)?)),
        "h" => Some(Duration::from_secs(value.checked_mul(3600)?)),
        _ => None,
    }
}

/// Serde for durations in configuration files: `parse_duration`'s forms or integer
/// milliseconds in, `"<n>ms"` out. Shared by every section of the service's TOML.
pub mod duration_text {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{}ms", value.as_millis()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Millis(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Millis(ms) => Ok(Duration::from_millis(ms)),
            Raw::Text(text) => super::parse_duration(&text).ok_or_else(|| {
                serde::de::Error::custom(format!("invalid duration {text:?}; use e.g. \"500ms\", \"2s\", \"1m\""))
            }),
        }
    }
}

/// Everything the chain worker needs. `Debug` never shows the operator key, nor RPC URLs
/// beyond their host (hosted nodes put API keys in the path or query).
#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct ChainConfig {
    /// JSON-RPC endpoint (HTTP).
    pub rpc_url: String,
    /// Further endpoints used in turn when the current one keeps failing.
    pub fallback_rpc_urls: Vec<String>,
    /// The chain id the node must report (checked at start).
    pub chain_id: u64,
    pub auction_address: Address,
    pub token_address: Address,
    /// The auction contract's deployment block: events are indexed from here.
    pub deployment_block: u64,
    /// Blocks a block must be buried under before it is indexed (0 on anvil).
    pub confirmations: u64,
    /// The operator's private key (hex), holder of LISTER_ROLE; or use `operator_key_file`.
    pub operator_key: Option<Secret>,
    /// A file holding the operator's private key (hex, surrounding whitespace ignored).
    pub operator_key_file: Option<PathBuf>,
    /// How often the indexer polls the head and the sender checks its transactions.
    #[serde(deserialize_with = "duration_text::deserialize")]
    pub poll_interval: Duration,
    /// Auctions per `settleMany` transaction.
    pub settle_batch_size: usize,
    /// Blocks per `eth_getLogs` request while catching up.
    pub backfill_range: u64,
    /// How long the leader lease lasts without renewal (renewed every third of it).
    #[serde(deserialize_with = "duration_text::deserialize")]
    pub lease_ttl: Duration,
    /// A sent transaction not mined after this long gets its fee bumped.
    #[serde(deserialize_with = "duration_text::deserialize")]
    pub stuck_after: Duration,
    /// Fee increase per bump, in percent (nodes require at least 10).
    pub fee_bump_percent: u64,
    /// Timeout of one JSON-RPC request.
    #[serde(deserialize_with = "duration_text::deserialize")]
    pub rpc_timeout: Duration,
    /// How long a claimed job stays invisible to other runners.
    #[serde(deserialize_with = "duration_text::deserialize")]
    pub job_visibility: Duration,
    /// Longest wait between retries after errors.
    #[serde(deserialize_with = "duration_text::deserialize")]
    pub max_backoff: Duration,
}

/// `scheme://host[:port]/…`: enough to tell which node, nothing that authenticates.
fn redact_url(url: &str) -> String {
    match url.parse::<alloy::transports::http::reqwest::Url>() {
        Ok(parsed) => {
            let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
            let rest = if parsed.path().len() > 1 || parsed.query().is_some() { "/…" } else { "" };
            format!("{}://{}{port}{rest}", parsed.scheme(), parsed.host_str().unwrap_or("?"))
        }
        Err(_) => "<invalid url>".to_owned(),
    }
}

impl std::fmt::Debug for ChainConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainConfig")
            .field("rpc_url", &redact_url(&self.rpc_url))
            .field("fallback_rpc_urls", &self.fallback_rpc_urls.iter().map(|u| redact_url(u)).collect::<Vec<_>>())
            .field("chain_id", &self.chain_id)
            .field("auction_address", &self.auction_address)
            .field("token_address", &self.token_address)
            .field("deployment_block", &self.deployment_block)
            .field("confirmations", &self.confirmations)
            .field("operator_key", &self.operator_key)
            .field("operator_key_file", &self.operator_key_file)
            .field("poll_interval", &self.poll_interval)
            .field("settle_batch_size", &self.settle_batch_size)
            .field("backfill_range", &self.backfill_range)
            .field("lease_ttl", &self.lease_ttl)
            .field("stuck_after", &self.stuck_after)
            .field("fee_bump_percent", &self.fee_bump_percent)
            .field("rpc_timeout", &self.rpc_timeout)
            .field("job_visibility", &self.job_visibility)
            .field("max_backoff", &self.max_backoff)
            .finish()
    }
}

impl Default for ChainConfig {
    fn default() -> Self {
        Self {
            rpc_url: "http://127.0.0.1:8545".into(),
            fallback_rpc_urls: Vec::new(),
            chain_id: 31337,
            auction_address: Address::ZERO,
            token_address: Address::ZERO,
            deployment_block: 0,
            confirmations: 2,
            operator_key: None,
            operator_key_file: None,
            poll_interval: Duration::from_secs(1),
            settle_batch_size: 50,
            backfill_range: 2_000,
            lease_ttl: Duration::from_secs(15),
            stuck_after: Duration::from_secs(60),
            fee_bump_percent: 25,
            rpc_timeout: Duration::from_secs(10),
            job_visibility: Duration::from_secs(60),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl ChainConfig {
    /// Checks the settings that do not need the node.
    pub fn validate(&self) -> ChainResult<()> {
        let bad = |m: &str| Err(ChainError::Config(m.to_owned()));
        if self.auction_address == Address::ZERO {
            return bad("auction_address is not set");
        }
        if self.token_address == Address::ZERO {
            return bad("token_address is not set");
        }
        for url in std::iter::once(&self.rpc_url).chain(&self.fallback_rpc_urls) {
            if url.parse::<alloy::transports::http::reqwest::Url>().is_err() {
                return Err(ChainError::Config(format!("rpc url {url:?} is not a URL")));
            }
        }
        if self.settle_batch_size == 0 || self.settle_batch_size > 500 {
            return bad("settle_batch_size must be within 1..=500");
        }
        if self.backfill_range == 0 {
            return bad("backfill_range must be positive");
        }
        if self.fee_bump_percent < 10 {
            return bad("fee_bump_percent must be at least 10 (nodes reject smaller replacements)");
        }
        if self.lease_ttl < Duration::from_millis(300) || self.poll_interval.is_zero() {
            return bad("lease_ttl must be at least 300ms and poll_interval positive");
        }
        self.operator_signer().map(|_| ())
    }

    /// The operator's signer, from `operator_key` or `operator_key_file`.
    pub fn operator_signer(&self) -> ChainResult<PrivateKeySigner> {
        let text = match (&self.operator_key, &self.operator_key_file) {
            (Some(key), None) => key.expose().to_owned(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| ChainError::Config(format!("cannot read operator_key_file {}: {e}", path.display())))?,
            (Some(_), Some(_)) => {
                return Err(ChainError::Config("set operator_key or operator_key_file, not both".into()));
            }
            (None, None) => return Err(ChainError::Config("operator_key or operator_key_file is required".into())),
        };
        // The error of a failed parse could quote the input, so it is not passed on.
        text.trim()
            .parse::<PrivateKeySigner>()
            .map_err(|_| ChainError::Config("the operator key is not a 32-byte hex private key".into()))
    }

    /// The name of the leader lease and the indexer cursor: one per chain and contract.
    pub fn scope(&self) -> String {
        format!("{}:{}", self.chain_id, self.auction_address.to_string().to_ascii_lowercase())
    }
}

/// The co-op's relayer of gasless bids (`[relay]` in the service's TOML). The relay is on
/// when `[chain]` is configured and a relayer key is set. `Debug` never shows the key.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RelayConfig {
    /// The relayer's private key (hex); its own account, never the operator's.
    pub relayer_key: Option<Secret>,
    /// A file holding the relayer's private key (hex, surrounding whitespace ignored).
    pub relayer_key_file: Option<PathBuf>,
    /// Relayed bids a member may make per hour.
    pub bids_per_member_per_hour: u32,
    /// Gas the relayer spends for one member per day (24 hours).
    pub gas_per_member_per_day: u64,
    /// Gas the relayer spends per day in all.
    pub gas_per_day: u64,
    /// Below this ETH balance (wei, decimal) the relay is unavailable and `/readyz` says
    /// it is degraded.
    pub min_relayer_balance: String,
    /// Relay requests a member may make at once ...
    pub rate_burst: u32,
    /// ... and then per second.
    pub rate_per_second: u32,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            relayer_key: None,
            relayer_key_file: None,
            bids_per_member_per_hour: 30,
            gas_per_member_per_day: 3_000_000,
            gas_per_day: 100_000_000,
            min_relayer_balance: "50000000000000000".into(),
            rate_burst: 10,
            rate_per_second: 1,
        }
    }
}

impl std::fmt::Debug for RelayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayConfig")
            .field("relayer_key", &self.relayer_key)
            .field("relayer_key_file", &self.relayer_key_file)
            .field("bids_per_member_per_hour", &self.bids_per_member_per_hour)
            .field("gas_per_member_per_day", &self.gas_per_member_per_day)
            .field("gas_per_day", &self.gas_per_day)
            .field("min_relayer_balance", &self.min_relayer_balance)
            .field("rate_burst", &self.rate_burst)
            .field("rate_per_second", &self.rate_per_second)
            .finish()
    }
}

impl RelayConfig {
    /// Whether a relayer key is configured.
    pub fn enabled(&self) -> bool {
        self.relayer_key.is_some() || self.relayer_key_file.is_some()
    }

    /// The relay's limits as the domain's checks take them (an unparsable floor counts as
    /// none; [`RelayConfig::validate`] refuses it at start).
    pub fn budget(&self) -> commissary_domain::relay::Budget {
        commissary_domain::relay::Budget {
            bids_per_member_per_hour: self.bids_per_member_per_hour,
            gas_per_member_per_day: self.gas_per_member_per_day,
            gas_per_day: self.gas_per_day,
            min_relayer_balance: self.min_balance().unwrap_or_default(),
        }
    }

    /// The balance floor in wei.
    pub fn min_balance(&self) -> ChainResult<alloy::primitives::U256> {
        alloy::primitives::U256::from_str_radix(self.min_relayer_balance.trim(), 10)
            .map_err(|_| ChainError::Config("min_relayer_balance must be a decimal string of wei".into()))
    }

    /// Checks the settings (and loads the key when one is configured).
    pub fn validate(&self) -> ChainResult<()> {
        self.min_balance()?;
        if self.rate_burst == 0 || self.rate_per_second == 0 {
            return Err(ChainError::Config("rate_burst and rate_per_second must be positive".into()));
        }
        if self.bids_per_member_per_hour == 0 {
            return Err(ChainError::Config("bids_per_member_per_hour must be positive".into()));
        }
        if self.enabled() {
            self.relayer_signer()?;
        }
        Ok(())
    }

    /// The relayer's signer, from `relayer_key` or `relayer_key_file`.
    pub fn relayer_signer(&self) -> ChainResult<PrivateKeySigner> {
        let text = match (&self.relayer_key, &self.relayer_key_file) {
            (Some(key), None) => key.expose().to_owned(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| ChainError::Config(format!("cannot read relayer_key_file {}: {e}", path.display())))?,
            (Some(_), Some(_)) => {
                return Err(ChainError::Config("set relayer_key or relayer_key_file, not both".into()));
            }
            (None, None) => return Err(ChainError::Config("relayer_key or relayer_key_file is required".into())),
        };
        // As for the operator key: a parse error could quote the input, so it is dropped.
        text.trim()
            .parse::<PrivateKeySigner>()
            .map_err(|_| ChainError::Config("the relayer key is not a 32-byte hex private key".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2s"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration("1500"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1.5s"), None);
        assert_eq!(parse_duration("s"), None);
    }

    #[test]
    fn operator_key_is_never_shown() {
        let config = ChainConfig {
            operator_key: Some(Secret::new("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")),
            ..ChainConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("ac0974"), "{shown}");
        assert!(config.operator_signer().is_ok());
        let bad = ChainConfig { operator_key: Some(Secret::new("not-a-key-0123")), ..ChainConfig::default() };
        let error = bad.operator_signer().map(|_| ()).expect_err("invalid").to_string();
        assert!(!error.contains("not-a-key"), "{error}");
    }

    #[test]
    fn relayer_key_is_never_shown_and_defaults_validate() {
        let config = RelayConfig {
            relayer_key: Some(Secret::new("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")),
            ..RelayConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("59c699"), "{shown}");
        assert!(config.enabled() && config.validate().is_ok());
        assert!(RelayConfig::default().validate().is_ok() && !RelayConfig::default().enabled());
        let bad = RelayConfig { relayer_key: Some(Secret::new("zz-not-a-key")), ..RelayConfig::default() };
        assert!(!bad.validate().expect_err("invalid").to_string().contains("zz-not"));
        let floor = RelayConfig { min_relayer_balance: "0.05".into(), ..RelayConfig::default() };
        assert!(floor.validate().is_err());
    }

    #[test]
    fn rpc_urls_show_only_their_host() {
        let config = ChainConfig {
            rpc_url: "https://eth.example.net/v3/abcdef0123456789".into(),
            fallback_rpc_urls: vec!["https://user:pw@node.example.org:8545/?key=s3cret".into()],
            ..ChainConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(
            shown.contains("https://eth.example.net/…") && shown.contains("https://node.example.org:8545/…"),
            "{shown}"
        );
        assert!(!shown.contains("abcdef") && !shown.contains("s3cret") && !shown.contains("pw@"), "{shown}");
    }
}
