//! The app-api binary: parses the command line and hands over to the library.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use app_api::AppConfig;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "app-api", version, about = "Helpdeskly tenant plane: SAV tickets, messages, attachments")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default), with the outbox relay and the order consumer unless
    /// RELAY_IN_SERVE / ORDERS_CONSUMER_IN_SERVE are false.
    Serve,
    /// Run the outbox relay and the order events consumer without serving.
    Worker,
    /// Find attachment objects without a row and rows without an object, in every active
    /// tenant, and delete those older than the grace period; prints a JSON report.
    CleanupOrphans {
        /// Leave what is younger than this alone (default ORPHAN_GRACE_HOURS, 24).
        #[arg(long)]
        grace_hours: Option<u64>,
        /// Report only; delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    shared::bootstrap::run(
        "app-api",
        AppConfig::from_env,
        |c| &c.log,
        |config| async move {
            match cli.command.unwrap_or(Command::Serve) {
                Command::Serve => app_api::serve(config).await,
                Command::Worker => app_api::worker(config).await,
                Command::CleanupOrphans { grace_hours, dry_run } => {
                    let grace = grace_hours.map(|h| std::time::Duration::from_secs(h.saturating_mul(3600)));
                    let report = app_api::cleanup_orphans(config, grace, dry_run).await?;
                    println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
                    if report.tenants_failed > 0 {
                        return Err(app_api::ServeError::Setup(format!("{} tenants failed", report.tenants_failed)));
                    }
                    Ok(())
                }
            }
        },
    )
}
