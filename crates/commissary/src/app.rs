//! Wires configuration, database, photo store and HTTP server together.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::cookie::Key;
use actix_web::dev::ServerHandle;
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::task::JoinHandle;
use tracing_actix_web::TracingLogger;

use commissary_api::{
    ApiConfig, AppState, DbSessionStore, LiveHub, LiveOptions, PublicChainConfig, SiweConfig, configure,
    session_middleware,
};
use commissary_chain::{ChainConfig, ChainWorker};
use commissary_db::{Db, DbOptions};
use commissary_domain::Address;
use commissary_photos::{PhotoLimits, PhotoStore};
use tokio_util::sync::CancellationToken;

use crate::config::Settings;

/// The process-wide Prometheus recorder (metrics recorders are global by design).
fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::warn!(error = %e, "metrics recorder unavailable");
                None
            }
        })
        .clone()
}

pub async fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    let mut options = DbOptions::new(settings.raw.database.url.expose());
    options.pool_size = settings.raw.database.pool_size;
    let db = Db::connect(&options).context("opening the database")?;
    tracing::info!(backend = db.backend().as_str(), "database pool ready");
    Ok(db)
}

pub async fn migrate(db: &Db) -> anyhow::Result<Vec<String>> {
    let applied = db.migrate().await.context("running migrations")?;
    for version in &applied {
        tracing::info!(%version, "migration applied");
    }
    Ok(applied)
}

/// A running HTTP server and its background tasks.
pub struct RunningApp {
    pub addr: SocketAddr,
    pub db: Db,
    handle: ServerHandle,
    server: JoinHandle<std::io::Result<()>>,
    housekeeping: JoinHandle<()>,
    chain: Option<(CancellationToken, JoinHandle<()>)>,
    notifier: Option<(CancellationToken, JoinHandle<()>)>,
}

impl RunningApp {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Waits until the server stops (Ctrl-C / SIGTERM are handled by actix), then
    /// stops the chain worker.
    pub async fn wait(self) -> anyhow::Result<()> {
        let result = self.server.await;
        self.housekeeping.abort();
        stop_chain(self.notifier).await;
        stop_chain(self.chain).await;
        result.context("server task")?.context("server")
    }

    pub async fn stop(self) {
        self.handle.stop(true).await;
        self.housekeeping.abort();
        stop_chain(self.notifier).await;
        stop_chain(self.chain).await;
        let _ = self.server.await;
    }
}

/// Builds and starts the service; returns once it is listening.
pub async fn start(settings: Settings) -> anyhow::Result<RunningApp> {
    let db = open_database(&settings).await?;
    if settings.raw.database.migrate_on_start {
        migrate(&db).await?;
    }
    let photos = PhotoStore::from_url(&settings.raw.photos.store).context("opening the photo store")?;
    let limits = PhotoLimits {
        max_upload_bytes: settings.raw.photos.max_upload_bytes,
        max_pixels: settings.raw.photos.max_pixels,
        ..PhotoLimits::default()
    };
    let config = ApiConfig {
        stewards: settings.stewards.clone(),
        siwe: SiweConfig {
            domain: settings.siwe_domain(),
            uri: settings.siwe_uri(),
            chain_id: settings.raw.auth.chain_id,
        },
        photo_limits: limits,
        chain: PublicChainConfig {
            chain_id: settings.raw.auth.chain_id,
            token_address: settings.raw.chain.as_ref().map(|c| Address(c.token_address.into_array())),
            auction_address: settings.raw.chain.as_ref().map(|c| Address(c.auction_address.into_array())),
            rpc_url: settings.raw.web.rpc_url.clone(),
            dev_accounts: settings.dev_accounts.clone(),
        },
        after_sale: crate::after_sale::api_settings(&settings),
        relay: crate::relay::api_settings(&settings.raw.relay, None),
        read_cache: settings.raw.server.read_cache,
    };
    // The chain worker is built first: the API's relay wakes its relayer sender.
    let worker = match settings.raw.chain.clone() {
        Some(chain) => Some(chain_worker(chain, &settings.raw.relay, db.clone())?),
        None => None,
    };
    let mut config = config;
    if let (Some(chain), Some(worker)) = (&settings.raw.chain, &worker) {
        let client = crate::relay::client(chain, &settings.raw.relay).context("configuring the relay")?;
        let relay: std::sync::Arc<dyn commissary_api::RelayChain> =
            std::sync::Arc::new(crate::relay::ChainRelay::new(client, worker.relay_wake()));
        config.relay = crate::relay::api_settings(&settings.raw.relay, Some(relay));
    }
    let state = web::Data::from(AppState::new(db.clone(), photos, config, metrics_handle()));
    let limiter_state = state.clone();
    // One fan-out per process for every live stream (SSE), fed from the database.
    let live = web::Data::from(LiveHub::start(db.clone(), LiveOptions::default()));
    let key = if settings.raw.auth.session_key.is_empty() {
        tracing::warn!("auth.session_key is not set: using a random key, so sessions end when the process restarts");
        Key::generate()
    } else {
        Key::derive_from(settings.raw.auth.session_key.expose().as_bytes())
    };
    let store = DbSessionStore::new(db.clone());
    let secure = settings.cookie_secure;
    let ttl = settings.raw.auth.session_ttl_secs;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(live.clone())
            .wrap(session_middleware(store.clone(), key.clone(), secure, ttl))
            .wrap(from_fn(commissary_api::health::track_requests))
            .wrap(Compress::default())
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "same-origin")),
            )
            .wrap(TracingLogger::default())
            .configure(configure)
    })
    .shutdown_timeout(10)
    .bind(settings.listen)
    .with_context(|| format!("binding {}", settings.listen))?;
    let addr = server.addrs().first().copied().context("server has no address")?;
    let server = server.run();
    let handle = server.handle();
    let server = tokio::spawn(server);
    let housekeeping = tokio::spawn(housekeeping(db.clone(), limiter_state));
    let chain = match worker {
        Some(worker) => Some(spawn_chain_worker(worker)),
        None => {
            tracing::info!("no [chain] configured: serving the API without publishing, indexing or settling");
            None
        }
    };
    let notifier = Some(crate::after_sale::spawn_notifier(&settings, db.clone())?);
    tracing::info!(%addr, public_url = %settings.public_url, "listening");
    Ok(RunningApp { addr, db, handle, server, housekeeping, chain, notifier })
}

/// The chain worker (indexer, job runner, keeper, senders behind a database lease), with
/// the relayer's account when `[relay]` has a key.
fn chain_worker(config: ChainConfig, relay: &commissary_chain::RelayConfig, db: Db) -> anyhow::Result<ChainWorker> {
    let worker_id = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let mut worker = ChainWorker::new(config, db, worker_id).context("configuring the chain worker")?;
    if relay.enabled() {
        let relayer = relay.relayer_signer().context("configuring the relayer")?;
        tracing::info!(relayer = %relayer.address(), "relaying gasless bids");
        worker = worker.with_relayer(relayer, relay.budget());
    }
    Ok(worker)
}

/// Starts the chain worker.
fn spawn_chain_worker(worker: ChainWorker) -> (CancellationToken, JoinHandle<()>) {
    let token = CancellationToken::new();
    let shutdown = token.clone();
    let task = tokio::spawn(async move {
        if let Err(e) = worker.run(shutdown).await {
            tracing::error!(error = %e, "chain worker stopped");
        }
    });
    (token, task)
}

async fn stop_chain(chain: Option<(CancellationToken, JoinHandle<()>)>) {
    if let Some((token, task)) = chain {
        token.cancel();
        if tokio::time::timeout(Duration::from_secs(10), task).await.is_err() {
            tracing::warn!("chain worker did not stop within 10 s");
        }
    }
}

/// Deletes expired nonces and sessions now and then, and forgets idle rate-limit keys.
async fn housekeeping(db: Db, state: web::Data<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        state.auth_limiter.retain_recent();
        let now = chrono::Utc::now();
        match db.run(move |conn| commissary_db::auth::purge_expired(conn, now)).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(removed = n, "expired sign-in records purged"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
    }
}
