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
            }
        },
    )
}
