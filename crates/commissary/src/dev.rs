//! `commissary dev`: the whole commissary on one machine. Starts anvil (from the
//! npm-installed Foundry) unless one is already listening, deploys the token and the
//! auction, mints demo $AMPLED, seeds listings with generated photos, and runs the
//! API with the chain worker on a fresh SQLite database.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use alloy::primitives::{Address as ChainAddress, U256};
use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use anyhow::{Context, bail};
use chrono::{Duration as ChronoDuration, Utc};

use commissary_api::workflow;
use commissary_chain::{ChainConfig, deploy};
use commissary_db::Db;
use commissary_domain::{Address, ListingId, ListingInput, ONE_AMPLED};
use commissary_photos::{PhotoLimits, PhotoStore, corpus};

use crate::config::{Config, LogFormat, Secret};

/// Account 0 deploys, lists and settles; account 9 is the co-op treasury.
const DEV_KEYS: [&str; 10] = deploy::ANVIL_DEV_KEYS;
const TREASURY_INDEX: usize = 9;
const MEMBER_ACCOUNTS: std::ops::RangeInclusive<usize> = 1..=5;
const DEMO_GRANT: u128 = 1_000; // AMPLED per member
/// The relayer of gasless bids: its own funded anvil account (its own nonces).
const RELAYER_INDEX: usize = 6;
/// A member with $AMPLED and no ETH at all, who can only bid through the relayer: anvil's
/// account 10 (the anvil this command starts has 11), so it is unlocked and the page's dev
/// wallet signs for it through the node; its ETH is set to 0 before anything else runs.
/// The key is the public test mnemonic's index 10, not a secret.
const GASLESS_MEMBER_KEY: &str = "0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897";
const ANVIL_ACCOUNTS: &str = "11";

#[derive(Debug, Clone, clap::Args)]
pub struct DevArgs {
    /// Where the API listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The anvil JSON-RPC port (an anvil already listening there is reused).
    #[arg(long, default_value_t = 8545)]
    pub anvil_port: u16,
    /// Seconds per block for the anvil this command starts (chain time must advance
    /// for auctions to end).
    #[arg(long, default_value_t = 1)]
    pub block_time: u64,
    /// Data directory (emptied at start: the chain is new each run).
    #[arg(long, default_value = "./data/dev")]
    pub data_dir: PathBuf,
    /// The anvil binary; default: the npm-installed one under node_modules.
    #[arg(long, env = "ANVIL_BIN")]
    pub anvil: Option<PathBuf>,
}

fn signer(key: &str) -> anyhow::Result<PrivateKeySigner> {
    key.parse().context("invalid development key")
}

fn domain_address(address: ChainAddress) -> Address {
    Address(address.into_array())
}

/// The npm-installed anvil: searched upward from the current directory.
fn find_anvil(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.to_owned());
    }
    let mut dir = std::env::current_dir().ok();
    while let Some(d) = dir {
        let candidate = d.join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        if candidate.is_file() {
            return Ok(candidate);
        }
        dir = d.parent().map(Path::to_owned);
    }
    bail!("anvil not found: run `npm ci` in the repository (it installs Foundry), or pass --anvil PATH")
}

/// An anvil this command started; killed when dropped (including on Ctrl-C).
struct AnvilProcess(Child);

impl Drop for AnvilProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn chain_answers(rpc_url: &str) -> bool {
    deploy::block_number(rpc_url).await.is_ok()
}

async fn ensure_anvil(args: &DevArgs, rpc_url: &str) -> anyhow::Result<Option<AnvilProcess>> {
    if chain_answers(rpc_url).await {
        println!("Using the chain already listening at {rpc_url}");
        return Ok(None);
    }
    let binary = find_anvil(args.anvil.as_deref())?;
    let child = Command::new(&binary)
        .args(["--host", "127.0.0.1", "--port", &args.anvil_port.to_string(), "--chain-id", "31337"])
        .args(["--block-time", &args.block_time.max(1).to_string(), "--accounts", ANVIL_ACCOUNTS])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let process = AnvilProcess(child);
    for _ in 0..100 {
        if chain_answers(rpc_url).await {
            return Ok(Some(process));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("anvil did not answer at {rpc_url}")
}

struct DemoItem {
    title: &'static str,
    description: &'static str,
    category: &'static str,
    condition: &'static str,
    donor: &'static str,
    reserve_ampled: u128,
    /// What its generated photos show.
    subject: corpus::DemoSubject,
    /// Minutes from now until the end; the start is always a couple of minutes ago.
    ends_in_minutes: i64,
}

const DEMO_ITEMS: [DemoItem; 5] = [
    DemoItem {
        title: "Fender Deluxe Reverb '68 Custom",
        description: "Tube combo amp, 22 W, 12\" speaker. Donated after a studio move; new tubes in 2025.",
        category: "amplifiers",
        condition: "good",
        donor: "The Leeds Collective",
        reserve_ampled: 40,
        subject: corpus::DemoSubject::Amp,
        ends_in_minutes: 6,
    },
    DemoItem {
        title: "Yamaha FG-180 acoustic guitar",
        description: "1970s dreadnought, warm and loud. A few dings on the top; plays in tune.",
        category: "instruments",
        condition: "fair",
        donor: "Mo, bass player of Quiet Harbour",
        reserve_ampled: 15,
        subject: corpus::DemoSubject::Guitar,
        ends_in_minutes: 15,
    },
    DemoItem {
        title: "Shure SM58 vocal microphones (pair)",
        description: "Two workhorse dynamic mics with clips and a cable each.",
        category: "audio",
        condition: "like_new",
        donor: "Northside Community Hall",
        reserve_ampled: 8,
        subject: corpus::DemoSubject::Microphone,
        ends_in_minutes: 60,
    },
    DemoItem {
        title: "Boss DS-1 distortion pedal",
        description: "Classic orange box. Battery door missing; works on a 9 V supply.",
        category: "effects",
        condition: "good",
        donor: "Anonymous",
        reserve_ampled: 3,
        subject: corpus::DemoSubject::Pedal,
        ends_in_minutes: 24 * 60,
    },
    DemoItem {
        title: "Focusrite Scarlett 2i2 audio interface",
        description: "USB interface with two preamps; great first home-recording kit.",
        category: "recording",
        condition: "like_new",
        donor: "Riverside Youth Music",
        reserve_ampled: 12,
        subject: corpus::DemoSubject::AudioInterface,
        ends_in_minutes: 3 * 24 * 60,
    },
];

async fn seed_listings(db: &Db, photos: &PhotoStore, steward: Address) -> anyhow::Result<Vec<ListingId>> {
    let now = Utc::now();
    let limits = PhotoLimits::default();
    let mut ids = Vec::new();
    for (index, item) in DEMO_ITEMS.iter().enumerate() {
        let input = ListingInput {
            title: Some(item.title.into()),
            description: Some(item.description.into()),
            category: Some(item.category.into()),
            condition: Some(item.condition.into()),
            donor_credit: Some(Some(item.donor.into())),
            reserve_price: Some((item.reserve_ampled * ONE_AMPLED).to_string()),
            starts_at: Some(now.to_rfc3339()),
            ends_at: Some((now + ChronoDuration::minutes(item.ends_in_minutes)).to_rfc3339()),
            extension_secs: Some(60),
            ..Default::default()
        };
        let seed = u32::try_from(index).unwrap_or(0) * 7;
        let images = (0..2u32).map(|shot| corpus::demo_photo_of(item.subject, seed + shot, 1200, 800)).collect();
        let id = workflow::create_attach_publish(db, photos, input, steward, images, &limits)
            .await
            .with_context(|| format!("demo listing {:?}", item.title))?;
        ids.push(id);
    }
    Ok(ids)
}

/// The member whose demo bid makes the first auction end with a winner.
const DEMO_BIDDER_INDEX: usize = 5;

/// Once the first demo auction is on chain, member 5 bids its reserve: it then ends in a
/// few minutes with a winner (won notification, claim, hand-over can all be tried).
async fn demo_bid(db: Db, rpc_url: String, deployment: deploy::Deployment, listing: ListingId) -> anyhow::Result<()> {
    use commissary_chain::bindings::{AmpledToken, CommissaryAuction};
    let auction_id = loop {
        let record = db.run(move |conn| commissary_db::listings::get(conn, listing)).await?;
        if let Some(id) = record.auction_id {
            break id.parse::<u64>().context("auction id")?;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let key = DEV_KEYS[DEMO_BIDDER_INDEX];
    let provider = deploy::wallet_provider(&rpc_url, key)?;
    let approved = AmpledToken::new(deployment.token, &provider)
        .approve(deployment.auction, U256::MAX)
        .send()
        .await?
        .get_receipt()
        .await?;
    anyhow::ensure!(approved.status(), "demo approve reverted");
    let amount = alloy::primitives::Uint::<96, 2>::from(DEMO_ITEMS[0].reserve_ampled * ONE_AMPLED);
    let bid = CommissaryAuction::new(deployment.auction, &provider)
        .bid(U256::from(auction_id), amount)
        .send()
        .await?
        .get_receipt()
        .await?;
    anyhow::ensure!(bid.status(), "demo bid reverted");
    println!(
        "  Member {DEMO_BIDDER_INDEX} bid {} AMPLED on {:?}: it will end with a winner.",
        DEMO_ITEMS[0].reserve_ampled, DEMO_ITEMS[0].title
    );
    Ok(())
}

/// Runs the demo. `base` is the configuration loaded from the file and `COMMISSARY_*`
/// variables: dev sets the server, database, photos, stewards, web and chain sections
/// itself and keeps everything else (`[email]`, `[[webhooks]]`, `[fulfillment]`, ...).
pub async fn run(args: DevArgs, base: Config) -> anyhow::Result<()> {
    let rpc_url = format!("http://127.0.0.1:{}", args.anvil_port);
    let anvil = ensure_anvil(&args, &rpc_url).await?;

    let operator = signer(DEV_KEYS[0])?;
    let treasury = signer(DEV_KEYS[TREASURY_INDEX])?.address();
    let deployment = deploy::deploy_dev(&rpc_url, DEV_KEYS[0], treasury).await.context("deploying the contracts")?;
    let mut members = Vec::new();
    for index in MEMBER_ACCOUNTS {
        let member = signer(DEV_KEYS[index])?.address();
        deploy::mint(&rpc_url, DEV_KEYS[0], deployment.token, member, U256::from(DEMO_GRANT * ONE_AMPLED)).await?;
        members.push((index, member));
    }
    let gasless = signer(GASLESS_MEMBER_KEY)?.address();
    commissary_chain::rpc::provider(&rpc_url, Duration::from_secs(10))?
        .raw_request::<_, ()>("anvil_setBalance".into(), (gasless, "0x0"))
        .await
        .context("taking the gasless member's ETH away")?;
    deploy::mint(&rpc_url, DEV_KEYS[0], deployment.token, gasless, U256::from(DEMO_GRANT * ONE_AMPLED)).await?;
    let relayer = signer(DEV_KEYS[RELAYER_INDEX])?.address();

    if args.data_dir.exists() {
        std::fs::remove_dir_all(&args.data_dir).with_context(|| format!("clearing {}", args.data_dir.display()))?;
    }
    std::fs::create_dir_all(&args.data_dir)?;
    let public_url = format!("http://localhost:{}", args.listen.port());
    let mut config = base;
    config.server.listen = args.listen.to_string();
    config.server.public_url = Some(public_url.clone());
    config.database.url = Secret::new(format!("sqlite://{}", args.data_dir.join("commissary.db").display()));
    config.photos.store = args.data_dir.join("photos").display().to_string();
    config.auth.stewards = vec![operator.address().to_string()];
    config.auth.chain_id = 31337;
    config.log.format = LogFormat::Pretty;
    config.web.rpc_url = Some(rpc_url.clone());
    config.web.dev_accounts = std::iter::once(operator.address())
        .chain(members.iter().map(|(_, a)| *a))
        .chain([gasless])
        .map(|a| a.to_string())
        .collect();
    config.chain = Some(ChainConfig {
        rpc_url: rpc_url.clone(),
        chain_id: 31337,
        auction_address: deployment.auction,
        token_address: deployment.token,
        deployment_block: deployment.deployment_block,
        confirmations: 0,
        operator_key: Some(Secret::new(DEV_KEYS[0])),
        poll_interval: Duration::from_millis(500),
        ..ChainConfig::default()
    });
    if !config.relay.enabled() {
        config.relay.relayer_key = Some(Secret::new(DEV_KEYS[RELAYER_INDEX]));
    }
    let settings = config.validate()?;
    let app = crate::app::start(settings).await?;
    let photos = PhotoStore::from_url(&args.data_dir.join("photos").display().to_string())?;
    let seeded = seed_listings(&app.db, &photos, domain_address(operator.address())).await?;
    let bidding = tokio::spawn({
        let (db, rpc_url, listing) = (app.db.clone(), rpc_url.clone(), seeded[0]);
        async move {
            if let Err(e) = demo_bid(db, rpc_url, deployment, listing).await {
                tracing::warn!(error = format!("{e:#}"), "the demo bid failed");
            }
        }
    });

    println!();
    println!("  Commissary is running: {public_url}   (API docs: {public_url}/api/docs)");
    println!(
        "  Chain: {rpc_url} (chain id 31337){}",
        if anvil.is_some() { ", anvil started by this command" } else { "" }
    );
    println!("  $AMPLED token:      {}", deployment.token);
    println!("  Auction contract:   {}", deployment.auction);
    println!("  Treasury:           {treasury} (anvil account {TREASURY_INDEX})");
    println!("  Steward + operator: {} (anvil account 0)", operator.address());
    for (index, member) in &members {
        println!("  Member {index}: {member}  holds {DEMO_GRANT} AMPLED  key {}", DEV_KEYS[*index]);
    }
    println!("  Relayer (gasless bids): {relayer} (anvil account {RELAYER_INDEX})");
    println!(
        "  Gasless member: {gasless}  holds {DEMO_GRANT} AMPLED and 0 ETH  key {GASLESS_MEMBER_KEY}  (anvil account 10; bids only through the relayer; the last dev wallet)"
    );
    println!();
    println!(
        "  {} demo listings are being published on chain; the first ends in ~6 minutes with a winner (member {DEMO_BIDDER_INDEX}) and is settled automatically.",
        seeded.len()
    );
    println!(
        "  Then, signed in as member {DEMO_BIDDER_INDEX}: GET /api/v1/me/notifications, POST /api/v1/listings/{}/claim; as the steward: GET /api/v1/fulfillment.",
        seeded[0]
    );
    println!("  Try: open {public_url}, pick a member in the dev wallet, bid; or from a shell:");
    println!("    export PATH=\"$PWD/node_modules/.bin:$PATH\"");
    println!(
        "    cast send {} 'approve(address,uint256)' {} 100000000000000000000 --private-key {} --rpc-url {rpc_url}",
        deployment.token, deployment.auction, DEV_KEYS[1]
    );
    println!(
        "    cast send {} 'bid(uint256,uint96)' 1 50000000000000000000 --private-key {} --rpc-url {rpc_url}",
        deployment.auction, DEV_KEYS[1]
    );
    println!("    curl -s {public_url}/api/v1/listings | jq '.items[] | {{title, status, current_price, ends_at}}'");
    println!();
    println!("  Ctrl-C stops everything this command started.");

    let result = app.wait().await;
    bidding.abort();
    drop(anvil);
    result
}
