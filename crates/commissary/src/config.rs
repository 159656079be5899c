//! Configuration: built-in defaults, then an optional TOML file, then `COMMISSARY_*`
//! environment variables (nested keys joined by `__`, e.g.
//! `COMMISSARY_DATABASE__URL`), then `DATABASE_URL`. Everything is validated at start
//! and errors name the offending key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use commissary_domain::Address;

/// Values that must never reach logs or `Debug` output (one type for the whole service).
pub use commissary_domain::Secret;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub photos: PhotosConfig,
    pub auth: AuthConfig,
    pub log: LogConfig,
    pub web: WebConfig,
    /// The escrow contract and operator; without it the service runs API-only.
    #[serde(default, skip_serializing)]
    pub chain: Option<commissary_chain::ChainConfig>,
    /// The relayer of gasless bids (needs `[chain]` and a relayer key to be on).
    #[serde(default, skip_serializing)]
    pub relay: commissary_chain::RelayConfig,
    #[serde(default)]
    pub fulfillment: crate::after_sale_config::FulfillmentConfig,
    /// Outgoing email (SMTP); without it nothing is mailed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<crate::after_sale_config::EmailConfig>,
    /// The co-op's tools that get notifications (Standard Webhooks).
    #[serde(default)]
    pub webhooks: Vec<crate::after_sale_config::WebhookConfig>,
    #[serde(default)]
    pub notifications: crate::after_sale_config::NotificationsConfig,
}

/// What the web page is told about the chain.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// A JSON-RPC URL browsers may use (wallets bring their own; this is for reads).
    pub rpc_url: Option<String>,
    /// Unlocked development accounts offered by the page's dev wallet (local only).
    pub dev_accounts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: String,
    /// The origin members use, e.g. `https://commissary.ampled.coop`. Sign-in messages
    /// must name it. Default: derived from `listen`.
    pub public_url: Option<String>,
    /// Answer public listing reads from the in-process read cache, which the database's
    /// read version invalidates (see the README); `false` queries the database every time.
    pub read_cache: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` (or a bare path) or `postgres://…`.
    pub url: Secret,
    pub pool_size: u32,
    /// Apply pending migrations when `serve` starts.
    pub migrate_on_start: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PhotosConfig {
    /// A directory, `file:///…`, `memory://` or an S3-style URL.
    pub store: String,
    pub max_upload_bytes: usize,
    pub max_pixels: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Wallet addresses with the steward role.
    pub stewards: Vec<String>,
    /// The chain sign-in messages must name.
    pub chain_id: u64,
    /// Signs session cookies; at least 64 bytes. Unset: a random key per process
    /// (sessions then end at restart).
    pub session_key: Secret,
    pub session_ttl_secs: i64,
    /// Send cookies only over HTTPS. Default: true when `public_url` is https.
    pub cookie_secure: Option<bool>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    /// `tracing` filter directives, e.g. `info,commissary=debug`.
    pub filter: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            server: ServerConfig { listen: "127.0.0.1:8080".into(), public_url: None, read_cache: true },
            database: DatabaseConfig {
                url: Secret::new("sqlite://./data/commissary.db"),
                pool_size: 8,
                migrate_on_start: true,
            },
            photos: PhotosConfig {
                store: "./data/photos".into(),
                max_upload_bytes: 20 * 1024 * 1024,
                max_pixels: 40_000_000,
            },
            auth: AuthConfig {
                stewards: Vec::new(),
                chain_id: 31337,
                session_key: Secret::default(),
                session_ttl_secs: 7 * 24 * 3600,
                cookie_secure: None,
            },
            log: LogConfig { format: LogFormat::Pretty, filter: "info".into() },
            web: WebConfig::default(),
            chain: None,
            relay: Default::default(),
            fulfillment: Default::default(),
            email: None,
            webhooks: Vec::new(),
            notifications: Default::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("configuration: {0}")]
    Parse(Box<figment::Error>),
    #[error("configuration key `{key}`: {message}")]
    Invalid { key: String, message: String },
}

impl From<crate::after_sale_config::InvalidSetting> for ConfigError {
    fn from(error: crate::after_sale_config::InvalidSetting) -> Self {
        Self::Invalid { key: error.key, message: error.message }
    }
}

fn invalid(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key: key.into(), message: message.into() }
}

const SECTIONS: [&str; 11] =
    ["server", "database", "photos", "auth", "log", "web", "chain", "relay", "fulfillment", "email", "notifications"];
/// Keys set as a whole from one variable (`COMMISSARY_WEBHOOKS='[{url="…", secret="…"}]'`).
const WHOLE_KEYS: [&str; 1] = ["webhooks"];

/// The validated settings the service runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub raw: Config,
    pub listen: SocketAddr,
    pub public_url: url::Url,
    pub stewards: Vec<Address>,
    pub cookie_secure: bool,
    pub dev_accounts: Vec<Address>,
    pub after_sale: crate::after_sale_config::AfterSaleSettings,
}

impl Config {
    /// Loads defaults ← file ← environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::MissingFile(path.to_owned()));
            }
            figment = figment.merge(Toml::file(path));
        }
        // Only `COMMISSARY_<SECTION>__<KEY>` variables configure the service; others with
        // the prefix (COMMISSARY_CONFIG, test settings) are not configuration keys.
        figment = figment.merge(
            Env::prefixed("COMMISSARY_")
                .filter(|key| {
                    let key = key.as_str().to_ascii_lowercase();
                    SECTIONS.iter().any(|section| key.starts_with(&format!("{section}__")))
                        || WHOLE_KEYS.contains(&key.as_str())
                })
                .split("__"),
        );
        if let Ok(url) = std::env::var("DATABASE_URL") {
            figment = figment.merge(Serialized::default("database.url", url));
        }
        figment.extract().map_err(|e| ConfigError::Parse(Box::new(e)))
    }

    pub fn validate(self) -> Result<Settings, ConfigError> {
        let listen: SocketAddr = self.server.listen.parse().map_err(|_| {
            invalid("server.listen", format!("{:?} is not an IP:port socket address", self.server.listen))
        })?;
        let public_url = match &self.server.public_url {
            Some(raw) => {
                let url = url::Url::parse(raw).map_err(|e| invalid("server.public_url", format!("{raw:?}: {e}")))?;
                if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                    return Err(invalid(
                        "server.public_url",
                        "must be an http(s) origin such as https://commissary.example",
                    ));
                }
                url
            }
            None => {
                let host = if listen.ip().is_unspecified() || listen.ip().is_loopback() {
                    "localhost".to_owned()
                } else {
                    listen.ip().to_string()
                };
                url::Url::parse(&format!("http://{host}:{}", listen.port()))
                    .map_err(|e| invalid("server.listen", e.to_string()))?
            }
        };
        if self.database.url.is_empty() {
            return Err(invalid("database.url", "must not be empty"));
        }
        if !(1..=256).contains(&self.database.pool_size) {
            return Err(invalid("database.pool_size", "must be between 1 and 256"));
        }
        if self.photos.store.trim().is_empty() {
            return Err(invalid("photos.store", "must not be empty"));
        }
        if self.photos.max_upload_bytes == 0 {
            return Err(invalid("photos.max_upload_bytes", "must be positive"));
        }
        if self.photos.max_pixels == 0 {
            return Err(invalid("photos.max_pixels", "must be positive"));
        }
        let stewards = self
            .auth
            .stewards
            .iter()
            .enumerate()
            .map(|(i, a)| {
                Address::parse(a).map_err(|_| {
                    invalid(format!("auth.stewards[{i}]"), format!("{a:?} is not a 0x-prefixed 20-byte address"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !self.auth.session_key.is_empty() && self.auth.session_key.expose().len() < 64 {
            return Err(invalid("auth.session_key", "must be at least 64 characters of random data"));
        }
        if self.auth.session_ttl_secs < 60 {
            return Err(invalid("auth.session_ttl_secs", "must be at least 60"));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log.filter).map_err(|e| invalid("log.filter", e.to_string()))?;
        let cookie_secure = self.auth.cookie_secure.unwrap_or(public_url.scheme() == "https");
        let dev_accounts = self
            .web
            .dev_accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                Address::parse(a)
                    .map_err(|_| invalid(format!("web.dev_accounts[{i}]"), format!("{a:?} is not an address")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(chain) = &self.chain {
            chain.validate().map_err(|e| invalid("chain", e.to_string()))?;
            if chain.chain_id != self.auth.chain_id {
                return Err(invalid("auth.chain_id", format!("must equal chain.chain_id ({})", chain.chain_id)));
            }
        }
        self.relay.validate().map_err(|e| invalid("relay", e.to_string()))?;
        if self.relay.enabled()
            && let (Some(chain), Ok(relayer)) = (&self.chain, self.relay.relayer_signer())
            && chain.operator_signer().is_ok_and(|operator| operator.address() == relayer.address())
        {
            return Err(invalid("relay.relayer_key", "must be another account than the operator's (its own nonces)"));
        }
        let after_sale = crate::after_sale_config::validate(
            &self.fulfillment,
            self.email.as_ref(),
            &self.webhooks,
            &self.notifications,
        )?;
        Ok(Settings { listen, public_url, stewards, cookie_secure, dev_accounts, after_sale, raw: self })
    }
}

impl Settings {
    /// The RFC 3986 authority SIWE messages must carry, e.g. `localhost:8080`.
    pub fn siwe_domain(&self) -> String {
        match (self.public_url.host_str(), self.public_url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            _ => String::new(),
        }
    }

    /// The origin SIWE messages must carry as their URI.
    pub fn siwe_uri(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        let settings = Config::default().validate().expect("defaults are valid");
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.siwe_domain(), "localhost:8080");
        assert_eq!(settings.siwe_uri(), "http://localhost:8080");
        assert!(!settings.cookie_secure);
    }

    #[test]
    fn errors_name_the_key() {
        let mut config = Config::default();
        config.auth.stewards = vec!["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".into(), "bob".into()];
        let err = config.validate().expect_err("invalid steward").to_string();
        assert!(err.contains("auth.stewards[1]"), "{err}");

        let mut config = Config::default();
        config.server.listen = "localhost".into();
        assert!(config.validate().expect_err("bad listen").to_string().contains("server.listen"));

        let mut config = Config::default();
        config.auth.session_key = Secret::new("short");
        assert!(config.validate().expect_err("short key").to_string().contains("auth.session_key"));
    }

    #[test]
    fn secrets_are_redacted() {
        let mut config = Config::default();
        config.auth.session_key = Secret::new("k".repeat(64));
        config.database.url = Secret::new("postgres://user:hunter2@db/commissary");
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2") && !shown.contains(&"k".repeat(64)), "{shown}");
    }

    #[test]
    fn toml_file_and_type_errors() {
        let dir = std::env::temp_dir().join(format!("commissary-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("c.toml");
        std::fs::write(&path, "[database]\npool_size = \"many\"\n").expect("write");
        let err = Config::load(Some(&path)).expect_err("type error").to_string();
        assert!(err.contains("pool_size"), "{err}");
        std::fs::write(&path, "[server]\nlisten = \"0.0.0.0:9000\"\n[auth]\nstewards = [\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\"]\n").expect("write");
        let config = Config::load(Some(&path)).expect("valid file");
        assert_eq!(config.server.listen, "0.0.0.0:9000");
        assert_eq!(config.auth.stewards.len(), 1);
        std::fs::write(&path, "[server]\nlisten_on = \"x\"\n").expect("write");
        let err = Config::load(Some(&path)).expect_err("unknown key").to_string();
        assert!(err.contains("listen_on"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
