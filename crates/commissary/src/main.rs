use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use commissary::config::Config;
use commissary::{app, telemetry};

/// The Commissary: auctions of donated gear for $AMPLED.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// TOML configuration file (optional; `COMMISSARY_*` variables override it).
    #[arg(long, short, global = true, env = "COMMISSARY_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the effective configuration (secrets redacted) and exit.
    Config,
    /// Run everything locally: anvil, contracts, demo data, API and chain worker.
    #[cfg(feature = "dev")]
    Dev(commissary::dev::DevArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Config::load(cli.config.as_deref()).and_then(Config::validate) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("commissary: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.raw.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("commissary: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve => app::start(settings).await?.wait().await,
            Command::Migrate => {
                let db = app::open_database(&settings).await?;
                let applied = app::migrate(&db).await?;
                println!("{} migration(s) applied", applied.len());
                Ok(())
            }
            #[cfg(feature = "dev")]
            Command::Dev(args) => commissary::dev::run(args, settings.raw.clone()).await,
            Command::Config => {
                println!("{:#?}", settings.raw);
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "fatal");
            eprintln!("commissary: {e:#}");
            ExitCode::FAILURE
        }
    }
}
